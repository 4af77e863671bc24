"""Stage 2, str → fields: title, body, author, source (来源), editor (责任编辑).

trafilatura does the main-content search, but on Chinese portals it keeps the 推荐 / 热门推荐 /
相关新闻 headline lists, share bars and 责任编辑 lines. So we (1) parse once, (2) prune the tree
by structure (link-dense lists of short headlines), by class/id vocabulary (English and pinyin),
and by text (footer lines), (3) hand the pruned tree to trafilatura, (4) clean its lines, pulling
the labelled 来源/作者/责任编辑 lines into their own fields, and (5) ask a text-density extractor
for a second opinion when trafilatura returns nothing useful. The rules are general: per-site
XPaths from the registry only add to them.
"""
from __future__ import annotations

import re
from copy import deepcopy

import lxml.html
from lxml import etree

from pipelines import StageError, StagePipeline

# --- vocabularies ---------------------------------------------------------------------------------
# class/id tokens of boilerplate blocks. Matched per token (split on non-alphanumerics), so "hot"
# never matches "photo"; pinyin words are matched as substrings because they are written joined.
BOILER_TOKENS = {
    "recommend", "recommended", "related", "relate", "relative", "hot", "hots", "hotnews", "rank",
    "ranking", "share", "sharing", "bdshare", "social", "comment", "comments", "reply", "footer",
    "foot", "copyright", "sidebar", "side", "aside", "breadcrumb", "crumb", "crumbs", "location",
    "advert", "ads", "ad", "banner", "toolbar", "tools", "print", "qrcode", "qr", "login", "nav",
    "navbar", "menu", "subnav", "topbar", "pager", "pagination", "prevnext", "prev", "next",
    "more", "tags", "keyword", "keywords", "feedback", "weibo", "wechat", "follow", "popular",
    "trending", "guess", "rec", "newslist", "list", "links", "friendlink", "bottom", "header",
    "search", "fontsize", "font", "zoom-tools", "editor-info",
}
BOILER_PINYIN = ("tuijian", "xgxw", "xgyd", "xgwz", "remen", "fenxiang", "pinglun", "banquan",
                 "dayin", "guanggao", "erweima", "paihang", "rdtj", "rmtj", "youqing", "daohang",
                 "zrbj", "bianji", "weizhi")
# tokens that mark the article itself; such an element is never pruned by vocabulary
CONTENT_TOKENS = {"article", "content", "artibody", "main-content", "text", "body", "detail",
                  "zoom", "trs_editor", "trs_ueditor", "view", "arti", "zw", "zhengwen", "newstext",
                  "txt", "con", "cont", "post", "entry", "story"}

NAME = r"(?:[\u4e00-\u9fff·]{2,5}|[A-Za-z][A-Za-z .'-]{1,30}[A-Za-z])"
NAMES = rf"{NAME}(?:[ \u3000、，,/]+{NAME}){{0,5}}"
STOP = r"(?=$|[\s|丨/,，。；;【】\[\]()（）]|作者|记者|编辑|责任编辑|时间|发布|日期|浏览|点击|字号|来源|通讯员)"
FIELD_RES = {
    "editor": re.compile(rf"(?:责任编辑|责编|编辑|值班编辑)\s*[:：]\s*({NAMES})"),
    "source": re.compile(r"(?:来源|稿源|信息来源|文章来源|新闻来源|出处)\s*[:：]\s*"
                         rf"([^\s|丨/,，。；;：:【】\[\]()（）]{{2,30}}?){STOP}"),
}
# bylines, most reliable first; a name must end at a boundary, so story text ("记者从昆明市…",
# "记者：首先欢迎你来到…") never reads as one
NAME_END = r"(?=[\s|丨/／,，。；;：:【】\[\]()（）]|$|来源|编辑|责任|时间|发布|日期|摄|报道)"
AUTHOR_RES = [
    re.compile(rf"(?:记者|通讯员|撰稿人)\s*({NAME})\s*[/／]\s*文|(?:^|\s)({NAME})\s*[/／]\s*文(?=\s|$|[）)])"),
    re.compile(rf"(?:作者|撰稿|撰文|执笔人?|文字|文)\s*[:：/]\s*({NAMES}){NAME_END}"),
    re.compile(rf"(?:记者|通讯员|报道员)\s*[:：]?\s*({NAMES})(?=\s*[/／]\s*(?:文|摄)|\s+\S{{0,8}}报道|\s*$|\s|[）)])"),
    re.compile(rf"本[贴帖]由\s*({NAME})\s*于|由\s*({NAME})\s*(?:张贴|发表于|发布于)"),
    re.compile(rf"(?:^|\s)({NAME})\s*[/／]\s*摄(?=\s|$)"),
]
# "……。（常书香 马丹阳）" / "（姚峰 上海报道）" / "（总台记者 张倩）" closing a story
BYLINE_BRACKET = (r"[（(]\s*(?:[\u4e00-\u9fff]{0,6}记者\s*)?"
                  r"((?:[\u4e00-\u9fff]{2,3})(?:[ \u3000、，,]+[\u4e00-\u9fff]{2,3}){0,4})"
                  r"\s*(?:[\u4e00-\u9fff]{2,6}报道)?\s*[）)]")
