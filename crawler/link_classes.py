"""Automatic link discovery: a page's same-site links classed as article, list or other.

A site works from its home page: when its TOML gives no `[links] article` regexes, the spider
asks this module which links are articles to fetch and which are lists (pagination, columns,
专题 indexes) to follow. The evidence generalises across Chinese CMSs instead of naming one:
the URL's shape (a date in the path — /2024/0509/, /202405/t20240509_1, /art/2024/5/9/art_…,
/c/2024-05-09/, /n2/2024/0509/c1-2 — or a long id), how many links on the page share one URL
template (fifteen alike in one list are a column's items), the anchor text (a headline versus
首页 / 网站地图 / 联系我们), a date printed beside the link, and pagination cues (index_2.html,
?page=2, pageNum=, 下一页). Attachments, scripts, anchors and tracking-parameter twins are never
articles. Pure functions over plain data: tested without a crawl, shared with `check-site`.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ARTICLE, LIST, OTHER = "article", "list", "other"

ATTACHMENT_EXT = frozenset(
    "pdf doc docx xls xlsx ppt pptx wps et dps ofd txt csv rtf zip rar 7z gz tar apk exe dmg "
    "jpg jpeg png gif bmp webp svg tif tiff ico mp3 mp4 avi flv wmv mov mkv m4a wav swf".split())
# query parameters that only say where a reader came from: the same page under another address
TRACKING_RE = re.compile(r"^(utm_\w+|spm|from|fromsource|source_from|share\w*|isappinstalled|tt_from|"
                         r"tt_group_id|scene|clicktime|enterid|wfr|fr|ref|referer|_t|timestamp|sharer\w*|"
                         r"wxfrom|wx_share|from_source|bd_source|click_from|track\w*)$", re.I)
# navigation and service words: links every page of a site carries, never stories or lists
NAV_WORDS = frozenset(
    "首页 网站首页 返回首页 主页 网站地图 站点地图 联系我们 关于我们 无障碍 无障碍浏览 长者模式 关怀版 适老化 "
    "登录 注册 用户登录 设为首页 加入收藏 收藏本站 English 繁體 繁体 简体 繁體版 返回顶部 打印 打印本页 关闭 "
    "关闭窗口 意见建议 网站声明 隐私政策 版权声明 法律声明 帮助 RSS 手机版 移动版 客户端 微博 微信 搜索 高级搜索 "
    "网站纠错 我要纠错 信息公开指南 网站统计 站群导航 智能问答".split())
PAGER_WORDS = frozenset("下一页 下页 后页 上一页 上页 前页 尾页 末页 最后一页 next › » >".split())
MORE_WORDS = frozenset("更多 更多>> 更多> 更多》 更多>>> more more>> 》 >> >>>".split())

# A date in the path: /2024/0509/, /2024-05-09/, /20240509/, /202405/t20240509_, /2024/5/9/, /2024-05/09/
DATE_PATH_RE = re.compile(r"(?<![0-9])(?:19|20)\d\d(?:[-_/]?(?:0[1-9]|1[0-2])(?:[-_/]?(?:0[1-9]|[12]\d|3[01]))?"
                          r"|/(?:[1-9]|1[0-2])/(?:[1-9]|[12]\d|3[01]))(?![0-9])")
# CMS article addresses whose shape alone says "one story" (TRS, Hanweb, 集约化平台, Sina, people)
CMS_ARTICLE_RE = re.compile(r"(/t(?:19|20)\d{6}_\d+|/art_\d+_\d+|/post_\d+|/doc-i?[a-z0-9]{8,}|"
                            r"/c\d+-\d{5,}|/content_\d{4,}|/c_\d{5,}|/info/\d+/\d+|/detail[-_/]?\d{5,})", re.I)
LIST_SEGMENT_RE = re.compile(r"^(?:index|list|default|more|node|lmlist|col|column|channel)(?:[-_]?[0-9a-z]+)*"
                             r"\.(?:s?html?|jsp|php|aspx?|do)$", re.I)
LIST_PATH_RE = re.compile(r"/(?:col|column|channel|lanmu|node|list|zt|zhuanti|special)/", re.I)
PAGER_URL_RE = re.compile(r"(?:^|/)(?:index|list|default|more)[-_]?(\d+)\.\w+$|(?:^|/)(?:node|list)_\d+_(\d+)\.\w+$|"
                          r"[?&](?:page|pagenum|pageno|pageindex|pn|p|curpage|currentpage|start)=(\d+)", re.I)
LIST_QUERY_RE = re.compile(r"[?&](?:catid|classid|columnid|channelid|cid|colid|nodeid|typeid|lmid|uid)=", re.I)
ALNUM_RE = re.compile(r"[0-9a-z]+", re.I)
HAN_RE = re.compile(r"[\u4e00-\u9fff]")
_SPECIAL_RE = re.compile(r"([.^$*+?()\[\]{}|\\])")


def _escape(text: str) -> str:
    """re.escape for a URL piece, leaving '-', '_', '/' bare so a pinned regex stays readable."""
    return _SPECIAL_RE.sub(r"\\\1", text)


@dataclass(frozen=True)
class Link:
    """One anchor on a page: its absolute URL, its text (or title) and a date printed beside it."""

    url: str
    text: str = ""
    date: str = ""


@dataclass(frozen=True)
class Classified:
    url: str
    kind: str  # article | list | other
    template: str  # the URL template, as a regex the TOML accepts
    why: str  # the evidence, for check-site and the debug log
    priority: int = 0  # lists: pagination first, then "more" links, then columns


def clean_url(url: str) -> str | None:
    """The address without its fragment and tracking parameters; None for what is never a page."""
    if not url or url.lower().startswith(("javascript:", "mailto:", "tel:", "#", "data:")):
        return None
    parts = urlsplit(url.split("#")[0])
    if parts.scheme not in ("http", "https"):
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not TRACKING_RE.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


def is_attachment(url: str) -> bool:
    """A file to download (document, image, media), by the path's or a filename parameter's suffix."""
    parts = urlsplit(url)
    names = [parts.path] + [v for _, v in parse_qsl(parts.query)]
    return any(n.rsplit(".", 1)[-1].lower() in ATTACHMENT_EXT for n in names if "." in n[-6:])


def template(url: str) -> str:
    """The URL's template as a regex: digit runs and mixed ids become classes, the rest literal.

    /art/2024/5/9/art_1201_45678.html → /art/\\d+/\\d+/\\d+/art_\\d+_\\d+\\.html$"""
    parts = urlsplit(url)

    def generalise(text: str) -> str:
        out, pos = [], 0
        for m in ALNUM_RE.finditer(text):
            out.append(_escape(text[pos:m.start()]))
            run = m.group(0)
            if run.isdigit():
                out.append(r"\d+")
            elif re.fullmatch(r"[a-z]+\d+", run, re.I):  # t20240509, col1201, c378439
                out.append(_escape(re.match(r"[a-z]+", run, re.I).group(0)) + r"\d+")
            elif re.search(r"\d", run):  # a mixed id: doc-ihfxyz123, detail-i3a4b5c
                out.append("[0-9a-z]+")
            else:
                out.append(_escape(run))
            pos = m.end()
        out.append(_escape(text[pos:]))
        return "".join(out)

    segments = parts.path.split("/")
    pattern = "/".join(generalise(s) if re.search(r"\d", s) else _escape(s) for s in segments)
    if parts.query:
        keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
        pattern += r"\?" + "".join(f"(?=.*{_escape(k)}=)" for k in keys)  # any order
    return pattern + ("" if parts.query else "$")


def _last_segment(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[-1] if not path.endswith("/") else ""


def url_shape(url: str) -> str:
    """'pager', 'column', 'dated' (a date or a CMS article shape), 'id' (a long id) or 'plain'."""
    parts = urlsplit(url)
    path, last = parts.path, _last_segment(parts.path)
    full = path + ("?" + parts.query if parts.query else "")
    if PAGER_URL_RE.search(full) and not CMS_ARTICLE_RE.search(path):
        m = PAGER_URL_RE.search(full)
        if int(m.group(1) or m.group(2) or m.group(3) or 0) > 0:
            return "pager"
    if CMS_ARTICLE_RE.search(path):
        return "dated"
    if re.search(r"/\d{5,}/$", path):  # /article/123456/: a story with a directory address
        return "id"
    if path in ("", "/") or path.endswith("/") or LIST_SEGMENT_RE.match(last) or LIST_QUERY_RE.search(full) \
            or (LIST_PATH_RE.search(path) and not re.search(r"\d{5,}", last)):
        return "column"
    stem = last.rsplit(".", 1)[0]
    if DATE_PATH_RE.search(path) and re.search(r"\d", stem):
        return "dated"
    if re.search(r"\d{4,}", stem) or re.search(r"(?:^|[?&])\w*id=\d{3,}", parts.query, re.I) or \
            (len(stem) >= 10 and re.search(r"\d", stem) and re.search(r"[a-z]", stem, re.I)):
        return "id"
    return "plain"


def anchor_kind(text: str) -> str:
    """'nav', 'pager', 'more', 'headline' or 'short', from the anchor text alone."""
    t = " ".join(text.split())
    bare = t.strip("[]【】<>《》()（）·|- ").lower()
    if bare in PAGER_WORDS or t in PAGER_WORDS or (bare.isdigit() and len(bare) <= 3):
        return "pager"
    if bare in MORE_WORDS or t.startswith("更多"):
        return "more"
    if t in NAV_WORDS or bare in NAV_WORDS:
        return "nav"
    han = len(HAN_RE.findall(t))
    return "headline" if han >= 6 or (han == 0 and len(t) >= 20) else "short"


def classify(links: list[Link], learnt: dict[str, str] | None = None) -> list[Classified]:
    """Class every link of one page, deciding per URL template over all its siblings.

    ``learnt``: template → kind kept from earlier runs (crawler/learnt.py); it wins over the
    evidence, so a template whose pages were never articles stops being fetched."""
    learnt = learnt or {}
    groups: dict[str, list[Link]] = defaultdict(list)
    seen: set[str] = set()
    for link in links:
        url = clean_url(link.url)
        if url is None or url in seen:
            continue
        seen.add(url)
        groups[template(url)].append(Link(url, link.text, link.date))
    out: list[Classified] = []
    for tpl, group in groups.items():
        n = len(group)
        kinds = [anchor_kind(link.text) for link in group]
        headlines = kinds.count("headline") / n
        dated = sum(bool(link.date) for link in group) / n
        for link, akind in zip(group, kinds):
            kind, why, prio = _decide(link.url, akind, n, headlines, dated)
            if tpl in learnt and kind != LIST or learnt.get(tpl) == LIST:
                kind, why = learnt[tpl], f"learnt: {learnt[tpl]}"
            out.append(Classified(link.url, kind, tpl, why, prio))
    return _rank_columns(out)


def _rank_columns(out: list[Classified]) -> list[Classified]:
    """Columns that the page's articles live in come first: an article address under the column's
    directory (TRS: /xwdt/ywdt/ → /xwdt/ywdt/202405/t…) or carrying its number (Hanweb col1201 →
    art_1201_…, people /GB/378439/378501/ → c378501-…). A home page links dozens of columns and
    the list budget should go to the ones with news in them."""
    paths = [urlsplit(c.url).path for c in out if c.kind == ARTICLE]
    numbers = {n for p in paths for n in re.findall(r"\d{3,}", p.rsplit("/", 1)[-1])}
    ranked = []
    for c in out:
        if c.kind == LIST and c.priority < 25 and c.why != "pagination":
            path = urlsplit(c.url).path
            folder = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
            own = re.findall(r"\d{3,}", path)
            if (folder != "/" and any(p.startswith(folder) for p in paths)) or (own and own[-1] in numbers):
                c = Classified(c.url, c.kind, c.template, c.why + ", holds the page's articles", 25)
        ranked.append(c)
    return ranked


def _decide(url: str, akind: str, n: int, headlines: float, dated: float) -> tuple[str, str, int]:
    if is_attachment(url):
        return OTHER, "attachment", 0
    shape = url_shape(url)
    if akind == "nav":
        return OTHER, "navigation text", 0
    if shape == "pager" or (akind == "pager" and shape in ("column", "plain", "pager")):
        return LIST, "pagination", 30
    if akind == "more" and shape != "dated":
        return LIST, "a 更多 (more) link", 20
    if shape == "column":
        return (LIST, "column address", 10 if akind == "short" else 5)
    if shape == "dated":
        return ARTICLE, f"dated address, {n} alike", 0
    if shape == "id" and ((n >= 3 and headlines >= 0.5) or (headlines >= 0.5 and dated >= 0.5)
                          or (akind == "headline" and dated > 0)):
        return ARTICLE, f"id address, {n} alike, headline text", 0
    last = _last_segment(urlsplit(url).path)
    if shape == "plain" and re.search(r"\d", last) and n >= 5 and headlines >= 0.8:
        return ARTICLE, f"numbered address, {n} alike, headline text", 0  # /news/show-87.html, small ids
    if shape == "plain" and akind == "short" and not re.search(r"\d", last):
        return LIST, "a named page with a column's short text", 3  # /xwzx/zwyw.htm (VSB, 博达)
    return OTHER, f"{shape} address", 0


def entry_is_article(url: str, learnt: dict[str, str] | None = None) -> bool:
    """A sitemap or feed entry: an article unless it is an attachment, a list's address or of a
    template learnt not to hold articles (a page that turns out to be a list is caught when
    fetched, see page_kind)."""
    kind = (learnt or {}).get(template(url))
    return not is_attachment(url) and url_shape(url) not in ("column", "pager") and kind in (None, ARTICLE)


def split(classified: list[Classified]) -> tuple[list[Classified], list[Classified]]:
    """(articles in page order, lists best first)."""
    articles = [c for c in classified if c.kind == ARTICLE]
    lists = sorted((c for c in classified if c.kind == LIST), key=lambda c: -c.priority)
    return articles, lists


# --- pages: links with their context, and whether an "article" page is really a list ---------------
# A date printed beside a link on a list page: 2024-05-09, 2024年5月9日, 05-09, 5月9日, [05/09]
LIST_DATE_RE = re.compile(
    r"(?:\d{4}\s*[-/.年]\s*)?\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
)
SENTENCE_RE = re.compile(r"[，。；！？]|[a-z]{2}[,.;!?] [A-Za-z]")
# site furniture with punctuation of its own: never story text
FURNITURE_RE = re.compile(r"版权|Copyright|ICP|备案|主办|承办|技术支持|网站标识码|公网安备|分辨率|浏览器", re.I)
BLOCK_TAGS = frozenset("p div td li dd dt article section blockquote pre h1 h2 h3 h4 h5 h6 body".split())
MIN_LIST_LINKS = 5  # headline links to articles a page needs before it can be a list
MIN_STORY_CHARS = 30  # a page with less sentence text than this is no article (video, bare gallery)


def date_beside(a, anchor_text: str) -> str:
    """The date printed in the link's own row (li, tr, p), if any; ``a`` is an lxml element."""
    parent = a.getparent()
    # a row is small; reading the text of a parent holding thousands of links, once per link,
    # would make a big list page quadratic
    if parent is None or len(parent) > 20:
        return ""
    around = " ".join("".join(parent.itertext()).split()).replace(anchor_text, " ", 1)
    m = LIST_DATE_RE.search(around)
    return m.group(0).strip() if m else ""


