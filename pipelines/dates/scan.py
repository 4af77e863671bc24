"""Fast, exact scans of a page for the dates stage: the same matches as the plain loops, less work.

candidates.py used to run its patterns from every position of 20,000-30,000 characters of text,
NFKC the whole text, and visit every element in Python; those scans were most of the stage's
time. Each function here returns exactly what the plain version returned (the test suite and an
equivalence run over the dev corpus check it), only cheaper:

  nfkc            NFKC of only the characters that change, checked with unicodedata.is_normalized
  full_dates      FULL_RE's matches, tried only where four digits start
  labelled_lines  LABELLED_RE's matches, tried only just before a label word (时间/時間/日期)
  label_cells     table label cells, each read only as far as a label could reach
  date_elements   elements whose class or id names a date, the regex once per distinct value
"""
from __future__ import annotations

import re
import unicodedata
from typing import Iterator

from pipelines.dates.normalise import FULL_RE

LABELLED_RE = re.compile(r"([\u4e00-\u9fff]{0,4}(?:时间|時間|日期))\s*[:：]\s*([^|｜]{2,40})")
LABEL_WORD_RE = re.compile("时间|時間|日期")  # literal alternatives: the engine scans for their first characters
TABLE_LABEL_RE = re.compile(r"^[\u4e00-\u9fff]{0,4}(?:时间|時間|日期)\s*[:：]?$")
TABLE_LABEL_MAX = 7  # non-space characters a TABLE_LABEL_RE label can have: 4 + 2 + a colon
LABEL_CELL_TAGS = ("td", "th", "dt", "label", "b", "strong")
DATE_ELEMENT_TAGS = ("span", "div", "p", "em", "i", "time", "font", "td", "li")
DATE_CLASS_RE = re.compile(r"date|time|pubtime|publish|fbsj|ptime|info|source|laiyuan|riqi|shijian", re.I)
_DIGIT_RUN_RE = re.compile(r"\d\d{3,}")  # opens with a class, so the engine scans for it in C
# the fullwidth punctuation nearly every Chinese sentence has, and the next most frequent
# characters NFKC rewrites on the dev pages, replaced by str.replace (in C)
_COMMON_FULLWIDTH = tuple((c, unicodedata.normalize("NFKC", c)) for c in "，：！？（）；．…／％－︱℃｜")


_unstable: re.Pattern | None = None


def _unstable_re() -> re.Pattern:
    """Runs of Basic Multilingual Plane characters that NFKC rewrites (fullwidth forms, ①, …),
    built on first use from this Python's own Unicode tables."""
    global _unstable
    if _unstable is None:
        chars = [chr(c) for c in range(0xA0, 0x10000)
                 if not 0xD800 <= c < 0xE000 and unicodedata.normalize("NFKC", chr(c)) != chr(c)]
        _unstable = re.compile("[" + "".join(re.escape(c) for c in chars) + "]+")
    return _unstable


def _nfkc_run(m: re.Match) -> str:
    return unicodedata.normalize("NFKC", m[0])


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), in a fraction of the time on Chinese pages.

    NFKC of a whole page is slow because nearly every page has fullwidth punctuation. Replacing
    characters or runs of characters by their NFKC keeps the string compatibility-equivalent,
    so when the result is normalised it is the NFKC of ``text``; when it is not (combining
    marks that compose, characters outside the BMP), the full normalisation finishes the job."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    for wide, narrow in _COMMON_FULLWIDTH:
        text = text.replace(wide, narrow)
    if not unicodedata.is_normalized("NFKC", text):
        text = _unstable_re().sub(_nfkc_run, text)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def full_dates(text: str) -> Iterator[re.Match]:
    """FULL_RE.finditer(text). A full date starts with four digits not after a digit (its
    look-behind) and followed by a separator, so only runs of exactly four digits are tried (the
    pattern itself opens with that look-behind, which keeps the engine from skipping ahead)."""
    pos = 0
    for run in _DIGIT_RUN_RE.finditer(text):
        start = run.start()
        if start < pos or run.end() - start != 4:  # inside the last date / a longer number
            continue
        m = FULL_RE.match(text, start)
        if m is not None:
            yield m
            pos = m.end()


def labelled_lines(text: str, limit: int) -> list[re.Match]:
    """The first ``limit`` matches of LABELLED_RE.finditer(text).

    A match holds a label word at most four characters after its start, so only the starts in
    the four characters before each label word are tried, left to right, as finditer would."""
    out: list[re.Match] = []
    pos = word_pos = tried = 0  # after the last match / where the next label word is sought / starts below failed
    while len(out) < limit and (word := LABEL_WORD_RE.search(text, word_pos)) is not None:
        at = word.start()
        hit = None
        for start in range(max(pos, tried, at - 4), at + 1):
            if hit := LABELLED_RE.match(text, start):
                break
        if hit is None:
            tried = word_pos = at + 1
            continue
        out.append(hit)
        pos = tried = word_pos = hit.end()
    return out


def _cell_label(cell) -> str | None:
    """The cell's text, spaces collapsed, unless it has more non-space characters than a label
    can (stops reading early: a layout cell holds the whole page)."""
    first = cell.text
    if first is not None and len(first) > TABLE_LABEL_MAX and len("".join(first.split())) > TABLE_LABEL_MAX:
        return None
    parts, seen = [], 0
    for t in cell.itertext():
        seen += len("".join(t.split()))
        if seen > TABLE_LABEL_MAX:
            return None
        parts.append(t)
    return " ".join(" ".join(parts).split())


_LABEL_END_RE = re.compile(r"(?:时间|時間|日期)(?: ?[:：])?(?= |$)")


def label_cell_possible(text: str) -> bool:
    """Whether the body's text (spaces collapsed) holds a stretch a label cell's text could be:
    TABLE_LABEL_RE between spaces. A cell's text is a contiguous stretch of the body's text
    between two spaces (itertext's parts are joined with one), so without one there is no label
    cell, and most pages need not visit their cells at all."""
    for m in _LABEL_END_RE.finditer(text):
        start = m.start()
        stop = max(0, start - 4)
        while start > stop and "\u4e00" <= text[start - 1] <= "\u9fff":
            start -= 1
        if start == 0 or text[start - 1] == " ":
            return True
    return False


def label_cells(body) -> list[tuple]:
    """(cell, label) for the elements of LABEL_CELL_TAGS under ``body`` whose whole text is a
    date label (TABLE_LABEL_RE), in document order; a cell's text is read only as far as a label
    could reach, so the layout cells that hold a whole page cost next to nothing."""
    found = []
    for cell in body.iter(*LABEL_CELL_TAGS):
        label = _cell_label(cell)
        if label is not None and TABLE_LABEL_RE.match(label):
            found.append((cell, label))
    return found


def date_elements(body) -> Iterator:
    """<time datetime=...> elements and those whose class or id names a date (DATE_CLASS_RE), in
    document order, lazily (the caller stops at the first that yields a date); the regex runs
    once per distinct class-and-id string, and not at all on elements that have neither."""
    seen: dict[str, bool] = {}
    for el in body.iter(*DATE_ELEMENT_TAGS):
        get = el.get
        if el.tag == "time" and get("datetime"):
            yield el
            continue
        cls, eid = get("class"), get("id")
        if cls is None and eid is None:
            continue
        attrs = f"{cls or ''} {eid or ''}"
        hit = seen.get(attrs)
        if hit is None:
            seen[attrs] = hit = DATE_CLASS_RE.search(attrs) is not None
        if hit:
            yield el