ORG_SUFFIX = set("社网报台局部厅委办处站所院会司厂队组")
# never a person: channel names and province-level places (datelines such as （北京）)
NOT_AUTHOR = set("网易 新浪 搜狐 腾讯 凤凰 新闻 生活 国际 国内 财经 体育 娱乐 科技 社会 评论 图片 视频 专题 综合 "
                 "健康 汽车 房产 教育 旅游 时尚 军事 历史 文化 读书 博客 论坛 招待会 经济通 本网 本站 "
                 "北京 上海 天津 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
                 "广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 昆明".split())
ROLE_SUFFIX_RE = re.compile(r"\s*(?:编辑|编制|摄影|摄|整理|报道|制图|供图|稿源|文字大小)$")
HEADING_WORDS = {"前言", "引言", "结语", "背景", "概述", "摘要", "附件", "说明", "简介", "目录", "正文", "导读",
                 "编者按", "图片", "视频", "序言", "后记", "附录", "注释", "小结", "总结", "声明", "公告", "通知"}
TRAILING_BYLINE_RE = re.compile(BYLINE_BRACKET + r"\s*$")  # closing the last paragraph
LEADING_BYLINE_RE = re.compile(r"^\s*" + BYLINE_BRACKET)   # first thing after the story
# words that end a run of names: "责任编辑：王晓萌 推荐 ..." stops before 推荐
NOT_NAME = ("推荐", "相关", "来源", "责任", "编辑", "时间", "发布", "分享", "打印", "关闭", "更多", "热门",
            "摄影", "通讯员", "记者", "作者", "实习生", "报道", "综合", "整理", "审核", "校对", "日期",
            "浏览", "点击", "字号", "微信", "微博", "扫一扫", "出自", "最新", "动态", "个人简介", "简介",
            "出版", "报社", "来自", "稿源", "大小", "关注", "实习生")
