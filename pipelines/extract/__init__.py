"""Stage 2, str → fields: title, body, author, source (来源), editor (责任编辑), and the lines a
reader sees around a story but not in it: kicker (引题), subtitle (副题), original_title (原标题),
and on government open-information pages doc_number (文号) and issuer (发文机关).

trafilatura does the main-content search, but on Chinese portals it keeps the 推荐 / 热门推荐 /
相关新闻 headline lists, share bars, notices and 责任编辑 lines. So we (1) parse once (dom.py),
(2) choose the headline and the lines around it (title.py), (3) read the 信息公开 table and fold
attachments lists (govinfo.py), (4) prune the tree by structure and class/id vocabulary
(prune.py), (5) hand the pruned tree to trafilatura, with a text-density second opinion
(body.py), (6) clean its lines, moving labelled lines into fields (lines.py, bylines.py). Every
phrase list is in words.py. The rules are general: per-site XPaths from the registry only add.
"""
from __future__ import annotations

import re
from copy import deepcopy

import lxml.html

from pipelines import StagePipeline
from pipelines.extract.body import density_body, link_share_of_text, trafilatura_body
from pipelines.extract.bylines import clean_author, find_author, harvest_fields, header_text, page_text
from pipelines.extract.dom import (block_lines, br_to_paragraphs, drop_plain_head, measure, norm,
                                   parse_html, read_meta, text_of, unwrap_layout_tables)
from pipelines.extract.govinfo import document_hint, fold_attachments, take_info_table
from pipelines.extract.lines import clean_lines, drop_template_lines, take_original_title
from pipelines.extract.prune import prune
from pipelines.extract.title import (choose_title, fold, headline_above, headline_lines, is_site_name,
                                     kicker_like)
from pipelines.extract.words import ORIGINAL_TITLE_RE, simplified

__all__ = ["extract", "apply_extract", "ExtractPipeline", "parse_html", "text_of", "read_meta",
           "choose_title", "prune", "clean_lines", "harvest_fields", "clean_author", "block_lines",
           "measure", "ARTICLE_KEYS"]

# what the stage puts on page["article"], in this order
ARTICLE_KEYS = ("title", "body", "author", "source", "editor", "kicker", "subtitle",
                "original_title", "doc_number", "issuer")
KICKER_MAX = 40  # a line above the headline longer than this is story, not a kicker


def _drop_headline_lines(body: str, title: str, kicker: str, subtitle: str) -> tuple[str, str, str]:
    """Never start a body with the headline: drop the opening lines that repeat the headline, the
    kicker or the subtitle. A short line just above a repeated headline is the kicker; a dash-led
    line just below it is the subtitle. Returns (body, kicker, subtitle)."""
    lines = body.splitlines()
    ft = fold(title)
    known = {fold(kicker), fold(subtitle)} - {""}
    k = next((i for i, line in enumerate(lines[:3]) if fold(line) == ft), -1) if ft else -1
    if k == 1 and len(norm(lines[0])) <= KICKER_MAX and \
            not lines[0].rstrip().endswith(("。", "！", "？", "”")):
        known.add(fold(lines[0]))  # above the headline: never story; a kicker when it reads as one
        kicker = kicker or (lines[0] if kicker_like(lines[0]) else "")
    if 0 <= k < 2 and k + 1 < len(lines) and not subtitle and \
            lines[k + 1].lstrip().startswith(("——", "—", "--")) and len(norm(lines[k + 1])) <= 60:
        subtitle = lines[k + 1]
        known.add(fold(subtitle))
    start = 0
    while start < min(len(lines), 4) and (fold(lines[start]) == ft or fold(lines[start]) in known):
        start += 1
    # trafilatura may move a title-box line below the story: a kicker or subtitle line is never story
    rest = [line for line in lines[start:] if not known or fold(line) not in known]
    return "\n".join(rest), kicker, subtitle


SENTENCE_RE = re.compile(r"[^。！？!?]{30,}[。！？!?]")
SENTENCE_END_RE = re.compile(r"[。！？!?]")


def has_sentence(text: str) -> bool:
    """SENTENCE_RE.search(text), in linear time: some run of 30 characters or more ends in a
    sentence mark. (The regex retries its run from every start: quadratic on a long text
    without marks, a third of a millisecond on a page's header.)"""
    return any(len(run) >= 30 for run in SENTENCE_END_RE.split(text)[:-1])
CODE_RE = re.compile(r"[{};<>]|function\s*\w*\(|\bvar\s|document\.")