def same_site(url: str, base: str) -> bool:
    host, home = (urlsplit(url).hostname or "").lower(), (urlsplit(base).hostname or "").lower()
    home = home[4:] if home.startswith("www.") else home
    return host == home or host.endswith("." + home)


def page_links(tree, base_url: str) -> list[Link]:
    """The same-site links of a parsed page (lxml), absolute, with text and the date beside."""
    from urllib.parse import urljoin

    out = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(("javascript:", "mailto:", "#")):
            continue
        url = urljoin(base_url, href)
        if not same_site(url, base_url):
            continue
        text = " ".join("".join(a.itertext()).split())
        out.append(Link(url, (a.get("title") or "").strip() or text, date_beside(a, text)))
    return out


def list_evidence(tree, base_url: str) -> tuple[int, int, int]:
    """(headline links to articles, their text length, story text length) of a parsed page."""
    links = page_links(tree, base_url)
    arts = [c for c in classify(links) if c.kind == ARTICLE]
    texts = {clean_url(link.url): link.text for link in links}
    heads = [texts.get(c.url, "") for c in arts]
    heads = [t for t in heads if anchor_kind(t) == "headline"]
    blocks: dict = defaultdict(str)  # non-link text per block element (p, div, td...)
    for node in tree.xpath("//text()[not(ancestor::a) and not(ancestor::script) and not(ancestor::style)]"):
        block = node.getparent()
        while block is not None and block.tag not in BLOCK_TAGS:
            block = block.getparent()
        blocks[block] += "".join(str(node).split())
    story = sum(len(t) for t in blocks.values()
                if len(t) >= 20 and SENTENCE_RE.search(t) and not FURNITURE_RE.search(t))
    return len(heads), sum(len(t) for t in heads), story