# a line that is only metadata: date / source / author / editor / views labels and their values
META_LINE_RE = re.compile(
    r"^[\s【\[（(]*(?:(?:发布|发表|更新|录入)?(?:时间|日期)|来源|稿源|信息来源|文章来源|作者|记者|执笔人?|撰稿|撰文|"
    r"编辑|责任编辑|责编|通讯员|摄影|浏览次数|点击数|阅读|阅读量|访问量|字号|字体|审核|校对)"
    r"\s*[:：]"
)
# lines that are boilerplate wherever they appear
BOILER_LINE_RE = re.compile(
    r"分享到|分享至|一键分享|【打印|打印本页|打印文章|打印此文|【关闭|关闭窗口|关闭本页|"
    r"^上一篇|^下一篇|^上一条|^下一条|扫一扫|扫描二维码|网站标识码|ICP备|ICP证|公网安备|"
    r"版权所有|Copyright|©|当前位置[:：]|您的位置|您现在的位置|^【字体|^字号[:：]|"
    r"^【?(?:大|中|小)\s*(?:中|小)?\s*】?$|^\[(?:大|中|小)\]|^收藏本页|^加入收藏|^设为首页|"
    r"^举报$|^返回顶部|^(?:微信|微博|QQ空间|朋友圈)(?:\s+(?:微信|微博|QQ空间|朋友圈|QQ))+$|"
    r"直播更多|更多》|更多>>|^更多$|热门推荐|猜你喜欢|^推荐$|^推荐阅读|^相关(?:新闻|阅读|报道|文章|链接|推荐)",
    re.IGNORECASE,
)
# site chrome that can run long: disclaimers, contact lines, comment widgets (checked up to 160 chars)
CHROME_LINE_RE = re.compile(
    r"^[【\[]?(?:免责)?声明[】\]]?\s*[:：]?$|(?:^|腾讯|本网|本站)(?:免责)?声明[:：]|转载(?:并)?不代表本(?:网|站)|"
    r"仅代表作者(?:本人|个人)?观点|不构成投资建议|^(?:电话|传真|邮箱|地址|联系电话|邮编|E-?mail)\s*[:：]|"
    r"爆料|^跟贴|人参与$|跟贴读取|复制收藏|复制成功|复制链接|手机看新闻|^打开.{0,8}APP|^下载.{0,8}客户端|"
    r"^(?:微信|微博)扫一扫|意见或建议|Facebook|粉丝团|Google\s*plus|按赞|赞一个|未经授权|不得转载|"
    r"请勿转载|禁止转载|^调整字体|^字体[:：]|^字号$|^收起$|^播放|播放失败|错误代码|^加值服务|^优惠情报|^[>》]{1,2}|^\[点击进入|^点击进入|^返回(?:首页|列表|频道)|^(?:本文|文章)来源[:：]|"
    r"Copyright|版权所有|ICP备|ICP证|网站标识码|公网安备|All Rights? Reserved",
    re.IGNORECASE,
)
CSS_LINE_RE = re.compile(r"^(?:[#.@\w\s,:>*()\[\]=\"'-]+\{|\}|[\w*-]+\s*:\s*[^;]{0,80};?\s*(?:/\*.*\*/)?|/\*.*\*/)$")
# Traditional → simplified for the characters of our boilerplate vocabulary. Used only to *match*
# lines (HK/TW pages print 相關新聞, 責任編輯, 免責聲明); stored text is never converted.
T2S = str.maketrans(
    "聲關熱薦轉編輯責來記體號權載讚絲團網頁點擊覽設論評時間發佈報導圖攝閱讀動態話訊區頭廣專題換歡訪問為們個這"
    "條擊單類產業務電郵傳碼備錄優惠戶組織標識護際瀏閱數據請勿轉貼複製連結節處內容提供隱私條款說明欄聯繫舉錯誤"
    "調計視頻幕獨稱愛親罰獎級給無線總彈窗聞門樣國實習",
    "声关热荐转编辑责来记体号权载赞丝团网页点击览设论评时间发布报导图摄阅读动态话讯区头广专题换欢访问为们个这"
    "条击单类产业务电邮传码备录优惠户组织标识护际浏阅数据请勿转贴复制连结节处内容提供隐私条款说明栏联系举错误"
    "调计视频幕独称爱亲罚奖级给无线总弹窗闻门样国实习",
)
LINK_STAMP_RE = re.compile(r"^[\[(（]?\d{1,2}:\d{2}(?::\d{2})?[\])）]?\s*(?:\d{1,2}[-/]\d{1,2})?$|"
                           r"^[\[(（]?\d{1,2}[-/]\d{1,2}[\])）]?$")
# headings after which the rest of the text is lists, never story
TAIL_HEAD_RE = re.compile(
    r"^[【\[]?\s*(?:相关(?:新闻|阅读|报道|文章|链接|推荐|专题)|推荐阅读|延伸阅读|热门推荐|热点推荐|"
    r"猜你喜欢|为你推荐|精彩推荐|往期回顾|更多精彩|编辑推荐|热门文章|热点新闻|最新新闻|推荐|热门|热点|"
    r"排行|排行榜|点击排行|新闻排行|今日热点|网友评论|发表评论|评论|热门评论|最新评论|精彩评论|"
    r"相关专题|专题推荐|图片推荐|视频推荐|热门关键词|本篇新闻热门关键词|没有相关新闻)\s*[】\]》>»]?\s*[:：]?$"
)
DATE_LED_RE = re.compile(r"^\s*(?:发布时间[:：]\s*)?\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
                         r"(?:\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?")
