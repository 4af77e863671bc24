"""Are two near-duplicate texts the same story? The confirmation behind syndication clusters.

MinHash (pipelines/dedup.py) finds texts that share most of their 4-character shingles. That is
true of syndicated copies, and equally of government notices written from one template (任前公示,
招标公告, 行政处罚决定书, a 通知 with its 文号): 80–90 % of their wording is the template. What
tells template instances apart is what differs *inside* the shared text: the names, posts, firms,
projects, places, amounts, dates and document numbers filled into the template. Syndicated copies
differ at the edges instead: a reporter prefix (本报讯（记者 …）), the site's own chrome, a dropped
last paragraph.

So a pair is confirmed by aligning the two texts (clauses, then characters: difflib) and reading the
differences. The template, being in both, weighs nothing either way; a *substitution* between two
aligned stretches of shared text, where both sides say something different (a different number, or
two or more characters against two or more), is a differing distinguishing token and makes two
documents. Edits before the first and after the last long shared stretch are chrome and are
ignored, except document identifiers (文号, 编号, 统一社会信用代码), which must agree wherever they
are (each text citing one the other lacks makes two documents), and the figures in the headlines
(rewritten headlines keep them), which must not all differ. On one site (see :func:`compare`) only
a re-post is one story: the texts may differ at the edges, nowhere else.

Pure functions on strings: the clustering (pipelines/clusters.py) calls them for the LSH candidates
that pass the MinHash threshold, and `provnews clusters show` prints their explanation.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, Iterator

ANCHOR = 10  # a shared stretch this long (characters) marks where the story itself begins/ends
GLUE = 3  # shared stretches shorter than this inside a difference are part of it (张三，男 → 李四，女)
MAX_ALIGN = 6000  # characters of each text aligned (alignment cost grows with length × length)

SPACE_RE = re.compile(r"[^\S\n]+")
CLAUSE_RE = re.compile(r"(?<=[,。;:!?、()\n])")  # after NFKC: ， ； ： ！ ？ （ ） are ASCII
LINES_RE = re.compile(r"\n{2,}")
PUNCT_RE = re.compile(r"[\W_]+", re.UNICODE)
DIGIT_RE = re.compile(r"\d")
# numbers as a page writes them, with the unit that says what they are: 356.8万元, 2024年, 15号
NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*(?:万元|亿元|万亩|万人|万|亿|元|%|年|月|日|号|岁|人次|人|户|家|亩|平方米|米|公里|吨|座|天)?")
# identifiers of a document: 云政发〔2024〕12号, 编号：YNZC-2024-031, credit codes
ID_RES = (
    re.compile(r"[\u4e00-\u9fff]{0,4}[〔\[【(（]\d{4}[〕\]】)）]第?\d+号"),  # the issuer's code: 4 characters at most
    re.compile(r"(?:编号|文号|案号)[:：]?([A-Za-z0-9〔〕\[\]()\-_/]{4,40})"),
    re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NP-RT-UW-Y]{2}\d{6}[0-9A-HJ-NP-RT-UW-Y]{10}(?![0-9A-Z])"),
)


@dataclass
class Comparison:
    """The verdict on one pair, with what it rests on (printed by `provnews clusters show`)."""

    same: bool
    reason: str
    shared: list[str] = field(default_factory=list)  # distinguishing tokens both texts carry
    differing: list[tuple[str, str]] = field(default_factory=list)  # (this text, the other)


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters folded), spaces removed, one newline between lines."""
    return LINES_RE.sub("\n", SPACE_RE.sub("", unicodedata.normalize("NFKC", text or ""))).strip()


def id_tokens(text: str) -> set[str]:
    """Document identifiers in a normalised text (文号, 编号, credit codes)."""
    out: set[str] = set()
    for rx in ID_RES:
        for m in rx.finditer(text):
            out.add(m.group(m.lastindex or 0))
    return out


def numbers(text: str) -> list[str]:
    return NUMBER_RE.findall(text)


def _distinguishing(a: str, b: str) -> bool:
    """A substitution of a by b says something different: another number, or another name."""
    pa, pb = PUNCT_RE.sub("", a), PUNCT_RE.sub("", b)
    if not pa or not pb:
        return False
    if DIGIT_RE.search(pa) and DIGIT_RE.search(pb):
        return sorted(numbers(pa)) != sorted(numbers(pb))
    return len(pa) >= 2 and len(pb) >= 2


def _in_token(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == ".")


def _clauses(text: str) -> list[str]:
    return [c for c in CLAUSE_RE.split(text) if c]


def _spans(ops: list[tuple], size: Callable[[tuple], int]) -> list[list[tuple]]:
    """The runs of differing ops between the first and the last anchor (a shared stretch of
    ANCHOR characters); shared stretches shorter than GLUE inside a difference belong to it."""
    anchors = [i for i, op in enumerate(ops) if op[0] == "equal" and size(op) >= ANCHOR]
    if len(anchors) < 2:
        return []
    runs, run = [], []
    for op in ops[anchors[0] + 1:anchors[-1]]:
        if op[0] == "equal" and size(op) >= GLUE:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(op)
    return runs + ([run] if run else [])


