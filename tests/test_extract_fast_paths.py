"""The extract stage's fast paths give what their plain forms give (issue 19: half the CPU per page).

Each fast path replaced a slower, obviously correct form; these tests hold the two equal on the
classes of input where they could differ: traditional characters or none, comments, whitespace of
every kind, links longer than a story's threshold, nested removed blocks, the mirror's pages.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.decode import decode
from pipelines.extract import dom, govinfo
from pipelines.extract.dom import measure, norm, parse_html
from pipelines.extract.prune import _is_boiler_by_name, tokens
from pipelines.extract.words import BOILER_PINYIN, BOILER_TOKENS, CONTENT_TOKENS, T2S, simplified

MIRROR = Path(__file__).resolve().parent.parent / "data" / "mirror"


def mirror_pages(limit: int = 40) -> list[str]:
    files = sorted(p for p in MIRROR.rglob("*") if p.suffix in (".html", ".shtml", ".htm"))[:limit]
    out = []
    for p in files:
        try:
            out.append(decode(p.read_bytes(), {})[0])
        except Exception:  # noqa: BLE001 - a binary fixture (PDF) is no page
            continue
    return out


@pytest.mark.parametrize("text", [
    "", "全市今年已完成防汛应急演练", "相關新聞 責任編輯：陳鈞凱", "English only", "混合 編輯 and 编辑 台灣",
    "\u3000發佈時間：2024年5月9日", "并 並 国 國",
])
def test_simplified_is_the_translation(text):
    assert simplified(text) == text.translate(T2S)


def test_simplified_covers_every_traditional_character_of_the_table():
    changed = "".join(chr(k) for k, v in T2S.items() if k != v)
    assert simplified(changed) == changed.translate(T2S)
    assert simplified(changed) != changed


@pytest.mark.parametrize("text", ["a b", " a\tb\n", "a\u3000b\xa0c\u2003d", "", "\u200b", "x\x1cy\x0bz"])
def test_norm_removes_what_regex_whitespace_removes(text):
    assert norm(text) == re.sub(r"\s+", "", text)


def _naive_measure(el) -> list[int]:
    """The plain definition: whole-subtree text, link text of <a> under 150 characters, link count."""
    if not isinstance(el.tag, str):
        return [0, 0, 0]

    def chars(s):
        return len("".join(s.split())) if s else 0

    total, link_chars, links = chars(el.text), 0, 0
    for child in el:
        c = _naive_measure(child)
        total += c[0] + chars(child.tail)
        link_chars += c[1]
        links += c[2]
    if el.tag == "a" and total < 150:
        link_chars, links = total, links + 1
    return [total, link_chars, links]


HAND_MADE = [
    "<html><body><div>前言<!-- 注释 -->后记<a href='/1'>短链接</a>尾巴<p>段落\u3000一</p></div></body></html>",
    "<html><body><a href='/x'>" + "很长的链接正文" * 30 + "<a href='/y'>内</a></a>  </body></html>",
    "<html><body><ul><li><a href='/1'>甲</a></li>\n  <li><a href='/2'>乙</a> 尾</li></ul><?pi x?>"
    "<table><tr><td> \n </td><td>值</td></tr></table></body></html>",
]


@pytest.mark.parametrize("html", HAND_MADE + mirror_pages())
def test_measure_matches_the_plain_definition(html):
    tree = parse_html(html)
    root = tree.find(".//body")
    stats = measure(root)
    for el in root.iter():
        assert stats[el] == _naive_measure(el), dom.text_of(el)[:60] if isinstance(el.tag, str) else el


@pytest.mark.parametrize("html", HAND_MADE + mirror_pages())
def test_info_table_reads_the_same_with_the_page_text_given(html):
    from pipelines.extract.bylines import page_text

    tree = parse_html(html)
    assert govinfo.info_table(tree, govinfo.document_hint(tree, page_text(tree))) is govinfo.info_table(tree)


def test_info_table_found_with_the_page_text_given():
    html = ("<html><body><table class='xxgk'><tr><td>索引号：</td><td>1153/2024-001</td></tr>"
            "<tr><td>发文机关：</td><td>云南省人民政府</td></tr><tr><td>文号：</td><td>云政发〔2024〕12号</td></tr>"
            "<tr><td>成文日期：</td><td>2024年5月9日</td></tr></table><p>正文。</p></body></html>")
    from pipelines.extract.bylines import page_text

    tree = parse_html(html)
    found = govinfo.info_table(tree, govinfo.document_hint(tree, page_text(tree)))
    assert found is not None and found.tag == "table"


@pytest.mark.parametrize("cls,ident", [
    ("", ""), ("article-content", ""), ("relatedNews", ""), ("hot_list", "sidebar"), ("xgxw", ""),
    ("main TRS_Editor", "zoom"), ("shareBar", ""), ("footer", "content"), ("tuijian-box", ""),
])
def test_boiler_name_cache_gives_the_rule(cls, ident):
    from lxml.html import fragment_fromstring

    el = fragment_fromstring(f"<div class='{cls}' id='{ident}'>x</div>")
    toks = tokens(el)
    expected = bool(toks) and not any(t in CONTENT_TOKENS for t in toks) and (
        any(t in BOILER_TOKENS for t in toks) or any(p in "".join(toks) for p in BOILER_PINYIN))
    assert _is_boiler_by_name(el) is expected
    assert _is_boiler_by_name(el) is expected  # and again, from the cache


# one text per alternative of every byline and field pattern: the needle table must let each through
ALTERNATIVES = {
    ("field", "editor"): ["责任编辑：王芳", "责编：王芳", "编辑：王芳", "值班编辑：王芳"],
    ("field", "source"): ["来源：云南日报 ", "稿源：云南日报 ", "信息来源：云南日报 ", "文章来源：云南日报 ",
                          "新闻来源：云南日报 ", "出处：云南日报 "],
    ("field", "doc_number"): ["发文字号：云政发〔2024〕12号", "文号：云政发〔2024〕12号", "文件编号：ABC-2024-7"],
    ("field", "issuer"): ["发文机关：省政府", "发布机构：省政府", "发文单位：省政府", "发布单位：省政府"],
    ("author", 0): ["记者 李明/文", "通讯员 李明／文", "撰稿人 李明/文", " 李明/文 "],
    ("author", 1): ["作者：王芳 ", "撰稿：王芳 ", "撰文：王芳 ", "执笔：王芳 ", "执笔人：王芳 ", "文字：王芳 ", "文/王芳 "],
    ("author", 2): ["记者 王芳 ", "通讯员：王芳 ", "报道员 王芳 "],
    ("author", 3): ["本帖由王芳于", "本贴由王芳于", "由王芳张贴", "由王芳发表于", "由王芳发布于"],
    ("author", 4): [" 王芳/摄 "],
}


@pytest.mark.parametrize("which,text", [(k, t) for k, texts in ALTERNATIVES.items() for t in texts])
def test_byline_needles_let_every_alternative_through(which, text):
    """The prefilter (a needle per pattern) never hides a match: each alternative of each pattern
    matches, and matches through the prefilter too."""
    from pipelines.extract.bylines import AUTHOR_RES, FIELD_RES, NEEDS, _search

    rx = FIELD_RES[which[1]] if which[0] == "field" else AUTHOR_RES[which[1]]
    assert rx in NEEDS
    assert rx.search(text), text
    assert _search(rx, text), text


@pytest.mark.parametrize("text,key", [
    ("责任编辑：王芳", "editor"), ("来源：云南日报", "source"), ("文号：云政发〔2024〕12号", "doc_number"),
    ("发文机关：云南省人民政府", "issuer"), ("记者 李明/文", "author"), ("作者：张倩", "author"),
    ("本帖由王芳于2024-05-09发表", "author"), ("常书香/摄", "author"),
])
def test_harvest_still_reads_each_label(text, key):
    from pipelines.extract.bylines import harvest_fields

    fields: dict = {}
    harvest_fields(text, fields)
    assert fields.get(key)


@pytest.mark.parametrize("html", [
    "<html><body><div><p>正文。</p><div>附件：<a href='/a.pdf'>实施方案.pdf</a> <a href='/b.doc'>申报表.doc</a></div>"
    "</div></body></html>",
    "<html><body><p>正文没有附件列表。</p><p>附件</p></body></html>",
    "<html><body><p>正文。</p></body></html>",
])
def test_attachments_fold_the_same_with_the_page_text_given(html):
    from lxml import etree

    from pipelines.extract.bylines import page_text

    plain, fast = parse_html(html), parse_html(html)
    govinfo.fold_attachments(plain)
    govinfo.fold_attachments(fast, govinfo.document_hint(fast, page_text(fast)))
    assert etree.tostring(fast, encoding="unicode") == etree.tostring(plain, encoding="unicode")


def test_a_plain_head_goes_before_the_content_search_and_a_swallowing_head_stays():
    from pipelines.extract.dom import drop_plain_head

    plain = parse_html("<html><head><title>标题</title><meta name='a' content='b'><script>x</script>"
                       "</head><body><p>正文。</p></body></html>")
    drop_plain_head(plain)
    assert plain.find("head") is None and plain.find(".//p").text == "正文。"
    # markup that libxml2 reads as head content: the page's body sits inside <head>
    swallowing = parse_html("<html><head><title>标题</title><cms:top><div><p>正文。</p></div></cms:top>"
                            "</head><body></body></html>")
    if swallowing.find("head") is not None and swallowing.find("head").find(".//p") is not None:
        drop_plain_head(swallowing)
        assert swallowing.find("head") is not None
    assert "正文" in "".join(swallowing.itertext())


def test_extract_reads_the_title_and_story_of_a_page_whose_head_swallowed_the_body():
    from pipelines.extract import extract

    story = "记者从昆明市应急管理局获悉，全市今年已完成防汛应急演练120场次，参与群众逾三万人。"
    html = ("<html><head><title>防汛演练120场次-测试网</title><meta http-equiv='content-type' "
            "content='text/html; charset=gb2312'><link href='/a.css' rel='stylesheet'>"
            "<cms_include:style><link href='/b.css' rel='stylesheet'>"
            f"<body><center><h1>防汛演练120场次</h1><p>{story}</p><p>{story}</p><p>{story}</p></center></body></html>")
    out = extract(html)
    assert story in out["body"]


@pytest.mark.parametrize("html", mirror_pages(12))
def test_trafilatura_with_options_built_once_gives_the_plain_call(html):
    import trafilatura

    from pipelines.extract.body import trafilatura_body

    tree = parse_html(html)
    plain = trafilatura.extract(tree, url="http://x.test/a.html", output_format="txt", include_comments=False,
                                include_tables=True, include_images=False, include_links=False,
                                deduplicate=False, favor_precision=False, fast=True, with_metadata=False) or ""
    assert trafilatura_body(tree, "http://x.test/a.html") == plain


def test_has_sentence_is_the_sentence_pattern():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from pipelines.extract import SENTENCE_RE, has_sentence

    @settings(max_examples=2000, deadline=None, database=None)
    @given(st.text(alphabet="甲乙丙 。！？!?a", max_size=120))
    def check(text):
        assert has_sentence(text) == bool(SENTENCE_RE.search(text))

    check()


@pytest.mark.parametrize("html", [
    # labels padded with no-break spaces and broken by a newline: the exact test turns them away
    "<html><body><table><tr><td>索&nbsp;引&nbsp;号：</td><td>1153</td></tr><tr><td>发文\n机关：</td>"
    "<td>省政府</td></tr><tr><td>成文&nbsp;日期：</td><td>2024年5月9日</td></tr></table></body></html>",
    # the first <body> is a stub in <head>
    "<html><head><noscript><body><p>请开启JavaScript</p></body></noscript></head><body><table>"
    "<tr><td>索引号：</td><td>1153</td></tr><tr><td>发文机关：</td><td>省政府</td></tr>"
    "<tr><td>文号：</td><td>云政发〔2024〕12号</td></tr></table><p>附件：<a href='/a.pdf'>方案.pdf</a></p></body></html>",
])
def test_info_table_and_attachments_on_odd_pages_with_the_page_text_given(html):
    from lxml import etree

    from pipelines.extract.bylines import page_text

    tree = parse_html(html)
    assert govinfo.info_table(tree, govinfo.document_hint(tree, page_text(tree))) is govinfo.info_table(tree)
    plain, fast = parse_html(html), parse_html(html)
    govinfo.fold_attachments(plain)
    govinfo.fold_attachments(fast, govinfo.document_hint(fast, page_text(fast)))
    assert etree.tostring(fast, encoding="unicode") == etree.tostring(plain, encoding="unicode")