TRAILING_CREDIT_RE = re.compile(r"[\[【（(]\s*(?:责任编辑|责编|编辑)\s*[:：][^\]】）)]{1,20}[\]】）)]\s*$")
EDITOR_LINE_RE = re.compile(r"^[\s【\[（(]*(?:责任编辑|责编|编辑|值班编辑)\s*[:：]")

SPLIT_TITLE_RE = re.compile(r"\s*(?:_|\||｜|—|--|(?<!\d)-(?!\d)|——|::)\s*")
DROP_TAGS = ("script", "style", "noscript", "iframe", "button", "select", "input",
             "textarea", "svg", "canvas", "object", "embed", "template")


REPEATED_OPEN_RE = re.compile(r"(<(?:div|span|font|table|td|tr|center|b)\b[^>]*>)(?:\s*<(?:div|span|font|table|td|tr|center|b)\b[^>]*>){63,}", re.I)
REPEATED_CLOSE_RE = re.compile(r"(</(?:div|span|font|table|td|tr|center|b)>)(?:\s*</(?:div|span|font|table|td|tr|center|b)>){63,}", re.I)
# huge_tree: lifts libxml2's limits on text node and attribute sizes
_PARSER = lxml.html.HTMLParser(huge_tree=True, remove_comments=False)


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


def text_of(el) -> str:
    return " ".join("".join(el.itertext()).split())


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


# --- metadata ---------------------------------------------------------------------------------------
def read_meta(tree) -> dict[str, str]:
    """name/property/itemprop (lower-cased) → content of the page's <meta> tags; first wins."""
    out: dict[str, str] = {}
    for m in tree.iter("meta"):
        key = (m.get("name") or m.get("property") or m.get("itemprop") or m.get("http-equiv") or "")
        content = (m.get("content") or "").strip()
        if key and content:
            out.setdefault(key.strip().lower(), content)
    return out


def _title_tag(tree) -> str:
    t = tree.find(".//title")
    return " ".join((t.text_content() if t is not None else "").split())


def choose_title(tree, meta: dict, title_xpaths: list[str] | None = None) -> str:
    """The headline: a candidate (site XPath, ArticleTitle, og:title, h1/h2) that the <title> agrees
    with, else the <title> with its site suffix cut off."""
    page_title = _title_tag(tree)
    candidates: list[tuple[str, str]] = []
    for xp in title_xpaths or []:
        for el in tree.xpath(xp):
            t = el if isinstance(el, str) else text_of(el)
            if t.strip():
                candidates.append(("site", " ".join(t.split())))
    for key in ("articletitle", "og:title", "twitter:title", "headline", "title"):
        if meta.get(key):
            candidates.append((key, " ".join(meta[key].split())))
    for tag in ("h1", "h2", "h3"):
        for el in tree.iter(tag):
            t = text_of(el)
            if 4 <= len(t) <= 80:
                candidates.append((tag, t))
    # split <title> at its separators: the headline is usually the first (or longest) part
    parts = [p for p in SPLIT_TITLE_RE.split(page_title) if p.strip()]
    nt = _norm(page_title)
    suffixes = {_norm(p) for p in parts[1:]}  # column and site names after the headline
    for source, cand in candidates:
        nc = _norm(cand)
        if len(nc) < 4:
            continue
        if source == "site":
            return cand
        if nc == nt and len(parts) > 1:
            continue  # the whole <title> again, site suffix included: no evidence of the headline
        if nt and (nt.startswith(nc) or (nc in nt and nc not in suffixes)) and \
                len(nc) >= 0.3 * len(_norm(parts[0] if parts else nt)):
            return cand
    for source, cand in candidates:  # gov guideline meta is reliable even without agreement
        if source == "articletitle":
            return cand
    if parts:
        first = parts[0].strip()
        longest = max(parts, key=len).strip()
        head = first if len(first) >= 0.5 * len(longest) else longest
        if len(_norm(head)) >= 4:
            return head
    for source, cand in candidates:
        if source in ("h1", "og:title"):
            return cand
    return page_title


