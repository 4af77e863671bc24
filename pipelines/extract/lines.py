"""Line cleaning: the extracted text, line by line, with chrome dropped and labelled lines moved.

What survives pruning is text at the edges of the story: footer lines, labelled metadata, notices
appended after it, promo lines opening or closing it, headline lists under it. Each line is matched
in simplified forms against the families in words.py; position decides for the weaker ones (a
promo line is dropped only in the run of lines opening or closing the body).
"""
from __future__ import annotations

import re

from pipelines.extract.bylines import harvest_fields
from pipelines.extract.dom import norm
from pipelines.extract.words import (BOILER_LINE_RE, CHROME_LINE_RE, EDGE_PROMO_RE, EDITOR_LINE_RE,
                                     META_LINE_RE, NOTICE_HEAD_RE, NOTICE_RE, ORIGINAL_TITLE_RE, PROVENANCE_RE,
                                     TAG_LINE_RE, TAIL_HEAD_RE, TRAILING_CREDIT_RE, simplified)

CSS_LINE_RE = re.compile(r"^(?:[#.@\w\s,:>*()\[\]=\"'-]+\{|\}|[\w*-]+\s*:\s*[^;]{0,80};?\s*(?:/\*.*\*/)?|/\*.*\*/)$")
# "[21:59] 06-04": the time stamp of a list row
LINK_STAMP_RE = re.compile(r"^[\[(（]?\d{1,2}:\d{2}(?::\d{2})?[\])）]?\s*(?:\d{1,2}[-/]\d{1,2})?$|"
                           r"^[\[(（]?\d{1,2}[-/]\d{1,2}[\])）]?$")
# a line led by a date: "2024-05-09 10:21 昆明日报" is the info line, not story
DATE_LED_RE = re.compile(r"^\s*(?:发布时间[:：]\s*)?\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
                         r"(?:\s*\d{1,2}[:：]\d{2}(?::\d{2})?)?")
EDGE_MAX = 120  # promo lines are short; a longer line at the edge is story


def take_original_title(raw: str, line: str, fields: dict) -> tuple[str, str]:
    """Cut a （原标题：…） out of a line into ``fields["original_title"]``; the rest of the line stays."""
    m = ORIGINAL_TITLE_RE.search(line)
    if not m:
        return raw, line
    g = 1 if m.group(1) else 2
    fields.setdefault("original_title", raw[m.start(g): m.end(g)].strip())
    return (raw[: m.start()] + raw[m.end():]).strip(), (line[: m.start()] + line[m.end():]).strip()


def notice(raw: str, line: str, fields: dict) -> bool:
    """A notice appended to a story (disclaimer, rights, comment rules). A reprint-provenance line
    (本文来自微信公众号“X”…) names where the story came from: X becomes the source when none is known."""
    if len(norm(line)) > 300 or not NOTICE_RE.search(line):
        return False
    m = PROVENANCE_RE.match(line)
    if m and not fields.get("source"):
        fields["source"] = raw[m.start(1): m.end(1)]
    if m:
        harvest_fields(raw, fields)  # its 作者：… is the author
    return True


def trim_edges(lines: list[str]) -> list[str]:
    """Drop promo/follow lines in the run opening the body and in the run closing it."""
    def promo(line: str) -> bool:
        return len(line) <= EDGE_MAX and bool(EDGE_PROMO_RE.search(simplified(line)))

    start, end = 0, len(lines)
    while start < end and promo(lines[start]):
        start += 1
    while end > start and promo(lines[end - 1]):
        end -= 1
    return lines[start:end]


def drop_template_lines(body: str, template: frozenset[str] | set[str] | None) -> str:
    """Drop the lines of the site's template-line set (pipelines/site_lines.py) in the run opening
    the body and in the run closing it; a line in the middle of a story always stays."""
    if not template or not body:
        return body
    lines = body.splitlines()
    start, end = 0, len(lines)
    while start < end and (not lines[start].strip() or norm(lines[start]) in template):
        start += 1
    while end > start and (not lines[end - 1].strip() or norm(lines[end - 1]) in template):
        end -= 1
    return "\n".join(lines[start:end])


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
        line = simplified(line)  # match in simplified forms; ``raw`` is what we keep
        raw, line = take_original_title(raw, line, fields)
        if not line:
            continue
        m = TRAILING_CREDIT_RE.search(line)
        if m and m.start() > 0:
            harvest_fields(raw[m.start():], fields)  # "……解决。（责任编辑：王芳）": keep the sentence
            raw, line = raw[: m.start()].rstrip(), line[: m.start()].rstrip()
        compact = norm(line)
        if len(compact) <= 50 and norm(raw) in anchors:
            continue  # a line that is a whole link's text: a teaser from a list
        if LINK_STAMP_RE.match(compact):
            continue  # "[21:59] 06-04": the time stamp of a list row
        if NOTICE_HEAD_RE.match(compact) and i >= n * 0.3:
            break  # 版权声明 / 反侵权公告 and its numbered items
        if TAIL_HEAD_RE.match(compact.lstrip("※•▲★◆■□●○◎→>》·")):
            if i >= n * 0.3:
                break  # 相关新闻 / 推荐阅读 ... the story is over
            continue
        if re.match(r"^[\u4e00-\u9fff]{0,8}(?:推荐|热点|头条)[:：]", compact) and i >= n * 0.5:
            continue  # "财经首页头条推荐：…" teaser lines
        if EDITOR_LINE_RE.match(line) or (META_LINE_RE.match(line) and len(compact) <= 60):
            harvest_fields(raw, fields)
            continue
        if (len(compact) <= 200 and TAG_LINE_RE.match(line)) or notice(raw, line, fields):
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
        if m and len(norm(line[m.end():])) <= 16:
            rest = line[m.end():].strip(" 　|丨")
            if rest and not fields.get("source") and re.fullmatch(r"[\u4e00-\u9fffA-Za-z]{2,12}", rest):
                fields["source"] = rest
            continue
        if len(compact) <= 60 and re.search(r"责任编辑\s*[:：]", line):
            harvest_fields(raw, fields)
            continue
        out.append(raw)
    return "\n".join(trim_edges(out))

