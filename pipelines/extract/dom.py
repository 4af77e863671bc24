"""The parsed page: one tolerant parse, text helpers, and the tree rewrites every later step relies on.

Parsing happens once per page; the title, prune, body and byline steps all read this tree (or a
copy of it). The measures here are computed bottom-up in one pass because pruning asks them of
thousands of elements on big portal pages.
"""
from __future__ import annotations

import re

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from pipelines import StageError
REPEATED_OPEN_RE = re.compile(r"(<(?:div|span|font|table|td|tr|center|b)\b[^>]*>)(?:\s*<(?:div|span|font|table|td|tr|center|b)\b[^>]*>){63,}", re.I)
REPEATED_CLOSE_RE = re.compile(r"(</(?:div|span|font|table|td|tr|center|b)>)(?:\s*</(?:div|span|font|table|td|tr|center|b)>){63,}", re.I)
# huge_tree: lifts libxml2's limits on text node and attribute sizes. lxml.html's own element
# lookup is a Python call per element proxy (a tenth of the stages' time on portal pages); every
# element here is a plain HtmlElement, looked up in C (trafilatura and htmldate still see
# HtmlElement, and nothing here uses lxml.html's form or input classes).
_PARSER = lxml.html.HTMLParser(huge_tree=True, remove_comments=False)
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(element=HtmlElement))


def parse_html(html: str) -> lxml.html.HtmlElement:
    """Parse once; tolerant of XML declarations and broken markup. Raise StageError on no tree."""
    if not html or not html.strip():
        raise StageError("empty document")
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    # libxml2 drops content nested deeper than 256 levels. Only runs of dozens of consecutive
    # wrapper tags nest that deep, and such a run means nothing: collapse it before the one parse.
    if REPEATED_OPEN_RE.search(html):
        html = REPEATED_OPEN_RE.sub(r"\1", REPEATED_CLOSE_RE.sub(r"\1", html))
    try:
        tree = lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError) as e:
        raise StageError(f"unparseable HTML: {e}") from None
    if tree is None:
        raise StageError("unparseable HTML")
    return tree


def text_of(el: HtmlElement) -> str:
    """An element's text, whitespace runs collapsed to one space."""
    return " ".join("".join(el.itertext()).split())


def norm(s: str) -> str:
    """The text without any whitespace: how lines and headlines are compared. (str.split's
    whitespace is re's Unicode \\s; split and join is several times faster than re.sub.)"""
    return "".join(s.split()) if s else ""


def read_meta(tree: HtmlElement) -> dict[str, str]:
    """name/property/itemprop (lower-cased) → content of the page's <meta> tags; first wins."""
    out: dict[str, str] = {}
    for m in tree.iter("meta"):
        key = (m.get("name") or m.get("property") or m.get("itemprop") or m.get("http-equiv") or "")
        content = (m.get("content") or "").strip()
        if key and content:
            out.setdefault(key.strip().lower(), content)
    return out


def measure(root: HtmlElement) -> dict:
    """Per element: [text chars, link-text chars, links], whitespace excluded; one bottom-up pass.

    Pruning asks these questions of thousands of elements; measuring each subtree again would
    be quadratic on big portal pages. Each element, children first, adds its totals and its
    tail to its parent's (one parent look-up per element instead of a walk over its children);
    the loop is written flat because it runs over every node of every page."""
    stats: dict = {}
    get = stats.get
    for el in reversed(list(root.iter())):  # children before their parents
        own = get(el)
        if own is None:
            own = stats[el] = [0, 0, 0]
        if el.tag.__class__ is str:
            text = el.text
            if text and not text.isspace():
                own[0] += len("".join(text.split()))
            if own[0] < 150 and el.tag == "a":  # a "link" holding a whole story is content
                own[1] = own[0]
                own[2] += 1
        else:
            own[0] = own[1] = own[2] = 0  # a comment's or PI's text is not the page's
        if el is root:
            continue
        parent = el.getparent()
        if parent is None:
            continue
        up = get(parent)
        if up is None:
            up = stats[parent] = [0, 0, 0]
        tail = el.tail
        up[0] += own[0] + (len("".join(tail.split())) if tail and not tail.isspace() else 0)
        up[1] += own[1]
        up[2] += own[2]
    return stats


