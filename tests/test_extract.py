"""Boilerplate families of Chinese pages, each on a page written for the test; exact bodies."""
from __future__ import annotations

import pytest

from pipelines import StageError
from pipelines.extract import extract

P1 = "记者从昆明市水务局获悉，今年以来全市新建改造供水管网86公里，城区供水保障能力进一步提升。"
P2 = "市水务局相关负责人介绍，下一步将加快推进老旧小区二次供水设施改造，年底前完成改造小区120个。"
P3 = "据了解，改造完成后居民家中水压不稳、水质浑浊等问题将得到有效解决。"
STORY = [P1, P2, P3]
TITLE = "昆明今年新建改造供水管网86公里"


def page(after: str = "", before: str = "", paras=STORY, title_tag: str | None = None,
         head: str = "", h1: str = TITLE) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paras)
    return f"""<html><head><meta charset="utf-8"><title>{title_tag or TITLE + '_云南频道_某某网'}</title>{head}</head>
<body><div class="top"><a href="/">首页</a> <a href="/news/">新闻</a> <a href="/ent/">娱乐</a></div>
<div class="wrap"><h1>{h1}</h1>{before}
<div class="article-content">{body}</div>{after}</div>
<div class="copyright">Copyright © 2024 某某网 版权所有 滇ICP备12345678号</div></body></html>"""


HEADLINES = ["某地网红奶茶店排长队引热议", "这种水果多吃竟然伤胃", "夏季出游防晒指南请收好",
             "多部热门电影定档暑期档", "手机电池保养的五个误区"]


def links(items=HEADLINES, prefix="/news/") -> str:
    return "".join(f'<li><a href="{prefix}{i}.html">{h}</a></li>' for i, h in enumerate(items))