# --- pruning -----------------------------------------------------------------------------------
def _tokens(el) -> list[str]:
    raw = f"{el.get('class') or ''} {el.get('id') or ''}"
    raw = re.sub(r"([a-z])([A-Z])", r"\1 \2", raw).lower()
    return [t for t in re.split(r"[^a-z0-9]+", raw) if t]


def _is_boiler_by_name(el) -> bool:
    toks = _tokens(el)
    if not toks:
        return False
    if any(t in CONTENT_TOKENS for t in toks):
        return False
    if any(t in BOILER_TOKENS for t in toks):
        return True
    joined = "".join(toks)
    return any(p in joined for p in BOILER_PINYIN)


def _chars(s: str | None) -> int:
    return len("".join(s.split())) if s else 0


def measure(root) -> dict:
    """Per element: [text chars, link-text chars, links], whitespace excluded; one bottom-up pass.

    Pruning asks these questions of thousands of elements; measuring each subtree again would
    be quadratic on big portal pages."""
    stats: dict = {}
    for el in reversed(list(root.iter())):  # children before their parents
        if not isinstance(el.tag, str):
            stats[el] = [0, 0, 0]
            continue
        chars, link_chars, links = _chars(el.text), 0, 0
        for child in el:
            c = stats.get(child) or [0, 0, 0]
            chars += c[0] + _chars(child.tail)
            link_chars += c[1]
            links += c[2]
        if el.tag == "a" and chars < 150:  # a "link" holding a whole story is content
            link_chars, links = chars, links + 1
        stats[el] = [chars, link_chars, links]
    return stats


def _link_stats(el, stats: dict | None = None) -> tuple[int, int, int]:
    """(text length, link-text length, number of links) of an element."""
    if stats is not None and el in stats:
        return tuple(stats[el])
    return tuple(measure(el)[el])


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


def _remove(el) -> None:
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


def br_to_paragraphs(tree) -> None:
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


def unwrap_layout_tables(tree) -> None:
    """Tables used for page layout become divs; trafilatura would flatten their cells into rows.

    A table is layout when a cell holds block content or a long run of text; data tables (short
    cells) stay tables."""
    for table in list(tree.iter("table")):
        rows = table.xpath("./tr | ./tbody/tr | ./thead/tr | ./tfoot/tr")
        cells = [c for r in rows for c in r.xpath("./td | ./th")]
        layout = any(c.xpath("./p | ./div | ./table | ./ul") or len(_norm(text_of(c))) > 80
                     for c in cells)
        if not layout:
            continue
        for el in [table, *table.xpath("./tbody | ./thead | ./tfoot"), *rows, *cells]:
            el.tag = "div"


def prune(tree, extra_xpaths: list[str] | None = None) -> None:
    """Remove boilerplate in place: scripts/forms, site XPaths, named blocks, headline lists."""
    for el in list(tree.iter(*DROP_TAGS)):
        _remove(el)
    for el in list(tree.iter("form")):  # search and login boxes; ASP.NET wraps whole pages in one
        if len(_norm(text_of(el))) < 200:
            _remove(el)
    for el in list(tree.iter(etree.Comment)):
        _remove(el)
    for xp in extra_xpaths or []:
        for el in tree.xpath(xp):
            if hasattr(el, "getparent"):
                _remove(el)
    body = tree.find(".//body")
    root = body if body is not None else tree
    stats = measure(root)  # exact for each element when visited: only later ones are removed
    page_plain = max(1, stats[root][0] - stats[root][1])
    removed: set = set()
    for el in list(root.iter("div", "ul", "ol", "section", "aside", "nav", "footer", "header",
                             "table", "span", "p", "dl", "td", "li")):
        parent = el.getparent()
        if parent is None or parent in removed or any(a in removed for a in el.iterancestors()):
            removed.add(el)
            continue
        tag = el.tag
        if tag in ("nav", "footer", "aside") and (stats[el][0] - stats[el][1]) < 200:
            _remove(el)
            removed.add(el)
            continue
        plain = stats[el][0] - stats[el][1]
        if plain / page_plain > 0.5 or (plain >= 200 and plain / page_plain > 0.4):
            continue  # most of the page's non-link text: the story, or a misnested one (unclosed nav)
        if (_is_boiler_by_name(el) and tag != "p") or \
                (tag in ("ul", "ol", "div", "table", "dl", "section") and _is_headline_list(el, stats)):
            _remove(el)
            removed.add(el)


