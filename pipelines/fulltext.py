"""Chinese full-text search on SQLite FTS5 without a word segmenter.

SQLite's unicode61 tokenizer keeps a run of Chinese as one token, and the trigram tokenizer cannot
match two-character words such as 昆明. So the indexer writes its own tokens: every CJK bigram
(昆明市政府 → 昆明 明市 市政 政府) in one column and every CJK character in another, plus latin and
digit words as they are. A query of two or more characters becomes a phrase of overlapping bigrams
— an exact substring match, whatever the word boundaries — and a one-character query searches the
character column. bm25 ranks; titles weigh more than bodies. jieba-style segmentation was not
chosen: it misses queries that cut across its words (市政 inside 昆明市政府) and costs more per page.
"""
from __future__ import annotations

import re
import unicodedata

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
RUN_RE = re.compile(rf"[{CJK}]+|[^\W_{CJK}]+")


CJK_RE = re.compile(rf"[{CJK}]")


def _runs(text: str) -> list[str]:
    """Runs of CJK characters and words of other letters/digits, NFKC-folded and lower-cased."""
    return RUN_RE.findall(unicodedata.normalize("NFKC", text or "").lower())


def index_text(text: str) -> tuple[str, str]:
    """(bigram column, unigram column) for one field."""
    bi: list[str] = []
    uni: list[str] = []
    for run in _runs(text):
        bi.extend(_bigrams(run))
        uni.extend(run if CJK_RE.match(run) else [run])
    return " ".join(bi), " ".join(uni)


def _chunk_expression(runs: list[str]) -> str:
    """One whitespace-free piece of a query as one FTS5 phrase, whatever scripts it mixes
    (5月8日, 6号线, G20峰会): the index holds the same runs in the same order. Only the ends of the
    piece can merge with text around it in a page (今年5月8日上午 indexes 日上 上午, not 日): a
    1-character CJK run at the end becomes a prefix token (日*); one at the start cannot be found
    by a bigram ending in it, so it is required on its own from the character column."""
    bi = "{title_bi body_bi}"
    if len(runs) == 1:
        run = runs[0]
        if CJK_RE.match(run) and len(run) == 1:
            return f'{{title_uni body_uni}} : "{run}"'
        return f'{bi} : "{" ".join(_bigrams(run))}"'
    lead = ""
    if CJK_RE.match(runs[0]) and len(runs[0]) == 1:
        lead, runs = f'{{title_uni body_uni}} : "{runs[0]}" AND ', runs[1:]
    tokens = [t for run in runs for t in _bigrams(run)]
    prefix = "*" if CJK_RE.match(runs[-1]) and len(runs[-1]) == 1 else ""
    return f'{lead}{bi} : "{" ".join(tokens)}"{prefix}'


def _bigrams(run: str) -> list[str]:
    """A run's tokens in the bigram column: a CJK run's overlapping bigrams (itself when one
    character long), any other run as it is."""
    if CJK_RE.match(run) and len(run) > 1:
        return [run[i:i + 2] for i in range(len(run) - 1)]
    return [run]


def match_expression(query: str) -> str | None:
    """An FTS5 MATCH expression for a user's query: every piece (runs not parted by spaces or
    punctuation) must occur (AND), each piece as one phrase (an exact substring match for Chinese, mixed scripts included)."""
    pieces: list[list[str]] = []
    end = -1
    for m in RUN_RE.finditer(unicodedata.normalize("NFKC", query or "").lower()):
        if m.start() == end:  # touching the previous run: 6号线 is one piece, 昆明 滇池 two
            pieces[-1].append(m.group())
        else:
            pieces.append([m.group()])
        end = m.end()
    return " AND ".join(_chunk_expression(runs) for runs in pieces) or None


def snippet(body: str, query: str, width: int = 40, mark: tuple[str, str] = ("[", "]")) -> str:
    """The first passage of the original body holding the query's first term, highlighted."""
    terms = _runs(query)
    text = " ".join((body or "").split())
    low = unicodedata.normalize("NFKC", text).lower()
    at = next((low.find(t) for t in terms if low.find(t) >= 0), -1)
    if at < 0:
        return text[: 2 * width]
    start, end = max(0, at - width), min(len(text), at + len(terms[0]) + width)
    out = text[start:end]
    for t in sorted(set(terms), key=len, reverse=True):
        out = re.sub(re.escape(t), lambda m: mark[0] + m.group(0) + mark[1], out, flags=re.IGNORECASE)
    return ("…" if start else "") + out + ("…" if end < len(text) else "")
