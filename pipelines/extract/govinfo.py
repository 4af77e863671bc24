"""Government open-information pages (信息公开): the metadata table and the attachments list.

Such a page prints a table of 索引号 / 主题分类 / 发文机关 / 成文日期 / 文号 … above the document.
It is metadata, not text: the innermost block holding three or more of these labels is read into
fields (doc_number for 文号, issuer for 发文机关/发布机构) and removed before the body is extracted.
An attachments list (附件：<a>…</a> <a>…</a>) becomes one short line, "附件：a；b", so the body
keeps what was attached without a list of link texts.
"""
from __future__ import annotations

import re

import lxml.html
from lxml.html import HtmlElement

from pipelines.extract.dom import block_lines, norm, remove, text_of
from pipelines.extract.words import ATTACHMENT_LABEL_RE, GOV_INFO_LABELS

LABEL_RE = re.compile(r"(?:" + "|".join(sorted(GOV_INFO_LABELS, key=len, reverse=True)) + r")")
FIELD_LABELS = {"doc_number": ("发文字号", "文号", "文件编号"),
                "issuer": ("发文机关", "发布机构", "发文单位", "发布单位")}
MAX_TABLE_CHARS = 1200
BLOCKS = {"table", "tbody", "dl", "ul", "div", "section"}
PRIMARY_LABELS = ("索引号", "发文机关", "发布机构", "发文字号", "主题分类", "成文日期")  # one is always there


def document_text(tree: HtmlElement, page_text: str) -> str:
    """The document's text, in document order, with ``page_text`` (bylines.page_text: the first
    <body>'s text) standing in for that body's walk: only the head and what lies outside the body
    are walked. Whitespace aside, it holds every text the document holds, also on a page whose
    first <body> is a stub inside <head> (a <noscript><body>), where the whole document is walked."""
    body = tree.find(".//body")
    parts = [tree.text or ""]
    for child in tree:
        if isinstance(child.tag, str):
            parts.append(page_text if child is body else "".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts)


def document_hint(tree: HtmlElement, page_text: str) -> str:
    """document_text without whitespace: what info_table and fold_attachments look for labels in
    before they walk the tree. Taken once per page (extract) and handed to both; a table removed
    from the tree meanwhile leaves it a superset, which a prefilter may be."""
    return norm(document_text(tree, page_text))


def info_table(tree: HtmlElement, hint: str | None = None) -> HtmlElement | None:
    """The innermost block (table, list, div) holding three or more 信息公开 labels, or None.

    Labels are found in the text nodes and credited to their ancestors in one pass, so a page
    without them costs one walk and no element's text is measured twice. ``hint``: document_hint,
    when the caller has it: most pages are turned away on it without a walk; the others take the
    exact test on the whole document's text."""
    if hint is not None:  # no narrower than the exact test below
        if not any(label in hint for label in PRIMARY_LABELS) or len(set(LABEL_RE.findall(hint))) < 3:
            return None  # most pages: substring checks over the text, no element visited
    text = "".join(tree.itertext()).replace(" ", "").replace("\u3000", "")
    if not any(label in text for label in PRIMARY_LABELS) or len(set(LABEL_RE.findall(norm(text)))) < 3:
        return None
    found: dict = {}
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        for text, owner in ((node.text, node), (node.tail, node.getparent())):
            if owner is None or not text:
                continue
            labels = LABEL_RE.findall(norm(text))
            for anc in [owner, *owner.iterancestors()] if labels else ():
                found.setdefault(anc, set()).update(labels)
    blocks = [el for el, labels in found.items() if len(labels) >= 3 and el.tag in BLOCKS]
    sized = [(len(text_of(el)), el) for el in blocks]
    return min((pair for pair in sized if pair[0] <= MAX_TABLE_CHARS), key=lambda p: p[0],
               default=(0, None))[1]


def read_pairs(el: HtmlElement) -> dict[str, str]:
    """label → value of a metadata block: cells "label：value", or a label cell then its value."""
    pairs: dict[str, str] = {}
    lines = [norm(line) for line in block_lines(el)]
    for i, line in enumerate(lines):
        hits = list(LABEL_RE.finditer(line))
        for k, m in enumerate(hits):
            end = hits[k + 1].start() if k + 1 < len(hits) else len(line)
            value = line[m.end():end].lstrip(":：").strip()
            if not value and k + 1 == len(hits) and i + 1 < len(lines) and \
                    not LABEL_RE.match(lines[i + 1]):
                value = lines[i + 1]  # the value sits in the next cell
            pairs.setdefault(m.group(0), value)
    return pairs


def take_info_table(tree: HtmlElement, fields: dict, hint: str | None = None) -> None:
    """Move the 信息公开 table's 文号 and 发文机关 into ``fields`` and remove it from ``tree``."""
    el = info_table(tree, hint)
    if el is None:
        return
    pairs = read_pairs(el)
    for key, labels in FIELD_LABELS.items():
        value = next((pairs[label] for label in labels if pairs.get(label)), "")
        if value and value not in ("无", "-", "/") and not fields.get(key):
            fields[key] = value
    remove(el)


def _plain_chars(el) -> int:
    """Characters of non-link text in an element."""
    return len(norm(text_of(el))) - sum(len(norm(text_of(a))) for a in el.iter("a"))


def _link_only(el) -> bool:
    """An element whose text is (almost) all link text."""
    links = sum(len(norm(text_of(a))) for a in el.iter("a"))
    return links > 0 and links >= 0.8 * len(norm(text_of(el)))


def fold_attachments(tree: HtmlElement, hint: str | None = None) -> None:
    """Replace each 附件：<links> block by one line "附件：name；name" (in place). ``hint``:
    document_hint, when the caller has it; a page that never prints 附件 is not walked."""
    if hint is not None and "附件" not in hint:
        return
    for el in list(tree.iter("div", "p", "ul", "dl", "span", "td", "strong", "b", "h4", "h5")):
        if el.getparent() is None or not ATTACHMENT_LABEL_RE.match(el.text or ""):
            continue
        block, label_len = el, len(norm(text_of(el)))
        while not any(text_of(a) for a in block.iter("a")) and block.getparent() is not None \
                and block.getparent().tag != "body" and _plain_chars(block.getparent()) <= label_len + 10:
            block = block.getparent()  # <div class="fujian"><span>附件：</span><a>…</a></div>
        group = [block]
        if not any(text_of(a) for a in block.iter("a")):
            block = el  # 附件： alone, the links in the blocks after it
            nxt = el.getnext()
            while nxt is not None and isinstance(nxt.tag, str) and _link_only(nxt):
                group.append(nxt)
                nxt = nxt.getnext()
            group[0] = el
        names = [t for g in group for a in g.iter("a") for t in [text_of(a)] if t]
        if not names:
            continue
        rest = norm("".join(text_of(g) for g in group))
        for name in names:
            rest = rest.replace(norm(name), "", 1)
        if len(re.sub(r"[\d\W_]|附件|下载|相关", "", rest)) > 4:
            continue  # text besides the names: a paragraph that mentions 附件, not a list
        line = lxml.html.Element("p")
        line.text = "附件：" + "；".join(ATTACHMENT_LABEL_RE.sub("", n) or n for n in names)
        line.tail = group[-1].tail
        group[0].addprevious(line)
        for g in group:
            g.getparent().remove(g)