# --- body ---------------------------------------------------------------------------------------
def _trafilatura_body(tree, url: str) -> str:
    import trafilatura

    text = trafilatura.extract(
        tree, url=url or None, output_format="txt", include_comments=False, include_tables=True,
        include_images=False, include_links=False, deduplicate=False, favor_precision=False,
        with_metadata=False,
    )
    return text or ""


BLOCK_TAGS = {"p", "div", "td", "li", "section", "article", "h2", "h3", "h4", "h5", "h6",
              "blockquote", "pre", "dd", "tr", "table", "center", "font"}


def _density_body(tree) -> str:
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
        own_n = len(_norm(own))
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
        total, link_len, _ = _link_stats(el, stats)
        if total == 0:
            continue
        score *= 1 - link_len / total
        if score > best_score:
            best, best_score = el, score
    if best is None:
        return ""
    return "\n".join(block_lines(best))


def block_lines(root) -> list[str]:
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


def _link_share_of_text(tree, body: str) -> float:
    """Share of body characters that are link texts in the page: a body of headlines scores high."""
    if not body:
        return 0.0
    anchors = {_norm(text_of(a)) for a in tree.iter("a")}
    anchors = {a for a in anchors if len(a) >= 6}
    lines = [_norm(line) for line in body.splitlines() if line.strip()]
    linked = sum(len(line) for line in lines if line in anchors)
    return linked / max(1, sum(len(line) for line in lines))


def clean_lines(body: str, fields: dict, anchors: set[str] | None = None) -> str:
    """Drop boilerplate lines, cut trailing headline lists, move labelled lines into fields.

    ``anchors``: the page's link texts; a short line that is exactly one is a teaser, not story."""
    anchors = anchors or set()
    lines: list[str] = []
    for raw in body.splitlines():
        # trafilatura renders table cells as "| a | b |": each cell is a line of its own
        cells = raw.split("|") if "|" in raw and re.search(r"(?:^|\s)\|(?:\s|$)", raw) else [raw]
        lines.extend(" ".join(c.split()) for c in cells)
    lines = [line for line in lines if line]
    out: list[str] = []
    seen: set[str] = set()
    n = len(lines)
    for i, line in enumerate(lines):
        line = re.sub(r"^[-•·]\s+", "", line)  # trafilatura's list bullets hide line starts
        if not line:
            continue
        raw = line
        line = line.translate(T2S)  # match in simplified forms; ``raw`` is what we keep
        m = TRAILING_CREDIT_RE.search(line)
        if m and m.start() > 0:
            harvest_fields(raw[m.start():], fields)  # "……解决。（责任编辑：王芳）": keep the sentence
            raw, line = raw[: m.start()].rstrip(), line[: m.start()].rstrip()
        compact = _norm(line)
        if len(compact) <= 50 and _norm(raw) in anchors:
            continue  # a line that is a whole link's text: a teaser from a list
        if LINK_STAMP_RE.match(compact):
            continue  # "[21:59] 06-04": the time stamp of a list row
        if TAIL_HEAD_RE.match(compact.lstrip("※•▲★◆■□●○◎→>》·")):
            if i >= n * 0.3:
                break  # 相关新闻 / 推荐阅读 ... the story is over
            continue
        if re.match(r"^[\u4e00-\u9fff]{0,8}(?:推荐|热点|头条)[:：]", compact) and i >= n * 0.5:
            continue  # "财经首页头条推荐：…" teaser lines
        if EDITOR_LINE_RE.match(line) or (META_LINE_RE.match(line) and len(compact) <= 60):
            harvest_fields(raw, fields)
            continue
        if len(compact) <= 40 and BOILER_LINE_RE.search(line):
            continue
        if len(compact) <= 160 and CHROME_LINE_RE.search(line):
            continue
        if CSS_LINE_RE.match(line) and not re.search(r"[\u4e00-\u9fff]", line):
            continue
        if len(compact) <= 3 and not re.search(r"[\u4e00-\u9fff]{2}|[A-Za-z]{2}", compact):
            continue  # stray counters and glyphs: "0", "×", "|"
        if len(compact) >= 10:
            if compact in seen:
                continue  # a paragraph repeated verbatim is a teaser or a gallery caption echo
            seen.add(compact)
        m = DATE_LED_RE.match(line)
        if m and len(_norm(line[m.end():])) <= 16:
            rest = line[m.end():].strip(" 　|丨")
            if rest and not fields.get("source") and re.fullmatch(r"[\u4e00-\u9fffA-Za-z]{2,12}", rest):
                fields["source"] = rest
            continue
        if len(compact) <= 60 and re.search(r"责任编辑\s*[:：]", line):
            harvest_fields(raw, fields)
            continue
        out.append(raw)
    return "\n".join(out)


