"""Every dated string a page offers, normalised and tagged with where it came from.

Sources: JSON-LD, meta tags, the site's date XPaths, labelled lines (发布时间：…) and label cells of
open-information tables, elements whose class or id says date/time, the first full date under the
headline, every full date in the text (low rank), the URL, and the list page / feed / sitemap.
A candidate carries ``labelled`` when a publication label printed on the page names it (the
government-CMS rule in choose.py relies on it) and ``kind`` (published/modified).
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree

from pipelines.dates.labels import rank as label_rank
from pipelines.dates.normalise import CLOCK_ALONE_RE, FULL_RE, _make, _sane, canonical, normalize_date
from pipelines.dates.numerals import arabise
from pipelines.dates.scan import date_elements, full_dates, label_cell_possible, label_cells, labelled_lines, \
    nfkc

PUBLISHED_META = ("article:published_time", "og:release_date", "og:article:published_time",
                  "pubdate", "publishdate", "publish_date", "publish-date", "publishtime",
                  "firstpublishedtime", "published_time", "datepublished", "dc.date.issued",
                  "dc.date", "dcterms.created", "date", "sailthru.date", "parsely-pub-date",
                  "weibo:article:create_at", "article:published", "release_date", "createdate",
                  "ptime", "releasedate")
MODIFIED_META = ("article:modified_time", "og:updated_time", "lastmodified", "last-modified",
                 "datemodified", "weibo:article:update_at", "dcterms.modified")
LABEL_TAIL_RE = re.compile(r"([\u4e00-\u9fff]{0,4}(?:时间|時間|日期))\s*[:：]?\s*$")
CN_YEAR_HINT_RE = re.compile(r"[〇○零一二三四五六七八九贰貳叁參肆伍陆陸柒捌玖][〇○零0一二三四五六七八九贰貳叁參肆伍陆陸柒捌玖]\s*年"
                             r"|[〇○零一二三四五六七八九贰貳叁參肆伍陆陸柒捌玖]\s*月")
DATELINE_RE = re.compile(r"(?:社|报|網|网|台|记者)[^\s，。,]{0,12}?(\d{1,2}\s*月\s*\d{1,2}\s*日)\s*(?:电|電|讯|訊)")
# a ROC year printed as such, in traditional characters (a mainland history page says 民国时期)
ROC_HINT_RE = re.compile(r"民國\s*[\d〇一二三四五六七八九十百]{2,6}\s*年")
URL_DATE_RES = (
    re.compile(r"/(\d{4})-(\d{2})[-/](\d{2})/"),              # /2022-05/09/ or /2022-05-09/
    re.compile(r"/(\d{4})(\d{2})/t(\d{4})(\d{2})(\d{2})_"),     # TRS /202205/t20220509_123
    re.compile(r"/(\d{4})/(\d{1,2})/(\d{1,2})/"),              # /2022/05/09/, /art/2022/5/9/
    re.compile(r"/(\d{4})/(\d{2})-(\d{2})/"),                  # /gn/2022/05-09/ (chinanews)
    re.compile(r"/(\d{4})(\d{2})/(\d{2})/"),                   # /202205/09/
    re.compile(r"/(\d{4})/(\d{2})(\d{2})/"),                   # /2022/0509/ (people.com.cn /n2/, /n1/)
    re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)"),          # /20220509/ or _20220509
)


def url_date(url: str, base: datetime) -> tuple[datetime, str] | None:
    for rx in URL_DATE_RES:
        for m in rx.finditer(url or ""):
            g = [int(x) for x in m.groups()]
            y, mo, d = (g[2], g[3], g[4]) if len(g) == 5 else (g[0], g[1], g[2])
            got = _make(y, mo, d)
            if got and _sane(got[0], base):
                return got
    return None


_LANG = etree.XPath("//html/@lang | //meta[@http-equiv='Content-Language']/@content")
_JSONLD = etree.XPath("//script[@type='application/ld+json']")


def _document_parts(tree) -> tuple[list[str], list, list]:
    """(languages, <meta> elements, JSON-LD <script> elements): one walk of the document for what
    roc_context, the meta tags and _jsonld_dates each walked it for. The languages are
    <html lang> and <meta http-equiv="Content-Language"> (what _LANG selects)."""
    root = tree.getroottree().getroot()
    langs: list[str] = []
    metas, scripts = [], []
    for el in root.iter("html", "meta", "script"):
        if el.tag == "meta":
            metas.append(el)
            if el.get("http-equiv") == "Content-Language" and el.get("content") is not None:
                langs.append(el.get("content"))
        elif el.tag == "script":
            if el.get("type") == "application/ld+json":
                scripts.append(el)
        elif el.get("lang") is not None:
            langs.append(el.get("lang"))
    if root is not tree:  # the meta tags are read under ``tree``, the other two in the document
        metas = list(tree.iter("meta"))
    return langs, metas, scripts


def roc_context(tree, url: str, text: str = "", langs: list[str] | None = None) -> bool:
    """A Taiwanese page: a .tw host, a zh-TW/zh-Hant language, or a 民國N年 in ``text`` (its body).
    ``langs``: the page's declared languages when the caller has read them (_document_parts)."""
    host = (urlsplit(url or "").hostname or "").lower()
    if host.endswith(".tw"):
        return True
    if tree is None:
        return False
    lang = " ".join(_LANG(tree) if langs is None else langs).lower()
    return "zh-tw" in lang or "hant" in lang or ("民國" in text and bool(ROC_HINT_RE.search(text[:20000])))


