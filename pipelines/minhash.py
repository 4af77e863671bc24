"""MinHash signatures of character shingles, bit-identical to datasketch's, without datasketch.

The database keeps 64-value signatures and their LSH band hashes (pipelines/dedup.py). They were
made by ``datasketch.MinHash(num_perm, seed).update_batch(shingles)`` (scheme ``affine32``,
datasketch 2.x): each shingle's UTF-8 bytes → the first 4 bytes of its SHA-1, little-endian →
the MurmurHash3 finaliser → ``a * h + b`` mod 2**32 for each permutation (a, b drawn from
``numpy.random.RandomState(seed)``) → the minimum per permutation. This module computes exactly
that, so stored signatures and bands stay valid with no migration, but cheaper: permutations are
drawn once per process (datasketch draws them for every MinHash), each distinct shingle is hashed
once, and the permutation step is one numpy matrix operation. For long bodies the SHA-1 itself
runs vectorised over all shingles at once (one 64-byte block each: a 4-character shingle is at
most 16 bytes); below VECTOR_FROM shingles, 80 rounds of numpy calls cost more than hashlib's C
SHA-1 called per shingle (measured: 1,000 shingles 1.7 ms vs 2.9 ms; 10,000: 17 ms vs 8 ms).
tests/test_minhash.py checks both paths against datasketch while it is installed.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

U32 = np.uint32
VECTOR_FROM = 2000  # distinct shingles from which the vectorised SHA-1 is the faster path


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters: odd a, any b, from RandomState(seed)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=U32) * U32(2) + U32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=U32)
    return a, b


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser (datasketch's pre-mix); uint32 arithmetic wraps."""
    h = h ^ (h >> U32(16))
    h = h * U32(0x85EBCA6B)
    h = h ^ (h >> U32(13))
    h = h * U32(0xC2B2AE35)
    return h ^ (h >> U32(16))


def _sha1_hashlib(text: str, shingle: int) -> np.ndarray:
    """First 4 SHA-1 bytes (little-endian uint32) of each distinct shingle, via hashlib."""
    sha1 = hashlib.sha1
    grams = {text[i:i + shingle] for i in range(len(text) - shingle + 1)}
    return np.frombuffer(b"".join([sha1(g.encode("utf-8")).digest()[:4] for g in grams]), dtype="<u4")


def _sha1_numpy(text: str, shingle: int) -> np.ndarray:
    """The same values as _sha1_hashlib (for every shingle, repeats included), computed by a
    vectorised single-block SHA-1 over all shingles at once."""
    raw = np.frombuffer(text.encode("utf-8"), np.uint8)
    cps = np.frombuffer(text.encode("utf-32-le"), "<u4")
    width = 1 + (cps >= 0x80).astype(np.int64) + (cps >= 0x800) + (cps >= 0x10000)
    offsets = np.zeros(len(cps) + 1, np.int64)
    np.cumsum(width, out=offsets[1:])
    n = len(cps) - shingle + 1
    start, length = offsets[:n], offsets[shingle:] - offsets[:n]
    span = 4 * shingle + 4  # message bytes + the 0x80 terminator, rounded up to whole words
    col = np.arange(span)
    at = np.minimum(start[:, None] + col, len(raw) - 1)
    msg = np.where(col < length[:, None], raw[at], 0).astype(np.uint8)
    msg[np.arange(n), length] = 0x80
    words = msg.view(">u4").astype(U32)
    return _sha1_first_word(words, (length * 8).astype(U32)).byteswap()


def _sha1_first_word(words: np.ndarray, bit_length: np.ndarray) -> np.ndarray:
    """Word h0 of SHA-1 over one-block messages: ``words`` holds each message's first words
    (padding included), the rest of the block is zero except the bit length in word 15."""
    n = len(words)
    w = np.zeros((80, n), U32)
    w[:words.shape[1]] = words.T
    w[15] = bit_length
    for i in range(16, 80, 3):  # three schedule words at a time: w[i] needs w[i-3]
        j = min(i + 3, 80)
        x = w[i - 3:j - 3] ^ w[i - 8:j - 8] ^ w[i - 14:j - 14] ^ w[i - 16:j - 16]
        w[i:j] = (x << U32(1)) | (x >> U32(31))
    a, b = np.full(n, 0x67452301, U32), np.full(n, 0xEFCDAB89, U32)
    c, d, e = np.full(n, 0x98BADCFE, U32), np.full(n, 0x10325476, U32), np.full(n, 0xC3D2E1F0, U32)
    t, f, g = np.empty(n, U32), np.empty(n, U32), np.empty(n, U32)
    for i in range(80):
        if i < 20:
            np.bitwise_xor(c, d, out=f)
            f &= b
            f ^= d
            k = 0x5A827999
        elif 40 <= i < 60:
            np.bitwise_or(b, c, out=f)
            f &= d
            np.bitwise_and(b, c, out=g)
            f |= g
            k = 0x8F1BBCDC
        else:
            np.bitwise_xor(b, c, out=f)
            f ^= d
            k = 0x6ED9EBA1 if i < 40 else 0xCA62C1D6
        np.left_shift(a, U32(5), out=t)
        np.right_shift(a, U32(27), out=g)
        t |= g
        t += f
        t += e
        t += U32(k)
        t += w[i]
        np.left_shift(b, U32(30), out=g)  # b becomes rotl(b, 30) in place: it is the new c
        b >>= U32(2)
        b |= g
        e, d, c, b, a, t = d, c, b, a, t, e  # t's buffer is reused for the next round
    return a + U32(0x67452301)


def signature(text: str, num_perm: int, seed: int = 1, shingle: int = 4) -> np.ndarray:
    """MinHash values (uint32, one per permutation) of ``text``'s character shingles, as
    datasketch's MinHash(num_perm, seed) updated with each shingle's UTF-8 bytes."""
    a, b = permutations(num_perm, seed)
    n = len(text) - shingle + 1
    if n < 1:
        return np.full(num_perm, 0xFFFFFFFF, U32)  # datasketch's empty signature
    hv = _sha1_numpy(text, shingle) if n >= VECTOR_FROM else _sha1_hashlib(text, shingle)
    return (_fmix32(hv)[:, None] * a + b).min(axis=0)
