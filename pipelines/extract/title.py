"""The headline, and the lines printed around it: the kicker (引题) above and the 副题 below.

The headline is a candidate (a site XPath, a visible heading, ArticleTitle/og:title) that the
<title> agrees with; visible headings win over meta tags, so the stored characters are the ones a
reader sees (quotes and full-width punctuation included). Agreement is judged on folded text (NFKC,
one quote style), so “…” against "…" or ，against , is no disagreement. Without agreement the
<title> is cut at its separators (_ | — - ::), a bare hyphen included (…-36氪).
"""
from __future__ import annotations

import re
import unicodedata

from lxml.html import HtmlElement

from pipelines.extract.dom import block_lines, norm, text_of
from pipelines.extract.prune import tokens
from pipelines.extract.words import (BOILER_LINE_RE, CHROME_LINE_RE, KICKER_TOKENS, META_LINE_RE,
                                     SPLIT_TITLE_RE, SUBTITLE_TOKENS, simplified)

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "「": '"', "」": '"',
                         "『": '"', "』": '"', "〝": '"', "〞": '"', "'": '"', "—": "-", "–": "-",
                         "－": "-", "·": ".", "・": "."})
HEADINGS = ("h1", "h2", "h3")
LABEL_PREFIX_RE = re.compile(r"^\s*[【\[][^】\]]{1,10}[】\]]\s*")


def fold(s: str) -> str:
    """Text for comparing headlines: no whitespace, NFKC (full-width → half-width), one quote style."""
    return norm(unicodedata.normalize("NFKC", s or "").translate(_QUOTES))


def title_tag(tree: HtmlElement) -> str:
    t = tree.find(".//title")
    return " ".join((t.text_content() if t is not None else "").split())


def choose_title(tree: HtmlElement, meta: dict, title_xpaths: list[str] | None = None) -> str:
    """The headline: a visible heading or meta title that the <title> agrees with, else the <title>
    with its site suffix cut off."""
    for xp in title_xpaths or []:
        for el in tree.xpath(xp):
            t = el if isinstance(el, str) else text_of(el)
            if t.strip():
                return " ".join(t.split())
    page_title = title_tag(tree)
    metas = [(key, " ".join(meta[key].split())) for key in
             ("articletitle", "og:title", "twitter:title", "headline", "title") if meta.get(key)]
    headings = [(tag, t) for tag in HEADINGS for el in tree.iter(tag)
                for t in [text_of(el)] if 4 <= len(t) <= 80]
    # a column label opening the heading (【记者即时播报】…) is not part of the headline
    headings += [(tag, rest) for tag, t in headings for rest in [LABEL_PREFIX_RE.sub("", t)] if rest != t]
    # split <title> at its separators: the headline is usually the first (or longest) part
    parts = [p for p in SPLIT_TITLE_RE.split(page_title) if p.strip()]
    ft = fold(page_title)
    suffixes = {fold(p) for p in parts[1:]}  # column and site names after the headline
    first_len = len(fold(parts[0] if parts else page_title))

    def agrees(cand: str) -> bool:
        fc = fold(cand)
        if len(fc) < 4 or (fc == ft and len(parts) > 1):
            return False  # the whole <title> again, site suffix included: no evidence
        return bool(ft) and (ft.startswith(fc) or (fc in ft and fc not in suffixes)) and \
            len(fc) >= 0.3 * first_len

    agreeing = [(HEADINGS.index(tag), -len(fold(t)), t) for tag, t in headings if agrees(t)]
    if agreeing:
        return min(agreeing)[2]  # h1 before h2; the fuller heading (主标题——副标题) before a cut one
    for _, cand in metas:
        if agrees(cand):
            return _visible(cand, headings)
    for source, cand in metas:  # gov guideline meta is reliable even without agreement
        if source == "articletitle":
            return _visible(cand, headings)
    if parts:
        first = parts[0].strip()
        # a part that is a list of keywords (a,b,c,d) is never the headline
        longest = max((p for p in parts if len(re.findall(r"[,，]", p)) < 2), key=len, default=first).strip()
        head = first if len(first) >= 0.5 * len(longest) else longest
        if len(norm(head)) >= 4:
            return _visible(head, headings)
    for source, cand in [*headings[:1], *metas]:
        if source in ("h1", "og:title"):
            return cand
    return page_title


def is_site_name(tree: HtmlElement, meta: dict, title: str) -> bool:
    """The headline we chose is only the site's name: the <title> of table-layout portals that
    print the headline in a plain cell. Evidence: the page's site-name meta, or the name printed
    again in the page's last lines (the copyright footer), or a name shape (…网, …台, …新闻网)."""
    ft = fold(title)
    if not ft or len(ft) > 20:
        return False
    if any(fold(meta.get(k, "")) == ft for k in ("og:site_name", "sitename", "application-name")):
        return True
    if re.search(r"(?:网|網|台|报|報|在线|在線|频道|頻道|首页|首頁|门户|門戶|新闻中心|新聞中心)$", simplified(title)):
        return True
    if len(ft) > 12:
        return False  # longer than a site's name: read no further
    root = tree.find(".//body")
    end = " ".join((root if root is not None else tree).itertext())[-3000:]
    return any(ft in fold(end[max(0, m.start() - 80): m.end() + 80])
               for m in re.finditer(r"版权|版權|Copyright|©|ICP|All Rights", end, re.I))