def link_stats(el: HtmlElement, stats: dict | None = None) -> tuple[int, int, int]:
    """(text length, link-text length, number of links) of an element."""
    if stats is not None and el in stats:
        return tuple(stats[el])
    return tuple(measure(el)[el])


def remove(el: HtmlElement) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


INLINE_TAGS = {"a", "span", "font", "b", "strong", "em", "i", "u", "img", "sup", "sub", "small",
               "big", "label", "abbr", "cite", "code", "q", "s", "strike", "var", "nobr"}


def br_to_paragraphs(tree: HtmlElement) -> None:
    """Old portals separate paragraphs with <br> inside one cell: make each run a <p>.

    Only elements whose children are all inline are rewritten, so real structure is left alone."""
    for el in list(tree.iter("td", "div", "font", "span", "center", "p")):
        children = list(el)
        if sum(1 for c in children if c.tag == "br") < 2:
            continue
        if any(not isinstance(c.tag, str) or (c.tag != "br" and c.tag not in INLINE_TAGS)
               for c in children):
            continue
        paras, current = [], lxml.html.Element("p")
        current.text = el.text
        for child in children:
            el.remove(child)
            if child.tag == "br":
                paras.append(current)
                current = lxml.html.Element("p")
                current.text = child.tail
            else:
                current.append(child)
        paras.append(current)
        el.text = None
        new_tag = "div" if el.tag in ("p", "span", "font") else None
        if new_tag:
            el.tag = new_tag
        for p in paras:
            if (p.text or "").strip() or len(p):
                el.append(p)


def unwrap_layout_tables(tree: HtmlElement) -> None:
    """Tables used for page layout become divs; trafilatura would flatten their cells into rows.

    A table is layout when a cell holds block content or a long run of text; data tables (short
    cells) stay tables."""
    for table in list(tree.iter("table")):
        rows = table.xpath("./tr | ./tbody/tr | ./thead/tr | ./tfoot/tr")
        cells = [c for r in rows for c in r.xpath("./td | ./th")]
        layout = any(c.xpath("./p | ./div | ./table | ./ul") or len(norm(text_of(c))) > 80
                     for c in cells)
        if not layout:
            continue
        for el in [table, *table.xpath("./tbody | ./thead | ./tfoot"), *rows, *cells]:
            el.tag = "div"


HEAD_TAGS = {"title", "meta", "link", "base", "style", "script", "noscript"}


def drop_plain_head(tree: HtmlElement) -> None:
    """Remove <head> when it holds only head elements: the title and meta are read before, and
    the main-content search then walks the body alone (trafilatura spends a fifth less time on a
    page without a head, for the same text). A head that swallowed the page (markup libxml2 reads
    as head content, a CMS's custom tags before <body>) is kept."""
    head = tree.find("head")
    if head is not None and all(not isinstance(c.tag, str) or c.tag in HEAD_TAGS for c in head):
        tree.remove(head)


BLOCK_TAGS = {"p", "div", "td", "li", "section", "article", "h2", "h3", "h4", "h5", "h6",
              "blockquote", "pre", "dd", "tr", "table", "center", "font"}


def block_lines(root: HtmlElement) -> list[str]:
    """The text of ``root`` as lines, a new line at each block element or <br>. Iterative, so a
    page nested ten thousand levels deep is no problem."""
    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = " ".join("".join(buf).split())
        if text:
            lines.append(text)
        buf.clear()

    for event, el in etree.iterwalk(root, events=("start", "end")):
        block = isinstance(el.tag, str) and (el.tag in BLOCK_TAGS or el.tag == "br")
        if event == "start":
            if block:
                flush()
            if isinstance(el.tag, str):
                buf.append(el.text or "")
        else:
            if block:
                flush()
            if el is not root:
                buf.append(el.tail or "")
    flush()
    return lines