def clean_author(value: str) -> str:
    """Names only: role words (编辑, 摄, 稿源 …) and non-person words (channels, places) dropped."""
    names = []
    for token in re.split(r"[ \u3000、，,/]+", value or ""):
        folded = ROLE_SUFFIX_RE.sub("", token.translate(T2S))
        token = token[: len(folded)]
        if not token or folded in NOT_AUTHOR or any(w in folded for w in NOT_NAME):
            continue
        names.append(token)
    return " ".join(names)


def harvest_fields(text: str, fields: dict) -> None:
    """Fill source / editor / author from labelled text. Labels are matched in simplified forms
    (責任編輯 too); values are cut from the original text, so names keep their characters."""
    folded = text.translate(T2S)
    for key, rxs in (*((k, [rx]) for k, rx in FIELD_RES.items()), ("author", AUTHOR_RES)):
        if fields.get(key):
            continue
        m = next((m for rx in rxs for m in [rx.search(folded)] if m), None)
        if not m:
            continue
        g = next(i for i in range(1, len(m.groups()) + 1) if m.group(i))
        value = text[m.start(g): m.end(g)].strip(" ，,、")
        if key != "source":
            names: list[str] = []
            for name in re.split(r"[ \u3000、，,/]+", value):
                # later names are short (a Chinese name is 2-4 characters); label words end the run
                if any(w in name for w in NOT_NAME) or (names and len(name) > 4 and
                                                         not name.isascii()):
                    break
                names.append(name)
            value = " ".join(names)
        if value and not re.fullmatch(r"\d+", value):
            fields[key] = value


def _header_text(tree, title: str, body: str) -> tuple[str, str, str]:
    """Three regions of the page text, each element's text apart (so labels stay separate): between
    the headline and the body (来源/作者/时间), just after the body (bylines, 责任编辑), and all
    the text after the headline."""
    root = tree.find(".//body")
    full = " ".join(" ".join((root if root is not None else tree).itertext()).split())
    nt = " ".join(title.split())
    start = full.find(nt) if nt else -1
    start = start + len(nt) if start >= 0 else 0
    first = " ".join(body.splitlines()[0].split())[:12] if body.strip() else ""
    end = full.find(first, start) if first else -1
    header = full[start: end if end > start else start + 200][:400]
    last = " ".join(body.splitlines()[-1].split())[-12:] if body.strip() else ""
    stop = full.find(last, max(start, end)) if last else -1
    tail = full[stop + len(last): stop + len(last) + 300] if stop >= 0 else ""
    return header, tail, full[start: start + 6000]