def _lost_opening(tree: lxml.html.HtmlElement, title: str, body: str, header: str,
                  anchors: set[str]) -> str:
    """Story paragraphs printed between the headline and where the body starts in the pruned
    tree ``work``, which the main-content search left out (the opening sits in a block of its own). Only whole sentences
    of 40 characters or more qualify, and they go through the same line cleaning; the page's
    lines are read only when the gap holds such a sentence."""
    if not body or not has_sentence(header):
        return ""
    root = tree.find(".//body")
    lines = block_lines(root if root is not None else tree)
    ft, fb = fold(title), fold(body.splitlines()[0])[:16]
    start = next((i for i, line in enumerate(lines) if fold(line) == ft), -1)
    end = next((i for i, line in enumerate(lines) if i > start and fold(line).startswith(fb)), -1)
    if start < 0 or end < 0:
        return ""
    gap = [line for line in lines[start + 1:end]
           if len(norm(line)) >= 40 and has_sentence(line) and norm(line) not in anchors
           and not CODE_RE.search(line)]
    return clean_lines("\n".join(gap), {}, anchors) if gap else ""


def extract(html: str | lxml.html.HtmlElement, url: str = "", rules: dict | None = None) -> dict:
    """Return the ARTICLE_KEYS fields, "method", and "page_text" (the page's text, bylines.page_text,
    which the dates stage reads too) for one page.

    ``html`` may be a string or an already parsed tree (it is not modified)."""
    rules = rules or {}
    tree = parse_html(html) if isinstance(html, str) else html
    meta = read_meta(tree)
    title = choose_title(tree, meta, rules.get("title_xpaths"))
    kicker, subtitle = headline_lines(tree, title)

    fields: dict[str, str] = {}
    full = page_text(tree)  # the page's text, read once: the 信息公开 test, the bylines, the dates
    work = deepcopy(tree)
    hint = document_hint(work, full)  # the 信息公开 and 附件 label tests' text, taken once
    take_info_table(work, fields, hint)
    fold_attachments(work, hint)
    prune(work, rules.get("prune_xpaths"))
    br_to_paragraphs(work)
    unwrap_layout_tables(work)
    drop_plain_head(work)
    body = trafilatura_body(work, url)
    method = "trafilatura"
    plain_len = len(norm(body))
    anchors = {a for a in ("".join("".join(el.itertext()).split()) for el in tree.iter("a")) if len(a) >= 4}
    if plain_len < 60 or link_share_of_text(tree, body, anchors) > 0.5:
        alt = density_body(work)
        if len(norm(alt)) > max(plain_len * 1.2, 20):
            body, method = alt, "density"

    body = clean_lines(body, fields, anchors)
    template = rules.get("template_lines")  # the site's chrome, when known: above and below the headline
    body = drop_template_lines(body, template)
    if body and not rules.get("title_xpaths") and is_site_name(tree, meta, title):
        title = headline_above(tree, body.splitlines(), title) or title
    body, kicker, subtitle = _drop_headline_lines(body, title, kicker, subtitle)
    body = drop_template_lines(body, template)

    header, tail, after = header_text(full, title, body)
    opening = _lost_opening(work, title, body, header, anchors)
    if opening:  # a copy further down is the same paragraph out of place
        moved = {norm(line) for line in opening.splitlines()}
        body = "\n".join([opening, *(line for line in body.splitlines() if norm(line) not in moved)])
        header, tail, after = header_text(full, title, body)
    find_author(header, tail, body, fields)
    harvest_fields(after, fields)  # 责任编辑 in a pruned footer block, say
    if not fields.get("original_title"):
        for region in (header, tail):
            folded = simplified(region)
            if ORIGINAL_TITLE_RE.search(folded):
                take_original_title(region, folded, fields)
                break
    source = fields.get("source") or meta.get("contentsource") or meta.get("source") or ""
    author = clean_author(fields.get("author") or meta.get("author") or meta.get("article:author") or "")
    if re.search(r"https?://|www\.", author) or (author.isascii() and author.lower() in url.lower()):
        author = ""  # an address, or the site's own name from its host (a meta author of "chinanews")
    return {
        "title": title, "body": body, "author": author.strip(), "source": source.strip(),
        "editor": fields.get("editor", ""), "kicker": kicker, "subtitle": subtitle,
        "original_title": fields.get("original_title", ""),
        "doc_number": fields.get("doc_number", ""), "issuer": fields.get("issuer", ""),
        "method": method, "page_text": full,
    }


def apply_extract(page: dict, rules: dict | None = None) -> None:
    """Fill page["article"] (ARTICLE_KEYS); keep the parse and the page's text for the dates stage.
    A parse already on the page (``_tree``, made by the crawl's page verdict from the same text)
    is used, not made again."""
    tree = page.get("_tree")
    if tree is None:
        tree = parse_html(page["html"])
    out = extract(tree, page.get("final_url") or page.get("url") or "", rules)
    page["article"] = {k: out[k] for k in ARTICLE_KEYS}
    page["_tree"], page["_text"] = tree, out["page_text"]


class ExtractPipeline(StagePipeline):
    stage = "extract"

    def apply(self, page: dict, rules: dict) -> None:
        apply_extract(page, rules)