def headline_above(tree: HtmlElement, body_lines: list[str], current: str = "") -> str:
    """The last headline-like line printed above the story's first line, or '' (also when
    ``current`` is printed there: then it is the headline after all). The story's start is where
    the page prints one of the body's first three lines."""
    anchors = {fold(text_of(a)) for a in tree.iter("a")}
    if len(body_lines) > 1 and _headline_like(body_lines[0]) and fold(body_lines[0]) not in anchors:
        return body_lines[0]  # the story block opens with the headline
    root = tree.find(".//body")
    lines = block_lines(root if root is not None else tree)
    folded = [fold(line) for line in lines]
    found = [i for b in body_lines[:3] for fb in [fold(b)[:16]] if len(fb) >= 6
             for i in [next((k for k, f in enumerate(folded) if f.startswith(fb)), -1)] if i >= 0]
    at = min(found, default=-1)
    above = lines[max(0, at - 8): max(0, at)]
    if fold(current) and any(fold(current) == fold(line) for line in above):
        return ""
    for line in reversed(above):
        text = _headline_like(line)
        if text and not all(fold(t) in anchors for t in text.split()):  # not a row of links
            return text
    return ""


def _headline_like(text: str) -> str:
    folded = simplified(text)
    n = len(norm(text))
    if not 6 <= n <= 60 or text.endswith(("。", "：", ":")) or re.search(r"\d{4}\s*[-/.年]\s*\d{1,2}", text):
        return ""
    if re.search(r"[>»›]|https?:|www\.|位置|[:：]\S{0,12}$", folded) or re.fullmatch(r"\s*[【\[(（].*[】\])）]\s*", text):
        return ""  # breadcrumbs, addresses, labelled values, a bracketed credit
    if META_LINE_RE.match(folded) or BOILER_LINE_RE.search(folded) or CHROME_LINE_RE.search(folded):
        return ""
    return text


def _visible(cand: str, headings: list[tuple[str, str]]) -> str:
    """The visible heading's characters when one folds to the same text as ``cand``."""
    fc = fold(cand)
    return next((t for _, t in headings if fold(t) == fc), cand)


def _plain_line(el) -> str:
    """A short, link-free line of text that is not a date, label or chrome line; else ''."""
    if el is None or not isinstance(el.tag, str) or el.tag in ("a", "img", "br", "script", "style"):
        return ""
    if any(text_of(a) for a in el.iter("a")):
        return ""
    text = text_of(el)
    folded = simplified(text)
    n = len(norm(text))
    if not 2 <= n <= 50 or text.endswith(("。", "！", "？")) or re.search(r"\d{4}\s*[-/.年]\s*\d{1,2}", text):
        return ""
    if META_LINE_RE.match(folded) or BOILER_LINE_RE.search(folded) or CHROME_LINE_RE.search(folded):
        return ""
    return text


def _sibling(el, step: str):
    """The nearest element sibling before/after ``el`` that holds any text."""
    sib = getattr(el, step)()
    while sib is not None and (not isinstance(sib.tag, str) or not text_of(sib)):
        sib = getattr(sib, step)()
    return sib


def _reads_as(el: HtmlElement, folded: str) -> bool:
    """fold(text of el) == folded, without folding a long text: NFKC never shrinks text to a third
    (the headline's wrapper may be the whole <body>, whose folding would cost a millisecond)."""
    text = norm(text_of(el))
    return len(text) <= 3 * len(folded) + 8 and fold(text) == folded


def headline_lines(tree: HtmlElement, title: str) -> tuple[str, str]:
    """(kicker, subtitle) printed around the headline element, '' when there is none.

    Evidence, any of: the element's class/id says so (yinti, kicker, subtitle, fubiaoti …); it is
    itself a heading (<h2> over an <h1>); a 副题 opens with a dash (——…). Body lines that repeat
    them are dropped by the caller, which also accepts a short line printed just above the
    headline in the body text."""
    ft = fold(title)
    if not ft:
        return "", ""
    head = next((el for el in tree.iter(*HEADINGS) if _reads_as(el, ft)), None)
    if head is None:  # a headline in a named block: <div class="title">, <td class="biaoti">
        named = tree.xpath("//*[contains(@class,'tit') or contains(@id,'tit') or contains(@class,'Tit') "
                           "or contains(@class,'biaoti') or contains(@class,'headline')]")
        head = next((el for el in named if _reads_as(el, ft)), None)
    if head is None:
        return "", ""
    while head.getparent() is not None and _reads_as(head.getparent(), ft):
        head = head.getparent()  # <div class="title"><h1>…</h1></div>: siblings are the wrapper's
    kicker = subtitle = ""
    before, after = _sibling(head, "getprevious"), _sibling(head, "getnext")
    text = _plain_line(before)
    if text and (KICKER_TOKENS & set(tokens(before)) or before.tag in ("h2", "h3", "h4", "h5", "h6")
                 or (head.tag == "h1" and before.tag in ("h1", "h2", "h3"))):
        kicker = text
    text = _plain_line(after)
    if text and (SUBTITLE_TOKENS & set(tokens(after)) or re.match(r"^\s*[—-]{1,2}", text)
                 or (head.tag == "h1" and after.tag in ("h2", "h3") and len(text) <= 30
                     and not re.search(r"[，,。；;！？]", text))):  # a bare <h2> may be a standfirst
        subtitle = text
    return (kicker if kicker_like(kicker) else ""), subtitle


def kicker_like(line: str) -> bool:
    """A phrase, not a channel name or a breadcrumb (新闻, 生活> 正文, 速报>>, 原创)."""
    n = len(norm(line))
    return 4 <= n <= 40 and not re.search(r"[>»›》]|首页|正文|位置|原创", simplified(line))