# --- the stage --------------------------------------------------------------------------------------
def extract(html: str | lxml.html.HtmlElement, url: str = "", rules: dict | None = None) -> dict:
    """Return {"title", "body", "author", "source", "editor", "method"} for one page.

    ``html`` may be a string or an already parsed tree (it is not modified)."""
    rules = rules or {}
    tree = parse_html(html) if isinstance(html, str) else html
    meta = read_meta(tree)
    title = choose_title(tree, meta, rules.get("title_xpaths"))

    work = deepcopy(tree)
    prune(work, rules.get("prune_xpaths"))
    br_to_paragraphs(work)
    unwrap_layout_tables(work)
    body = _trafilatura_body(work, url)
    method = "trafilatura"
    plain_len = len(_norm(body))
    if plain_len < 60 or _link_share_of_text(tree, body) > 0.5:
        alt = _density_body(work)
        if len(_norm(alt)) > max(plain_len * 1.2, 20):
            body, method = alt, "density"

    fields: dict[str, str] = {}
    anchors = {a for a in (_norm(text_of(el)) for el in tree.iter("a")) if len(a) >= 4}
    body = clean_lines(body, fields, anchors)
    # a first line repeating the headline is the headline, not the story
    lines = body.splitlines()
    if lines and title and _norm(lines[0]) == _norm(title):
        body = "\n".join(lines[1:])

    header, tail, after = _header_text(tree, title, body)
    if not fields.get("author"):
        # strongest byline pattern first, wherever it is: above the story, opening it
        # ("河南商报记者马俊峰/文"), or just after it
        regions = [header + " | " + tail, "\n".join(body.splitlines()[:2])]
        for rx in AUTHOR_RES:
            hit = next((m for region in regions for m in [rx.search(region)] if m), None)
            if hit:
                harvest_fields(hit.group(0), fields)
                break
    harvest_fields(header + " | " + tail, fields)
    if not fields.get("author") and body:
        # "……。（姚峰 上海报道）" closing the story; names are 2-3 characters, so an attribution
        # such as （新浪云南） never reads as one
        for line in [*body.splitlines()[-6:][::-1], tail[:40]]:
            m = TRAILING_BYLINE_RE.search(line) or LEADING_BYLINE_RE.match(line)
            names = re.split(r"[ \u3000、，,]+", m.group(1)) if m else []
            # （新华社）（人民网）are agencies, not people
            if names and not any(n[-1] in ORG_SUFFIX or n.translate(T2S) in NOT_AUTHOR for n in names):
                fields["author"] = " ".join(names)
                break
    if not fields.get("author") and body:
        # essays and columns print the author's bare name on its own line under the title
        lines = body.splitlines()[:3]
        for prev, line in zip(["", *lines], lines):
            if (re.fullmatch(r"[\u4e00-\u9fff]{2,3}", line) and line not in HEADING_WORDS
                    and line.translate(T2S) not in NOT_AUTHOR
                    and len(prev) <= 30 and line[-1] not in ORG_SUFFIX):
                fields["author"] = line
                break
    harvest_fields(after, fields)  # 责任编辑 in a pruned footer block, say
    source = fields.get("source") or meta.get("contentsource") or meta.get("source") or ""
    author = clean_author(fields.get("author") or meta.get("author") or meta.get("article:author") or "")
    if re.search(r"https?://|www\.", author) or (author.isascii() and author.lower() in url.lower()):
        author = ""  # an address, or the site's own name from its host (a meta author of "chinanews")
    return {
        "title": title,
        "body": body,
        "author": author.strip(),
        "source": source.strip(),
        "editor": fields.get("editor", ""),
        "method": method,
    }


def apply_extract(page: dict, rules: dict | None = None) -> None:
    """Fill page["article"] (title, body, author, source, editor); keep the parse for dates."""
    tree = parse_html(page["html"])
    out = extract(tree, page.get("final_url") or page.get("url") or "", rules)
    page["article"] = {k: out[k] for k in ("title", "body", "author", "source", "editor")}
    page["_tree"] = tree


class ExtractPipeline(StagePipeline):
    stage = "extract"

    def apply(self, page: dict, rules: dict) -> None:
        apply_extract(page, rules)
