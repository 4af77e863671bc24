"""MinHash signatures stay bit-identical to the datasketch ones already stored in databases
(pipelines/minhash.py replaced datasketch): stored signatures and LSH bands need no migration."""
from __future__ import annotations

import hashlib
import random

import pytest
from hypothesis import given, settings, strategies as st

from pipelines.dedup import MIN_CHARS, NUM_PERM, PUNCT_SPACE_RE, SHINGLE, minhash, signature_bytes
from pipelines.minhash import VECTOR_FROM, _sha1_hashlib, _sha1_numpy, signature

# every kind of character a normalised body holds: CJK, Latin, digits, 2-byte and 4-byte UTF-8
ALPHABET = "昆明市人民政府云南日报记者滇池发布会议经济abcdefxyz0123456789éßжя𠀀𡃁😀"


def text_of(seed: int, length: int, alphabet: str = ALPHABET) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(length))


# sha256 of signature_bytes(datasketch 2.0.0 MinHash(num_perm=64, seed=1)) over text_of(seed, n)'s
# 4-character shingles: the signatures databases already hold. Lengths cover both SHA-1 paths.
RECORDED = {
    (1, 60): "bc44a40be0e770cb991e4ba1bd3f09eca3218eca196a2643d31fe82f20a21125",
    (2, 61): "e149699cc87165cbb8adab1ce0209b4862a0966c2d847fd75fda10effc8ec524",
    (3, 500): "840d2fa0f7f4d1fc182209a61c5ab8fa92e1ea17fffbfc968c44a15b832459b3",
    (4, 1999): "8347f143c930c78e547906c169551343d9becb15883f05c8b3ea4d8f4bab8393",
    (5, 2003): "140463ecdc984f2f7c25ba56ea83470d9ec3895e28f45fba4fa08c89cf9da4a6",
    (6, 2500): "8d5c3e3326ffacc124e4429c97101782bcd8b10f1690471468f902bb9ca695db",
    (7, 8000): "6808a1eb31e8df683342e4a214a80ebf885b61dc82d33154b174aa7f155c5fdc",
}


@pytest.mark.parametrize("seed_length", sorted(RECORDED))
def test_signatures_equal_the_ones_datasketch_stored(seed_length):
    text = text_of(*seed_length)
    digest = hashlib.sha256(signature_bytes(signature(text, NUM_PERM, 1, SHINGLE))).hexdigest()
    assert digest == RECORDED[seed_length]


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=SHINGLE, max_size=300))
def test_both_sha1_paths_give_hashlib_values_for_any_text(text):
    vectorised = _sha1_numpy(text, SHINGLE)
    assert set(vectorised.tolist()) == set(_sha1_hashlib(text, SHINGLE).tolist())
    assert len(vectorised) == len(text) - SHINGLE + 1


def test_dedup_minhash_is_none_for_short_bodies_and_stable_for_long_ones():
    assert minhash("短" * (MIN_CHARS - 1)) is None
    body = "，".join(text_of(7, 40) for _ in range(80))  # punctuation is folded away first
    norm = PUNCT_SPACE_RE.sub("", body.lower())
    assert len(norm) - SHINGLE + 1 >= VECTOR_FROM
    assert signature_bytes(minhash(body)) == signature_bytes(signature(norm, NUM_PERM, 1, SHINGLE))