def page_kind(tree, base_url: str) -> str:
    """What a page fetched as an article really is: 'article', 'list' or 'other'.

    A list (a 专题 index, a column) has many headline links to articles and no story of its own;
    it is recorded as a list and its links followed. A page without one sentence of text (a video,
    a bare gallery, an empty shell) is 'other'. Neither is stored as an article. Cheap evidence
    decides the clear cases; the rest ask the extract stage, which drops lines that are link
    texts, so a list's extracted body is near empty. ``tree``: the page parsed from correctly
    decoded text (see page_tree)."""
    n, link_chars, story = list_evidence(tree, base_url)
    if n < MIN_LIST_LINKS or story >= max(400, link_chars):  # a story with a sidebar of headlines
        return ARTICLE if story >= MIN_STORY_CHARS else OTHER
    from pipelines.extract import extract

    body = "".join(extract(tree, base_url)["body"].split())
    return LIST if len(body) < min(150, max(80, link_chars // 3)) else ARTICLE


def page_tree(body: bytes, headers: dict, url: str, encoding: str = ""):
    """Bytes → a parsed page, decoded as the pipeline decodes it (a page declaring gb2312 while
    sending UTF-8 must not look like a page without text); None when it is no text page."""
    from pipelines import StageError
    from pipelines.decode import decode
    from pipelines.extract import parse_html

    try:
        html, _ = decode(body, headers, encoding)
        return parse_html(html)
    except (StageError, ValueError):
        return None