def _jsonld_dates(tree, scripts: list | None = None) -> list[tuple[str, str]]:
    out = []
    for script in _JSONLD(tree) if scripts is None else scripts:
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            obj = stack.pop()
            if isinstance(obj, list):
                stack.extend(obj)
            elif isinstance(obj, dict):
                for key, kind in (("datePublished", "published"), ("dateCreated", "published"),
                                  ("dateModified", "modified")):
                    if isinstance(obj.get(key), str):
                        out.append((obj[key], kind))
                stack.extend(v for v in obj.values() if isinstance(v, (dict, list)))
    return out


def _table_dates(body) -> list[tuple[str, str]]:
    """(label, value) from label cells of open-information tables: <td>发布日期</td><td>…</td>."""
    out = []
    for cell, label in label_cells(body):
        nxt = cell.getnext()
        if nxt is not None:
            out.append((label, " ".join(" ".join(nxt.itertext()).split())))
        elif cell.tail and cell.tail.strip():
            out.append((label, cell.tail.strip()))
    return out[:20]


def collect_candidates(tree, url: str, base: datetime, list_hint: dict | None = None,
                       date_xpaths: list[str] | None = None, title: str = "",
                       normalizer=None, text: str | None = None) -> list[dict]:
    """Every dated string on the page, normalised, tagged with source, kind and ``labelled``.

    ``normalizer`` (text, base) → (datetime, precision) defaults to normalize_date (with ROC years
    read on Taiwanese pages); evaluation swaps in dateparser to measure what our layer adds.
    ``text``: the body's text, spaces collapsed, when the caller has it (extract's page_text is
    that very string); computed here otherwise. Each distinct string is normalised once."""
    cands: list[dict] = []
    body, langs, metas, scripts = None, None, [], []
    if tree is not None:  # the first <body> in document order, as extract's page_text reads it
        body = tree.find(".//body")
        langs, metas, scripts = _document_parts(tree)
    if body is None:
        text = ""
    elif text is None:
        text = " ".join(" ".join(body.itertext()).split())
    if normalizer is None:
        roc = roc_context(tree, url, text, langs)

        def normalizer(text, ref):
            return normalize_date(text, ref, roc=roc)

    seen: dict = {}  # string → (datetime, precision, a clock time alone?): a page repeats its dates

    def add(text: str, source: str, kind: str = "published", labelled: bool = False) -> str | None:
        """The candidate's source once added (None: no date in ``text``)."""
        got = seen.get(text)
        if got is None:
            dt, prec = normalizer(text, base)
            seen[text] = got = (dt, prec, None)
        dt, prec, clock = got
        if dt is None:
            return None
        if source not in ("jsonld", "meta", "url"):
            if clock is None:
                clock = bool(CLOCK_ALONE_RE.match(canonical(text)))
                seen[text] = (dt, prec, clock)
            if clock:
                source = "clock"  # a clock time alone: today, only where nothing fuller is offered
        cands.append({"dt": dt, "precision": prec, "source": source, "kind": kind, "text": text,
                      "labelled": labelled})
        return source

    if tree is not None:
        for text, kind in _jsonld_dates(tree, scripts):
            add(text, "jsonld", kind)
        for m in metas:
            key = (m.get("name") or m.get("property") or m.get("itemprop") or "").lower()
            content = m.get("content") or ""
            if key in PUBLISHED_META:
                add(content, "meta")
            elif key in MODIFIED_META:
                add(content, "meta", "modified")
        for xp in date_xpaths or []:
            for el in tree.xpath(xp):
                add(el if isinstance(el, str) else " ".join(el.itertext()), "visible")
        if body is not None:
            _body_candidates(body, text, title, add)
    got = url_date(url, base)
    if got:
        cands.append({"dt": got[0], "precision": got[1], "source": "url", "kind": "published",
                      "text": url, "labelled": False})
    if list_hint and list_hint.get("date"):  # beside the link on a list page, or in a feed/sitemap
        add(list_hint["date"], {"feed": "feed", "sitemap": "sitemap"}.get(list_hint.get("via"), "listpage"))
    return cands


