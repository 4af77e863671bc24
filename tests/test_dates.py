"""The Chinese date layer: a table of strings as real pages print them, and property tests."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from data.date_table import BASE, CASES, COMBOS, NOT_DATES, OPEN_CASES, OPEN_NOT_DATES, ROC_CASES, iso
from pipelines.dates import CST, choose, find_published, normalize_date
from pipelines.dates.clock import PRECISIONS
from pipelines.extract import parse_html


def test_table_is_large():
    assert len(CASES) + len(NOT_DATES) + len(COMBOS) >= 150


@pytest.mark.parametrize("text,value,precision", CASES + COMBOS)
def test_normalise(text, value, precision):
    dt, prec = normalize_date(text, BASE)
    assert dt is not None, text
    assert (dt.isoformat(), prec) == (value, precision)


@pytest.mark.parametrize("text", NOT_DATES)
def test_not_a_date(text):
    assert normalize_date(text, BASE) == (None, None)


def test_reference_time_in_another_zone_is_converted():
    base_utc = datetime(2024, 5, 9, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai
    assert normalize_date("3小时前", base_utc)[0].isoformat() == iso(2024, 5, 9, 9, 0)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.datetimes(min_value=datetime(1995, 1, 1), max_value=datetime(2035, 1, 1)))
def test_never_raises_never_future(text, base):
    base = base.replace(tzinfo=CST)
    dt, prec = normalize_date(text, base)
    if dt is not None:
        assert dt <= base + timedelta(days=1)
        assert dt.year >= 1990 and prec in PRECISIONS


@settings(max_examples=200, deadline=None)
@given(st.integers(1990, 2023), st.integers(1, 12), st.integers(1, 28), st.integers(0, 23),
       st.integers(0, 59), st.sampled_from(["{y}-{m:02d}-{d:02d} {H:02d}:{M:02d}",
                                             "{y}年{m}月{d}日 {H:02d}:{M:02d}",
                                             "发布时间：{y}/{m}/{d} {H}:{M:02d}"]))
def test_round_trip_of_printed_forms(y, m, d, H, M, form):
    dt, prec = normalize_date(form.format(y=y, m=m, d=d, H=H, M=M), BASE)
    assert prec == "minute" and dt == datetime(y, m, d, H, M, tzinfo=CST)


# --- candidates and choice -------------------------------------------------------------------
def published(html: str, url: str = "", hint: dict | None = None, fetched="2024-05-09T04:00:00+00:00"):
    return find_published(parse_html(html), url, fetched, hint, use_fallback=False)


def test_gov_meta_pubdate_wins_and_keeps_minutes():
    html = ('<html><head><meta name="PubDate" content="2024-05-09 10:21"></head><body>'
            '<p>发布时间：2024-05-09</p></body></html>')
    out = published(html, "http://www.yn.gov.cn/ywdt/202405/t20240509_1.html")
    assert out == {"published_at": iso(2024, 5, 9, 10, 21), "published_precision": "minute",
                   "published_source": "meta"}


def test_modified_date_loses_to_published():
    html = ('<html><head><meta property="article:modified_time" content="2024-05-09T09:00:00+08:00">'
            '<meta property="article:published_time" content="2024-05-02T08:00:00+08:00"></head></html>')
    assert published(html)["published_at"] == iso(2024, 5, 2, 8, 0)


def test_candidate_agreeing_with_url_date_is_preferred():
    html = ('<html><head><meta name="pubdate" content="2023-01-01"></head><body><h1>标题标题</h1>'
            '<div class="info">2024-05-06 08:00</div></body></html>')
    out = published(html, "http://x.cn/system/2024/05/06/1.shtml")
    assert out["published_at"] == iso(2024, 5, 6, 8, 0) and out["published_source"] == "visible"


def test_time_of_day_from_a_second_candidate_on_the_same_day():
    html = '<html><body><div class="time">2024年05月06日 08:40</div></body></html>'
    out = published(html, "http://x.cn/202405/t20240506_1.html")
    assert out["published_at"] == iso(2024, 5, 6, 8, 40)


def test_url_date_when_the_page_prints_none():
    out = published("<html><body><p>正文</p></body></html>", "http://x.cn/202405/t20240506_1.html")
    assert out == {"published_at": iso(2024, 5, 6), "published_precision": "day", "published_source": "url"}


def test_list_page_hint_with_year_less_date_resolves_against_fetched_at():
    out = published("<html><body><p>正文</p></body></html>", "http://x.cn/a/1.html",
                    {"text": "标题", "date": "05-08 10:21"})
    assert out == {"published_at": iso(2024, 5, 8, 10, 21), "published_precision": "minute",
                   "published_source": "listpage"}


def test_future_dates_on_the_page_are_ignored():
    html = '<html><head><meta name="pubdate" content="2025-01-01"></head><body></body></html>'
    assert published(html)["published_at"] is None


def test_jsonld_date_published():
    html = ('<html><head><script type="application/ld+json">{"@type":"NewsArticle",'
            '"datePublished":"2024-05-09T02:21:00Z","dateModified":"2024-05-09T03:00:00Z"}</script></head></html>')
    out = published(html)
    assert out["published_at"] == iso(2024, 5, 9, 10, 21) and out["published_source"] == "jsonld"


def test_choose_nothing():
    assert choose([]) is None


def test_open_world_table_is_large():
    assert len(OPEN_CASES) + len(OPEN_NOT_DATES) + len(ROC_CASES) >= 150


@pytest.mark.parametrize("text,value,precision", OPEN_CASES)
def test_open_world_forms(text, value, precision):
    dt, prec = normalize_date(text, BASE)
    assert dt is not None, text
    assert (dt.isoformat(), prec) == (value, precision)


@pytest.mark.parametrize("text", OPEN_NOT_DATES)
def test_open_world_non_dates_stay_null(text):
    assert normalize_date(text, BASE) == (None, None)


@pytest.mark.parametrize("text,value,precision", ROC_CASES)
def test_roc_years_on_a_taiwanese_page(text, value, precision):
    dt, prec = normalize_date(text, BASE, roc=True)
    assert dt is not None and (dt.isoformat(), prec) == (value, precision)


def test_a_rejected_full_date_is_not_reread_by_a_weaker_pattern():
    old_base = datetime(2015, 5, 1, 12, 0, tzinfo=CST)  # 2016年 2月 5日 is in this page's future
    assert normalize_date("2016年 2月 5日", old_base) == (None, None)
    assert normalize_date("发布时间：2016-02-05 10:00", old_base) == (None, None)
    assert normalize_date("16年2月5日", old_base) == (None, None)


def test_two_digit_year_takes_the_latest_century_not_in_the_future():
    assert normalize_date("25年1月2日", BASE) == (None, None)  # 2025 is future, 1925 before 1990
    assert normalize_date("25年1月2日", datetime(2026, 1, 1, tzinfo=CST))[0].year == 2025
    assert normalize_date("97年1月2日", BASE)[0].year == 1997


# --- choosing on real page shapes (issue 13) ---------------------------------------------------
GOV_HEAD = ('<html><head><meta name="SiteName" content="某某县人民政府"><meta name="ColumnName" content="通知公告">'
            '<meta name="ArticleTitle" content="关于开展春季造林的通知"><meta name="PubDate" content="{meta}">'
            '<meta name="ContentSource" content="县林草局"></head><body><h1>关于开展春季造林的通知</h1>')


def test_gov_cms_regenerated_pubdate_loses_to_the_printed_publication_line():
    html = GOV_HEAD.format(meta="2024-03-02 17:40") + (
        '<div class="xxgk-info"><span>发布时间：2021-04-12 09:30</span> <span>来源：县林草局</span></div>'
        '<p>各乡镇：现将有关事项通知如下。</p></body></html>')
    out = published(html, "http://www.xx.gov.cn/xxgk/tzgg/content_5521.html")
    assert out["published_at"] == iso(2021, 4, 12, 9, 30) and out["published_source"] == "visible"


def test_gov_cms_open_information_table_label_cells():
    html = GOV_HEAD.format(meta="2024-03-02 17:40:11") + (
        '<table class="xxgk-table"><tr><th>索引号</th><td>11530000/2021-00123</td><th>发文机关</th><td>县政府办</td></tr>'
        '<tr><th>成文日期</th><td>2021年04月08日</td><th>发布日期</th><td>2021年04月12日</td></tr></table>'
        '<p>正文内容。</p></body></html>')
    out = published(html, "http://www.xx.gov.cn/zwgk/content_5521.html")
    assert out["published_at"][:10] == "2021-04-12"


def test_gov_cms_meta_agreeing_with_the_url_wins():
    html = GOV_HEAD.format(meta="2021-04-12 09:30") + (
        '<div class="info">发布时间：2021-04-20</div><p>正文。</p></body></html>')
    out = published(html, "http://www.xx.gov.cn/zwdt/202104/t20210412_5521.html")
    assert out["published_at"] == iso(2021, 4, 12, 9, 30) and out["published_source"] == "meta"


def test_meta_and_printed_line_within_a_day_keep_the_meta():
    html = GOV_HEAD.format(meta="2021-04-12 22:30") + (
        '<div class="info">发布时间：2021-04-13</div><p>正文。</p></body></html>')
    assert published(html)["published_at"] == iso(2021, 4, 12, 22, 30)


def test_printed_time_beats_a_later_meta_time_on_the_same_day():
    html = ('<html><head><meta property="article:published_time" content="2024-05-08T18:02:44+08:00">'
            '</head><body><h1>全市春耕生产有序推进</h1><div class="article-info">'
            '<span class="date">2024-05-08 07:15</span><span class="source">来源：日报</span></div>'
            '<p>正文。</p></body></html>')
    out = published(html)
    assert out["published_at"] == iso(2024, 5, 8, 7, 15) and out["published_source"] == "visible"


def test_printed_time_equal_to_the_meta_time_keeps_the_meta_and_its_seconds():
    html = ('<html><head><meta name="publishdate" content="2024-05-08 07:15:42"></head><body><h1>标题</h1>'
            '<span class="date">2024-05-08 07:15</span></body></html>')
    assert published(html) == {"published_at": iso(2024, 5, 8, 7, 15, 42), "published_precision": "second",
                                "published_source": "meta"}


def test_an_event_time_is_not_the_publication_line():
    html = ('<html><body><h1>关于召开全县安全生产工作会议的通知</h1><p>会议时间：2024年5月6日上午9:00</p>'
            '<p>会议地点：县政府三楼会议室</p><div class="pub-info">2024-05-02 17:30</div></body></html>')
    out = find_published(parse_html(html), "", "2024-05-09T04:00:00+00:00", use_fallback=False,
                         title="关于召开全县安全生产工作会议的通知")
    assert out["published_at"] == iso(2024, 5, 2, 17, 30)


def test_clock_alone_dates_a_page_only_when_nothing_fuller_is_there():
    page = '<html><body><h1>标题</h1><span class="time">09:41</span><p>正文。</p>{}</body></html>'
    assert published(page.format(""))["published_at"] == iso(2024, 5, 9, 9, 41)
    fuller = page.format('<div class="date">2024-05-07 16:00</div>')
    assert published(fuller)["published_at"] == iso(2024, 5, 7, 16, 0)


def test_roc_years_read_on_a_tw_site_and_not_on_a_mainland_one():
    html = '<html><body><h1>公告</h1><div class="date">發布日期：112/03/04</div></body></html>'
    assert published(html, "https://www.example.gov.tw/news/1")["published_at"] == iso(2023, 3, 4)
    hant = html.replace("<html>", '<html lang="zh-Hant-TW">')
    assert published(hant, "https://www.example.org/news/1")["published_at"] == iso(2023, 3, 4)
    assert published(html, "http://www.example.gov.cn/news/1")["published_at"] is None
    history = ('<html><body><h1>民国时期的老街</h1><p>这条老街始建于民国初年。</p>'
               '<div class="date">110.11.10</div></body></html>')
    assert published(history, "http://www.example.gov.cn/news/2")["published_at"] is None
    labelled = html.replace("發布日期：112/03/04", "民國112年 發布日期：112/03/04")
    assert published(labelled, "http://www.example.org/news/1")["published_at"] == iso(2023, 3, 4)


def test_a_site_header_saying_what_day_it_is_is_no_publication_date():
    html = ('<html><body><div class="top-date">今天是：2024年05月09日 星期四</div><h1>标题</h1>'
            '<div class="article-date">2024年05月06日 16:20</div><p>正文。</p></body></html>')
    assert published(html)["published_at"] == iso(2024, 5, 6, 16, 20)


def test_an_agency_dateline_dates_a_page_that_prints_nothing_else():
    html = ('<html><body><h1>全省春耕生产进展顺利</h1><p>新华社昆明5月6日电（记者张三）记者从省农业农村厅获悉，'
            '截至目前全省已完成春播面积过半。</p></body></html>')
    assert published(html)["published_at"] == iso(2024, 5, 6)
    dated = html.replace("<h1>", '<div class="date">2024-05-07 09:00</div><h1>')
    assert published(dated)["published_at"] == iso(2024, 5, 7, 9, 0)


def test_url_date_shapes():
    for url in ("http://yn.people.com.cn/n2/2024/0506/c378439-40832451.html",
                "http://politics.people.com.cn/n1/2024/0506/c1001-40832451.html",
                "http://www.xx.gov.cn/art/2024/5/6/art_1229_5582.html",
                "http://www.xx.com.cn/gn/2024/05-06/10213.shtml",
                "http://www.xx.gov.cn/xwzx/202405/06/t1.html"):
        out = published("<html><body><p>正文</p></body></html>", url)
        assert out["published_at"] == iso(2024, 5, 6) and out["published_source"] == "url"


def test_published_day_is_the_shanghai_day_in_the_database(tmp_path):
    from pipelines.schema import MIGRATIONS, connect
    from pipelines.store import save_article

    db = connect(tmp_path / "news.db")
    with db.conn:
        for i, at in enumerate(["2024-05-09T07:30:00+08:00", "2024-05-09T23:10:00+08:00", None]):
            save_article(db, {"url": f"http://a.cn/{i}.html", "site": "a", "fetched_at": "2024-05-10T00:00:00+00:00",
                              "article": {"title": f"标题{i}", "body": f"正文第{i}篇，内容各不相同。" * 3,
                                          "published_at": at}})
    rows = db.execute("SELECT published_day, date(published_at) FROM articles ORDER BY url").fetchall()
    assert rows == [("2024-05-09", "2024-05-08"), ("2024-05-09", "2024-05-09"), (None, None)]
    assert db.execute("SELECT day, articles FROM daily_counts").fetchall() == [("2024-05-09", 2)]
    # a database from before the column: the migration back-fills it
    db.execute("UPDATE articles SET published_day = NULL")
    MIGRATIONS[[m.__name__ for m in MIGRATIONS].index("_published_day")](db)
    assert [r[0] for r in db.execute("SELECT published_day FROM articles ORDER BY url")] == \
        ["2024-05-09", "2024-05-09", None]


# --- the stage's fast scans (pipelines/dates/scan.py) give what the plain loops gave -----------
from pipelines.dates.normalise import FULL_RE  # noqa: E402
from pipelines.dates.scan import LABELLED_RE, full_dates, labelled_lines, nfkc  # noqa: E402

DATEY = st.text(alphabet="0123456789０１２９ -/.年月日号时：:上下午 发布时间日期更新成文｜|①㋀⼀〇二O\u0301e𝟐", max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | DATEY)
def test_nfkc_is_unicodedata_nfkc(text):
    import unicodedata

    assert nfkc(text) == unicodedata.normalize("NFKC", text)


@settings(max_examples=300, deadline=None)
@given(DATEY)
def test_full_dates_are_full_re_finditer(text):
    assert [m.span() for m in full_dates(text)] == [m.span() for m in FULL_RE.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(DATEY)
def test_labelled_lines_are_labelled_re_finditer(text):
    assert [m.span() for m in labelled_lines(text, 3)] == [m.span() for m in LABELLED_RE.finditer(text)][:3]


def test_a_fullwidth_digit_date_in_the_text_is_found():
    out = published("<html><body><p>正文第一段。</p><p>２０２４年５月８日　１０：２１</p></body></html>")
    assert (out["published_at"], out["published_source"]) == (iso(2024, 5, 8, 10, 21), "visible")


def test_a_labelled_line_beats_an_earlier_unlabelled_date():
    html = ("<html><body><p>相关：2024-05-01 08:00 旧闻</p><div>本站 发布时间：2024-05-08 09:30 来源：某报</div>"
            "<p>正文</p></body></html>")
    assert published(html)["published_at"] == iso(2024, 5, 8, 9, 30)


def test_a_label_cell_inside_a_layout_table_is_read():
    # the layout cell holds the whole page (read only as far as a label could reach); the label
    # is in a <b> inside its own cell, with a colon and spaces around it
    filler = "".join(f"<p>第{i}段正文，内容很长。</p>" for i in range(30))
    html = ("<html><body><table><tr><td>" + filler +
            "<table><tr><td>成文日期</td><td>2024-05-01</td></tr>"
            "<tr><td> <b>发布日期 ：</b> </td><td>2024-05-07</td></tr></table></td></tr></table></body></html>")
    assert published(html)["published_at"] == iso(2024, 5, 7)  # the text alone would say 05-01


def test_the_first_date_element_in_document_order_wins():
    html = ('<html><body><div class="nav">首页</div><p>2024-05-01 07:00 旧闻</p><span id="PubTime">2024-05-06 08:00</span>'
            '<p>正文</p><span class="DATE">2024-05-07 09:00</span><em class="info">2024-05-08 10:00</em>'
            '</body></html>')
    assert published(html)["published_at"] == iso(2024, 5, 6, 8, 0)


def test_apply_dates_reads_the_text_extract_left_and_falls_back_without_it():
    from pipelines.dates import apply_dates
    from pipelines.extract.bylines import page_text

    html = ("<html><body><h1>标题</h1><p>发布时间：2024-05-08 09:30</p><p>正文</p></body></html>")
    tree = parse_html(html)
    with_text = {"_tree": tree, "_text": page_text(tree), "url": "", "fetched_at": "2024-05-09T04:00:00+00:00",
                 "article": {"title": "标题"}}
    without = {"_tree": tree, "url": "", "fetched_at": "2024-05-09T04:00:00+00:00", "article": {"title": "标题"}}
    apply_dates(with_text)
    apply_dates(without)
    assert with_text["article"] == without["article"]
    assert with_text["article"]["published_at"] == iso(2024, 5, 8, 9, 30)


def test_run_stages_sends_no_page_text_back():
    from pipelines.page import new_page
    from pipelines.stage_pool import run_stages

    page = new_page("http://a.cn/x.html", site="", body="<html><body><p>正文</p></body></html>".encode(),
                    fetched_at="2024-05-09T04:00:00+00:00")
    page["_text"] = "正文"
    assert "_text" not in run_stages((page, {}))
