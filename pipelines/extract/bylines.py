"""Bylines and labelled fields: author, source (来源), editor (责任编辑), 文号 and 发文机关.

Labels are matched in simplified forms (責任編輯 too); values are cut from the original text, so
names keep their characters. The author is looked for in order of reliability: a labelled byline
above or just after the story, a byline in brackets closing it, a bare name under the headline.
"""
from __future__ import annotations

import re

from lxml.html import HtmlElement

from pipelines.extract.words import HEADING_WORDS, NOT_AUTHOR, NOT_NAME, ORG_SUFFIX, ROLE_SUFFIX_RE, simplified

NAME = r"(?:[\u4e00-\u9fff·]{2,5}|[A-Za-z][A-Za-z .'-]{1,30}[A-Za-z])"
NAMES = rf"{NAME}(?:[ \u3000、，,/]+{NAME}){{0,5}}"
STOP = r"(?=$|[\s|丨/,，。；;【】\[\]()（）]|作者|记者|编辑|责任编辑|时间|发布|日期|浏览|点击|字号|来源|通讯员)"
FIELD_RES = {
    "editor": re.compile(rf"(?:责任编辑|责编|编辑|值班编辑)\s*[:：]\s*({NAMES})"),
    "source": re.compile(r"(?:来源|稿源|信息来源|文章来源|新闻来源|出处)\s*[:：]\s*"
                         rf"([^\s|丨/,，。；;：:【】\[\]()（）]{{2,30}}?){STOP}"),
    # government documents: 文号 (云政发〔2024〕12号) and the issuing office
    "doc_number": re.compile(r"(?:发文字号|文号|文件编号)\s*[:：]\s*([^\s|丨,，;；：:]{2,40})"),
    "issuer": re.compile(r"(?:发文机关|发布机构|发文单位|发布单位)\s*[:：]\s*([^\s|丨,，;；：:]{2,40})"),
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
# what each pattern cannot match without: a substring test in C spares a regex scan of 6,000
# characters of page text on the (many) pages that print no such label
NEEDS = {
    FIELD_RES["editor"]: ("编",), FIELD_RES["source"]: ("源", "出处"), FIELD_RES["doc_number"]: ("号",),
    FIELD_RES["issuer"]: ("发",), AUTHOR_RES[0]: ("/", "／"), AUTHOR_RES[1]: ("文", "作者", "撰", "执笔"),
    AUTHOR_RES[2]: ("记者", "通讯员", "报道员"), AUTHOR_RES[3]: ("由",), AUTHOR_RES[4]: ("摄",),
}


def _search(rx: re.Pattern, text: str) -> re.Match | None:
    needs = NEEDS.get(rx)
    if needs is not None and not any(n in text for n in needs):
        return None
    return rx.search(text)


# "……。（常书香 马丹阳）" / "（姚峰 上海报道）" / "（总台记者 张倩）" closing a story
BYLINE_BRACKET = (r"[（(]\s*(?:[\u4e00-\u9fff]{0,6}记者\s*)?"
                  r"((?:[\u4e00-\u9fff]{2,3})(?:[ \u3000、，,]+[\u4e00-\u9fff]{2,3}){0,4})"
                  r"\s*(?:[\u4e00-\u9fff]{2,6}报道)?\s*[）)]")
TRAILING_BYLINE_RE = re.compile(BYLINE_BRACKET + r"\s*$")  # closing the last paragraph
LEADING_BYLINE_RE = re.compile(r"^\s*" + BYLINE_BRACKET)   # first thing after the story


def clean_author(value: str) -> str:
    """Names only: role words (编辑, 摄, 稿源 …) and non-person words (channels, places) dropped."""
    names = []
    for token in re.split(r"[ \u3000、，,/]+", value or ""):
        folded = ROLE_SUFFIX_RE.sub("", simplified(token))
        token = token[: len(folded)]
        if not token or folded in NOT_AUTHOR or any(w in folded for w in NOT_NAME):
            continue
        names.append(token)
    return " ".join(names)


def harvest_fields(text: str, fields: dict) -> None:
    """Fill source / editor / author / doc_number / issuer from labelled text. Labels are matched in simplified forms
    (責任編輯 too); values are cut from the original text, so names keep their characters."""
    folded = simplified(text)
    for key, rxs in (*((k, [rx]) for k, rx in FIELD_RES.items()), ("author", AUTHOR_RES)):
        if fields.get(key):
            continue
        m = next((m for rx in rxs for m in [_search(rx, folded)] if m), None)
        if not m:
            continue
        g = next(i for i in range(1, len(m.groups()) + 1) if m.group(i))
        value = text[m.start(g): m.end(g)].strip(" ，,、")
        if key in ("author", "editor"):
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


def page_text(tree: HtmlElement) -> str:
    """The text of the page's <body> (of the tree when it has none), each element's text apart (so
    labels stay separate), whitespace runs collapsed: what header_text cuts its regions from."""
    root = tree.find(".//body")
    return " ".join(" ".join((root if root is not None else tree).itertext()).split())


def header_text(full: str, title: str, body: str) -> tuple[str, str, str]:
    """Three regions of the page text ``full`` (page_text): between the headline and the body
    (来源/作者/时间), just after the body (bylines, 责任编辑), and all the text after the headline."""
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


def find_author(header: str, tail: str, body: str, fields: dict) -> None:
    """Fill ``fields["author"]`` from the regions around the story, most reliable evidence first."""
    if not fields.get("author"):
        # strongest byline pattern first, wherever it is: above the story, opening it
        # ("河南商报记者马俊峰/文"), or just after it
        regions = [header + " | " + tail, "\n".join(body.splitlines()[:2])]
        for rx in AUTHOR_RES:
            hit = next((m for region in regions for m in [_search(rx, region)] if m), None)
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
            if names and not any(n[-1] in ORG_SUFFIX or simplified(n) in NOT_AUTHOR for n in names):
                fields["author"] = " ".join(names)
                break
    if not fields.get("author") and body:
        # essays and columns print the author's bare name on its own line under the title
        lines = body.splitlines()[:3]
        for prev, line in zip(["", *lines], lines):
            if (re.fullmatch(r"[\u4e00-\u9fff]{2,3}", line) and line not in HEADING_WORDS
                    and simplified(line) not in NOT_AUTHOR
                    and len(prev) <= 30 and line[-1] not in ORG_SUFFIX):
                fields["author"] = line
                break