def _split_run(a: str, b: str) -> Iterator[tuple[str, str, str]]:
    """One differing stretch, aligned character by character: its substitutions ("sub": both
    sides say something) and one-sided insertions ("ins"), numbers and codes kept whole."""
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    run: list[tuple] = []
    for op in ops + [("equal", len(a), len(a), len(b), len(b))]:
        if not (op[0] == "equal" and (op[2] - op[1] >= GLUE or op[2] == len(a))):
            run.append(op)
            continue
        changed = [o for o in run if o[0] != "equal"]
        if changed:
            i1, i2, j1, j2 = changed[0][1], changed[-1][2], changed[0][3], changed[-1][4]
            while i1 > 0 and j1 > 0 and _in_token(a[i1 - 1]):  # whole numbers and codes: 1978 ≠ 1982
                i1, j1 = i1 - 1, j1 - 1
            while i2 < len(a) and j2 < len(b) and _in_token(a[i2]) and a[i2] == b[j2]:
                i2, j2 = i2 + 1, j2 + 1
            kinds = {o[0] for o in changed}
            yield ("sub" if "replace" in kinds or {"insert", "delete"} <= kinds else "ins"), a[i1:i2], b[j1:j2]
        run = []


def differences(a: str, b: str) -> Iterator[tuple[str, str, str]]:
    """The interior differences between two normalised texts, as ("sub" | "ins", a side, b side).

    Aligned clause by clause first (a clause ends at a punctuation mark: cheap, and the template's
    clauses match whole), then each differing interior stretch character by character."""
    ca, cb = _clauses(a), _clauses(b)
    oa, ob = [0], [0]
    for c in ca:
        oa.append(oa[-1] + len(c))
    for c in cb:
        ob.append(ob[-1] + len(c))
    ops = difflib.SequenceMatcher(None, ca, cb, autojunk=False).get_opcodes()
    for run in _spans(ops, lambda op: oa[op[2]] - oa[op[1]]):
        sa, sb = a[oa[run[0][1]]:oa[run[-1][2]]], b[ob[run[0][3]]:ob[run[-1][4]]]
        if sa and sb:
            yield from _split_run(sa, sb)
        elif sa or sb:
            yield "ins", sa, sb


def compare(body_a: str, body_b: str, title_a: str = "", title_b: str = "",
            same_site: bool = False, explain: bool = True) -> Comparison:
    """Whether two texts MinHash already found near each other are one story.

    Across sites: yes unless a distinguishing token differs (an interior substitution, document
    identifiers that disagree, headline figures that all differ). On one site: only a re-post (no
    interior difference at all) is one story; a near-duplicate with any change inside is another
    document or an update published under its own URL, and both stay visible. Without
    ``explain`` (the clustering's case) it stops at the first reason to keep them apart."""
    a, b = normalise(body_a)[:MAX_ALIGN], normalise(body_b)[:MAX_ALIGN]
    differing: list[tuple[str, str]] = []
    ids_a = id_tokens(normalise(title_a) + "\n" + a)
    ids_b = id_tokens(normalise(title_b) + "\n" + b)
    if ids_a - ids_b and ids_b - ids_a:  # each cites one the other lacks (a dropped paragraph may cite one)
        differing.append((" ".join(sorted(ids_a - ids_b)) or "-", " ".join(sorted(ids_b - ids_a)) or "-"))
    ta, tb = set(numbers(normalise(title_a))), set(numbers(normalise(title_b)))
    if ta and tb and not ta & tb:  # headlines get rewritten, but keep their figures
        differing.append((" ".join(sorted(ta)), " ".join(sorted(tb))))
    changed_inside: list[tuple[str, str]] = []
    if explain or not differing:
        for kind, x, y in differences(a, b):
            if kind == "sub" and _distinguishing(x, y):
                differing.append((x, y))
            elif same_site and PUNCT_RE.sub("", x + y):
                changed_inside.append((x, y))
            if not explain and (differing or changed_inside):
                break
    shared = sorted((ids_a & ids_b) | (set(numbers(a)) & set(numbers(b)))) if explain else []
    if differing:
        return Comparison(False, f"{len(differing)} differing distinguishing token(s): not the same "
                                 "document, whatever the shared template", shared, differing)
    if same_site and changed_inside:
        return Comparison(False, "same site, changed inside the text: another document (or an update "
                                 "under its own URL), kept apart", shared, changed_inside)
    if same_site:
        return Comparison(True, "same site, same text but for the edges: a re-post", shared)
    return Comparison(True, "across sites, no distinguishing token differs (edges: prefixes, chrome, "
                            "a dropped paragraph)", shared)