def _digits(text: str) -> str:
    """NFKC, and Chinese numerals in digits only where a Chinese-numeral year is printed (arabise
    is the costly part on a whole page)."""
    text = nfkc(text)
    return arabise(text) if CN_YEAR_HINT_RE.search(text) else text


def _body_candidates(body, text: str, title: str, add) -> None:
    """Labelled lines and table cells, dates in the text, the line under the headline, and the
    first element whose class or id names a date (``text``: the body's text, spaces collapsed)."""
    # labelled lines: the best-ranked label printed first (发布日期 over 成文日期 over 更新时间)
    labelled = sorted(((label_rank(m[1]), i, m) for i, m in enumerate(labelled_lines(text[:20000], 12))),
                      key=lambda t: t[:2])
    for label, value in _table_dates(body) if label_cell_possible(text) else ():
        labelled.append((label_rank(label), -1, (label, label, value)))
    labelled.sort(key=lambda t: t[:2])
    for r, _, m in labelled:
        if r <= 1 and add(f"{m[1]}：{m[2]}", "visible", labelled=r == 0):
            break
    # every full date printed in the text: low rank, but they give the time of day to a better
    # candidate of the same day, and they date forum and blog posts
    for count, m in enumerate(full_dates(_digits(text[:30000]))):
        if count >= 80:
            break
        add(m.group(0), "text")
    # an agency dateline (新华社昆明5月9日电, 本报讯 5月9日): a year-less date the story opens with
    if m := DATELINE_RE.search(nfkc(text[:3000])):
        add(m[1], "text")
    # the date line under the headline: the first full date within 200 characters that no
    # event or document label (会议时间：, 成文日期：) names
    at = text.find(" ".join(title.split())) if title else -1
    if at >= 0:
        near = _digits(text[at + len(title): at + len(title) + 200])
        for m in FULL_RE.finditer(near):
            label = LABEL_TAIL_RE.search(near[max(0, m.start() - 12):m.start()])
            if not (label and label_rank(label[1]) > 1):
                add(m.group(0), "visible")
                break
    for el in date_elements(body):  # each a <time datetime> or a date class/id, in document order
        if el.tag == "time" and el.get("datetime"):
            add(el.get("datetime"), "visible")
        else:
            t = " ".join(" ".join(el.itertext()).split())
            if 4 <= len(t) <= 120 and add(t, "visible") == "visible":
                break