FAMILIES = {
    "tuijian-class": f'<div class="tuijian"><h3>推荐</h3><ul>{links()}</ul></div>',
    "related-english": f'<div class="related-news"><h3>相关新闻</h3><ul>{links()}</ul></div>',
    "xgxw-pinyin": f'<div id="xgxw"><span>相关新闻：</span><ul>{links()}</ul></div>',
    "live-more": f'<div class="blk"><div class="t">直播<a href="/live/">更多》</a></div><ul>{links()}</ul></div>',
    "hot-rank": f'<div class="hot-rank"><h3>热门推荐</h3><ol>{links()}</ol></div>',
    "untitled-link-list": f'<div class="box-7"><ul>{links()}</ul></div>',
    "share-bar": '<div class="bdshare">分享到：<a href="#">微信</a><a href="#">微博</a><a href="#">QQ空间</a></div>',
    "share-line": '<p>分享到： 微信 微博 QQ空间</p>',
    "print-close": '<div class="tools"><a href="#">【打印本页】</a><a href="#">【关闭窗口】</a></div>',
    "print-close-plain": '<p>【打印本页】 【关闭窗口】</p>',
    "prev-next": '<div class="pn"><p>上一篇：<a href="/a/1.html">我市召开防汛工作会议</a></p>'
                 '<p>下一篇：<a href="/a/3.html">全市春耕生产有序推进</a></p></div>',
    "qr-code": '<div class="ewm"><img src="/qr.png"><p>扫一扫在手机打开当前页</p></div>',
    "gov-footer": '<div class="foot"><p>网站标识码：5301000001</p><p>滇ICP备05001234号</p>'
                  '<p>主办单位：昆明市人民政府办公室</p></div>',
    "comment-box": '<div id="comment"><h3>网友评论</h3><p>已有0条评论</p><textarea></textarea></div>',
    "traditional-related": '<p>※相關新聞》</p><p>• 台北市長春節團拜</p><p>• 年貨大街人潮湧現</p>',
    "traditional-disclaimer": '<p>免責聲明：本文所載資料僅供參考，並不構成投資建議。</p>'
                              '<p>(內容由新浪北京提供。未經授權，不得轉載。)</p>',
    "social-promo": '<p>香港新浪新聞現已開設Facebook專頁，讓你即時掌握本地新聞。</p><p>調整字體︰</p>',
    "teaser-rows-with-stamps": '<div class="w1"><p><a href="/n/1.html">男子超商抽菸被制止揮拳毆店員..</a></p>'
                               '<p>[21:59] 06-04</p><p><a href="/n/2.html">台鐵埔心平交道車禍一死多傷</a></p>'
                               '<p>[21:36] 06-04</p></div>',
    "contact-lines": '<p>声明：</p><p>凡注明为其他媒体来源的信息，均为转载自其他媒体，转载并不代表本网赞同其观点。</p>'
                     '<p>电话：021-52921234 传真：021-62920000</p><p>邮箱：news@example.com</p>',
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_boilerplate_family_is_removed_and_story_kept_exactly(family):
    out = extract(page(after=FAMILIES[family]))
    assert out["body"] == "\n".join(STORY)
    for h in HEADLINES:
        assert h not in out["body"]


def test_traditional_editor_label_keeps_the_name_as_printed():
    out = extract(page(after='<p>責任編輯：陳鈞凱</p>'))
    assert out["body"] == "\n".join(STORY) and out["editor"] == "陳鈞凱"


def test_byline_opening_and_closing_the_story():
    out = extract(page(paras=["河南商报记者马俊峰/文受访者供图", P1, P2, P3]))
    assert out["author"] == "马俊峰"
    out = extract(page(paras=[P1, P2, P3 + "（姚峰 上海报道）"]))
    assert out["author"] == "姚峰" and out["body"].endswith("（姚峰 上海报道）")


def test_story_sentences_with_reporter_words_are_not_bylines():
    out = extract(page(paras=["记者从昆明市水务局获悉，" + P1[11:], "记者：首先欢迎你来到节目现场。", P3]))
    assert out["author"] == ""


def test_editor_line_moves_to_its_field():
    out = extract(page(after='<p class="editor">责任编辑：李华</p>'))
    assert out["body"] == "\n".join(STORY) and out["editor"] == "李华"


def test_editor_inside_the_last_paragraph_brackets():
    out = extract(page(paras=[P1, P2, P3 + "（责任编辑：王芳）"]))
    assert out["body"].splitlines()[-1] == P3 and out["editor"] == "王芳"


def test_source_and_author_from_the_info_line_under_the_headline():
    info = '<div class="info"><span>2024-05-09 10:21</span><span>来源：昆明日报</span><span>作者：张伟 李娜</span></div>'
    out = extract(page(before=info))
    assert out["body"] == "\n".join(STORY)
    assert out["source"] == "昆明日报" and out["author"] == "张伟 李娜"


def test_gov_content_source_meta_is_the_source():
    out = extract(page(head='<meta name="ContentSource" content="云南日报">'))
    assert out["source"] == "云南日报"


def test_story_attribution_and_short_last_paragraph_are_kept():
    paras = STORY + ["（新浪云南）"]
    out = extract(page(paras=paras, after=FAMILIES["tuijian-class"]))
    assert out["body"] == "\n".join(paras)


def test_short_real_paragraph_and_caption_are_kept():
    paras = [P1, "图为改造后的供水泵站。", P2, "记者 张伟 摄", P3]
    out = extract(page(paras=paras))
    assert out["body"].splitlines()[0] == P1
    assert "图为改造后的供水泵站。" in out["body"].splitlines()
    assert out["body"].splitlines()[-1] == P3


@pytest.mark.parametrize("title_tag,h1,head,expected", [
    (TITLE + "_云南频道_新浪网", TITLE, "", TITLE),
    (TITLE + " - 昆明信息港", "昆明信息港", "", TITLE),
    ("云南省人民政府门户网站", "", f'<meta name="ArticleTitle" content="{TITLE}">', TITLE),
    ("某某网", "", f'<meta property="og:title" content="{TITLE}">', TITLE),
    (TITLE + "|七彩网", "", "", TITLE),
])
def test_title_is_the_headline_not_the_title_tag(title_tag, h1, head, expected):
    out = extract(page(title_tag=title_tag, h1=h1, head=head))
    assert out["title"] == expected


def test_density_fallback_reads_table_layouts_with_br_text():
    text = "<br>".join(STORY)
    html = f"""<html><head><title>{TITLE}</title></head><body><table><tr><td class="nav">
    <a href="/">首页</a> <a href="/a">新闻</a></td></tr><tr><td>{text}</td></tr></table></body></html>"""
    out = extract(html)
    assert out["body"] == "\n".join(STORY)


def test_empty_document_is_a_stage_error():
    with pytest.raises(StageError):
        extract("   ")


def test_page_without_text_gives_an_empty_body_not_an_exception():
    out = extract("<html><head><title>x</title></head><body><img src='a.png'></body></html>")
    assert out["body"] == ""


def test_bare_name_line_under_the_title_is_the_author():
    out = extract(page(paras=["犬儒病（上）", "胡平", P1, P2, P3]))
    assert out["author"] == "胡平"
    out = extract(page(paras=["前言", P1, P2, P3]))  # a heading word is not a name
    assert out["author"] == ""


def test_datelines_agencies_and_role_words_are_not_authors():
    assert extract(page(paras=[P1, P2, P3 + "（北京）"]))["author"] == ""
    assert extract(page(paras=[P1, P2, P3 + "（新华社）"]))["author"] == ""
    out = extract(page(before="<div class='info'>作者：陈巍 编辑 来源：财讯网</div>"))
    assert out["author"] == "陈巍"
