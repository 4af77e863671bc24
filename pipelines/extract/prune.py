"""Pruning: remove boilerplate blocks from the tree before the main-content search.

Structure first: link-dense lists of short headlines go whatever they are called; named blocks go
by their class/id vocabulary (English and pinyin, in words.py); nav/footer/aside elements go when
they hold little plain text. A block holding most of the page's plain text is never removed.
"""
from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

from pipelines.extract.dom import measure, norm, remove, text_of
from pipelines.extract.words import BOILER_PINYIN, BOILER_TOKENS, CONTENT_TOKENS

PRUNED_TAGS = ("div", "ul", "ol", "section", "aside", "nav", "footer", "header", "table", "span", "p",
               "dl", "td", "li")
DROP_TAGS = ("script", "style", "noscript", "iframe", "button", "select", "input",
             "textarea", "svg", "canvas", "object", "embed", "template")


CAMEL_RE = re.compile(r"([a-z])([A-Z])")
NON_WORD_RE = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=8192)
def _words(raw: str) -> tuple[str, ...]:
    return tuple(t for t in NON_WORD_RE.split(CAMEL_RE.sub(r"\1 \2", raw).lower()) if t)


def tokens(el: HtmlElement) -> list[str]:
    """The class and id words of an element, camelCase split, lower-cased (a site repeats the
    same few class names on every page, hence the cache)."""
    return list(_words(f"{el.get('class') or ''} {el.get('id') or ''}"))


def _is_boiler_by_name(el) -> bool:
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    return False if raw == " " else _boiler_words(raw)


@lru_cache(maxsize=8192)
def _boiler_words(raw: str) -> bool:
    toks = _words(raw)
    if not toks:
        return False
    if any(t in CONTENT_TOKENS for t in toks):
        return False
    if any(t in BOILER_TOKENS for t in toks):
        return True
    joined = "".join(toks)
    return any(p in joined for p in BOILER_PINYIN)


def _is_headline_list(el, stats: dict) -> bool:
    """A block that is mostly links whose texts look like short headlines: 推荐/相关 lists."""
    total, link_len, n = stats[el]
    if n < 3 or total == 0:
        return False
    if link_len / total < 0.6:
        return False
    # real paragraphs inside? (a story with many inline links still has long non-link runs)
    for p in el.iter("p"):
        pt, pl, _ = stats.get(p, (0, 0, 0))
        if pt - pl > 60:
            return False
    return True


def prune(tree: HtmlElement, extra_xpaths: list[str] | None = None) -> None:
    """Remove boilerplate in place: scripts/forms, site XPaths, named blocks, headline lists."""
    for el in list(tree.iter(*DROP_TAGS)):
        remove(el)
    for el in list(tree.iter("form")):  # search and login boxes; ASP.NET wraps whole pages in one
        if len(norm(text_of(el))) < 200:
            remove(el)
    for el in list(tree.iter(etree.Comment)):
        remove(el)
    for xp in extra_xpaths or []:
        for el in tree.xpath(xp):
            if hasattr(el, "getparent"):
                remove(el)
    body = tree.find(".//body")
    root = body if body is not None else tree
    stats = measure(root)  # exact for each element when visited: only later ones are removed
    page_plain = max(1, stats[root][0] - stats[root][1])
    removed: set = set()
    for el in list(root.iter(*PRUNED_TAGS)):
        # inside a removed block? Blocks come in document order, so the nearest block ancestor
        # has been decided already (a removed block's blocks are marked removed in turn)
        up = el.getparent()
        while up is not None and up is not root and up.tag not in PRUNED_TAGS:
            up = up.getparent()
        if up is None or up in removed:
            removed.add(el)
            continue
        tag = el.tag
        if tag in ("nav", "footer", "aside") and (stats[el][0] - stats[el][1]) < 200:
            remove(el)
            removed.add(el)
            continue
        plain = stats[el][0] - stats[el][1]
        if plain / page_plain > 0.5 or (plain >= 200 and plain / page_plain > 0.4):
            continue  # most of the page's non-link text: the story, or a misnested one (unclosed nav)
        if (_is_boiler_by_name(el) and tag != "p") or \
                (tag in ("ul", "ol", "div", "table", "dl", "section") and _is_headline_list(el, stats)):
            remove(el)
            removed.add(el)

