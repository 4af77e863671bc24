"""The main-content search: trafilatura on the pruned tree, a text-density second opinion.

trafilatura finds the story on most pages; on table layouts and <br>-separated text in one cell
it returns little or a page of headlines, and the density scorer below reads those instead.
"""
from __future__ import annotations

import re
from copy import copy
from functools import lru_cache

from lxml.html import HtmlElement

from pipelines.extract.dom import BLOCK_TAGS, block_lines, link_stats, measure, norm, text_of


@lru_cache(maxsize=1)
def _options():
    """trafilatura's options for our call, built once: tables kept, comments, images and links
    left out, fast (our density scorer is the second opinion). Building them reads its config file
    settings anew on every call, a few per cent of the call."""
    from trafilatura.settings import Extractor

    return Extractor(output_format="txt", fast=True, precision=False, recall=False, comments=False,
                     links=False, images=False, tables=True, dedup=False, with_metadata=False)


def trafilatura_body(tree: HtmlElement, url: str) -> str:
    """trafilatura's text of the (pruned) tree."""
    import trafilatura

    options = copy(_options())  # trafilatura copies its options too before changing one
    options.url = options.source = url or None
    return trafilatura.extract(tree, options=options) or ""


def density_body(tree: HtmlElement) -> str:
    """Second opinion, readability-style: score text blocks, credit their parent and grandparent.

    A block's score is its non-link text length plus a bonus per sentence mark; the container
    with the highest credited score, discounted by its link density, holds the story. This works
    where trafilatura's tree walk does not (table layouts, <br>-separated text in one cell)."""
    scores: dict = {}
    for el in tree.iter(*BLOCK_TAGS):
        own = (el.text or "") + "".join((c.tail or "") + (text_of(c) if isinstance(c.tag, str)
                                                         and c.tag in ("a", "span", "font", "b",
                                                                       "strong", "em", "i")
                                                         else "") for c in el)
        own_n = len(norm(own))
        if own_n < 20:
            continue
        score = own_n + 10 * len(re.findall(r"[，。！？；,.!?;]", own))
        parent = el.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + score
            grand = parent.getparent()
            if grand is not None:
                scores[grand] = scores.get(grand, 0) + score / 2
    best, best_score = None, 0.0
    stats = measure(tree)
    for el, score in scores.items():
        total, link_len, _ = link_stats(el, stats)
        if total == 0:
            continue
        score *= 1 - link_len / total
        if score > best_score:
            best, best_score = el, score
    if best is None:
        return ""
    return "\n".join(block_lines(best))


def link_share_of_text(tree: HtmlElement, body: str, anchors: set[str] | None = None) -> float:
    """Share of body characters that are link texts in the page: a body of headlines scores high."""
    if not body:
        return 0.0
    if anchors is None:
        anchors = {norm(text_of(a)) for a in tree.iter("a")}
    anchors = {a for a in anchors if len(a) >= 6}
    lines = [norm(line) for line in body.splitlines() if line.strip()]
    linked = sum(len(line) for line in lines if line in anchors)
    return linked / max(1, sum(len(line) for line in lines))
