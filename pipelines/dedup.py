"""Stage 4, page → identity: a canonical URL and a content fingerprint.

The canonical URL (tracking parameters stripped, host and scheme normalised, same-site
rel=canonical followed) is what incremental crawls and joins key on; the fingerprint (a hash of
the body's characters without whitespace and punctuation) makes exact duplicates share a value
across sites, which the syndication clustering builds on.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urljoin, urlsplit

from courlan import normalize_url
from w3lib.url import canonicalize_url

from pipelines import StagePipeline
from pipelines.minhash import signature

PUNCT_SPACE_RE = re.compile(r"[\W_]+", re.UNICODE)


def canonical_url(url: str, rel_canonical: str | None = None) -> str:
    """Normalised URL; a same-site <link rel=canonical> wins over the fetched address."""
    if rel_canonical:
        target = urljoin(url, rel_canonical.strip())
        if host_of(target) and host_of(target) == host_of(url):
            url = target
    try:
        url = normalize_url(url, strict=True)
    except (ValueError, AttributeError):
        pass
    return canonicalize_url(url, keep_fragments=False)


def host_of(url: str) -> str:
    """The URL's host without www.: what "the same site" means for a link or a syndicated copy."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def fold_body(body: str) -> str:
    """The body with case, width, whitespace and punctuation folded: what the fingerprint hashes
    and the MinHash shingles."""
    return PUNCT_SPACE_RE.sub("", unicodedata.normalize("NFKC", body or "").lower())


def fingerprint(body: str) -> str | None:
    """sha1 of the folded body (fold_body); None when empty."""
    return _fingerprint_folded(fold_body(body))


def _fingerprint_folded(norm: str) -> str | None:
    return hashlib.sha1(norm.encode("utf-8")).hexdigest() if norm else None


def apply_dedup(page: dict, rules: dict | None = None) -> None:
    rel = None
    tree = page.get("_tree")
    if tree is not None:
        links = tree.xpath("//link[@rel='canonical']/@href")
        rel = links[0] if links else None
    article = page.setdefault("article", {})
    article["canonical_url"] = canonical_url(page.get("final_url") or page["url"], rel)
    folded = fold_body(article.get("body", ""))  # once for both
    article["fingerprint"] = _fingerprint_folded(folded)
    m = _minhash_folded(folded)
    page["minhash"] = signature_bytes(m) if m is not None else None  # clustered by the store


class DedupPipeline(StagePipeline):
    stage = "dedup"

    def apply(self, page: dict, rules: dict) -> None:
        apply_dedup(page, rules)


# --- near duplicates: MinHash over character shingles, banded for LSH -----------------------------
NUM_PERM = 64
BANDS, ROWS = 16, 4  # 16 bands of 4 rows: pairs above ~0.5 Jaccard share a band with high odds
SHINGLE = 4  # characters; syndicated copies differ in boilerplate, not in these
MIN_CHARS = 60  # shorter bodies are not clustered: too little text to tell copies from chance
SAME_STORY = 0.7  # estimated Jaccard from which two bodies are one story


def minhash(body: str):
    """MinHash values of the body's character shingles (None when the body is too short): the
    values datasketch's MinHash(NUM_PERM, seed=1) gave, computed by pipelines/minhash.py."""
    return _minhash_folded(fold_body(body))


def _minhash_folded(norm: str):
    if len(norm) < MIN_CHARS:
        return None
    return signature(norm, NUM_PERM, seed=1, shingle=SHINGLE)


def signature_bytes(values) -> bytes:
    """The stored form: each value as 8 little-endian bytes (as datasketch's hashvalues were)."""
    return values.astype("<u8").tobytes()


def bands(sig: bytes) -> list[int]:
    """One 63-bit hash per band of the signature: the LSH keys stored in the database."""
    out = []
    width = ROWS * 8
    for b in range(BANDS):
        chunk = sig[b * width:(b + 1) * width]
        out.append(int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "little") >> 1)
    return out


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """Estimated Jaccard similarity of two stored signatures."""
    import numpy as np

    a, b = np.frombuffer(sig_a, dtype="<u8"), np.frombuffer(sig_b, dtype="<u8")
    return float((a == b).mean()) if len(a) == len(b) and len(a) else 0.0
