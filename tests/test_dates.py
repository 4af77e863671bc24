"""The Chinese date layer: a table of strings as real pages print them, and property tests."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from pipelines.dates import CST, choose, find_published, normalize_date
from pipelines.extract import parse_html

BASE = datetime(2024, 5, 9, 12, 0, tzinfo=CST)  # the page's fetched_at in these cases


def iso(y, mo, d, h=0, mi=0, s=0):
    return datetime(y, mo, d, h, mi, s, tzinfo=CST).isoformat()


CASES = [
    # full forms, any separators
    ("2024-05-09 10:21", iso(2024, 5, 9, 10, 21), "minute"),
    ("2024-05-09", iso(2024, 5, 9), "day"),
    ("2024/5/9 10:21:33", iso(2024, 5, 9, 10, 21, 33), "second"),
    ("2024.05.09", iso(2024, 5, 9), "day"),
    ("2024.5.9 10:21", iso(2024, 5, 9, 10, 21), "minute"),
    ("2024/05/09", iso(2024, 5, 9), "day"),
    ("2024年5月9日", iso(2024, 5, 9), "day"),
    ("2024年05月09日 10:21", iso(2024, 5, 9, 10, 21), "minute"),
    ("2024年05月09日10:21", iso(2024, 5, 9, 10, 21), "minute"),
    ("2024年5月9日 10时21分", iso(2024, 5, 9, 10, 21), "minute"),
    ("2024年5月9日10点21分", iso(2024, 5, 9, 10, 21), "minute"),
    ("2024-5-9 9:05", iso(2024, 5, 9, 9, 5), "minute"),
    ("2024-05-09 10:21:00", iso(2024, 5, 9, 10, 21), "second"),
    ("[2024-05-09]", iso(2024, 5, 9), "day"),
    ("(2024-05-09)", iso(2024, 5, 9), "day"),
    ("20240509", iso(2024, 5, 9), "day"),
    ("2024 05 09", iso(2024, 5, 9), "day"),
    # full-width digits and colons
    ("２０２４－０５－０９　１０：２１", iso(2024, 5, 9, 10, 21), "minute"),
    ("２０２４年５月９日", iso(2024, 5, 9), "day"),
    ("2024年05月09日 10：21", iso(2024, 5, 9, 10, 21), "minute"),
    # weekday noise
    ("2024年05月09日　星期四", iso(2024, 5, 9), "day"),
    ("2024年5月9日(周四) 10:21", iso(2024, 5, 9, 10, 21), "minute"),
    ("2024年5月9日 週四", iso(2024, 5, 9), "day"),
    ("2024-05-09 星期四 10:21", iso(2024, 5, 9, 10, 21), "minute"),
    ("2024年5月9日（星期四）", iso(2024, 5, 9), "day"),
    ("2024年5月9日 礼拜四", iso(2024, 5, 9), "day"),
    # labels and trailing noise
    ("发布时间：2024-05-09 10:21", iso(2024, 5, 9, 10, 21), "minute"),
    ("发布日期：2024-05-09", iso(2024, 5, 9), "day"),
    ("时间：2024-05-09 10:21:00 来源：昆明日报", iso(2024, 5, 9, 10, 21), "second"),
    ("2024-05-09 10:21 来源：云南网 作者：张三", iso(2024, 5, 9, 10, 21), "minute"),
    ("日期：2024年05月09日 浏览次数：123", iso(2024, 5, 9), "day"),
    ("来源：新华网 2024-05-09 10:21", iso(2024, 5, 9, 10, 21), "minute"),
    ("更新时间：2024/05/09 08:00", iso(2024, 5, 9, 8, 0), "minute"),
    ("发表于 2024-5-9 10:21", iso(2024, 5, 9, 10, 21), "minute"),
    ("发布时间:2024-05-09 10:21 | 来源:昆明日报 | 作者:李四", iso(2024, 5, 9, 10, 21), "minute"),
    ("【发布时间：2024-05-09】", iso(2024, 5, 9), "day"),
    ("2024年05月09日 10:21 新浪云南", iso(2024, 5, 9, 10, 21), "minute"),
    ("稿源：云南日报 2024-05-09", iso(2024, 5, 9), "day"),
    ("成文日期：2024年05月06日", iso(2024, 5, 6), "day"),
    # 上午/下午/晚上
    ("2024年5月9日 下午3:20", iso(2024, 5, 9, 15, 20), "minute"),
    ("2024年5月9日 上午10:20", iso(2024, 5, 9, 10, 20), "minute"),
    ("2024年5月8日 晚上8:30", iso(2024, 5, 8, 20, 30), "minute"),
    ("2024年5月8日 中午12:10", iso(2024, 5, 8, 12, 10), "minute"),
    ("2024年5月8日 凌晨12:30", iso(2024, 5, 8, 0, 30), "minute"),
    ("2024年5月8日 下午12:30", iso(2024, 5, 8, 12, 30), "minute"),
    ("2024年5月9日 星期四 下午 3:20", iso(2024, 5, 9, 15, 20), "minute"),
    ("2024-05-08 10:21 PM", iso(2024, 5, 8, 22, 21), "minute"),
    # Chinese numerals
    ("二〇二四年五月九日", iso(2024, 5, 9), "day"),
    ("二○二四年五月九日", iso(2024, 5, 9), "day"),
    ("二零二四年五月九日", iso(2024, 5, 9), "day"),
    ("二〇二三年十二月三十一日", iso(2023, 12, 31), "day"),
    ("二〇二三年十月一日", iso(2023, 10, 1), "day"),
    ("二〇二三年十一月二十日", iso(2023, 11, 20), "day"),
    ("二〇二二年五月九日", iso(2022, 5, 9), "day"),
    ("二〇一九年一月二十九日", iso(2019, 1, 29), "day"),
    ("二〇二四年四月", iso(2024, 4, 1), "month"),
    # year-less month-day: the latest such date not after the reference
    ("05月09日 10:21", iso(2024, 5, 9, 10, 21), "minute"),
    ("5月8日", iso(2024, 5, 8), "day"),
    ("04月24日 08:30", iso(2024, 4, 24, 8, 30), "minute"),
    ("12月30日", iso(2023, 12, 30), "day"),
    ("05-08 10:21", iso(2024, 5, 8, 10, 21), "minute"),
    ("5月10日", iso(2023, 5, 10), "day"),
    ("1月1日", iso(2024, 1, 1), "day"),
    ("[05-06]", iso(2024, 5, 6), "day"),
    ("5月9日 上午9:15", iso(2024, 5, 9, 9, 15), "minute"),
    ("五月八日", iso(2024, 5, 8), "day"),
    # relative forms, resolved against the reference
    ("刚刚", iso(2024, 5, 9, 12, 0), "minute"),
    ("5分钟前", iso(2024, 5, 9, 11, 55), "minute"),
    ("5分鐘前", iso(2024, 5, 9, 11, 55), "minute"),
    ("45分钟前", iso(2024, 5, 9, 11, 15), "minute"),
    ("3小时前", iso(2024, 5, 9, 9, 0), "hour"),
    ("3小時前", iso(2024, 5, 9, 9, 0), "hour"),
    ("3个小时前", iso(2024, 5, 9, 9, 0), "hour"),
    ("半小时前", iso(2024, 5, 9, 11, 30), "minute"),
    ("1天前", iso(2024, 5, 8), "day"),
    ("3天前", iso(2024, 5, 6), "day"),
    ("今天 08:30", iso(2024, 5, 9, 8, 30), "minute"),
    ("今天08:30", iso(2024, 5, 9, 8, 30), "minute"),
    ("昨天 22:10", iso(2024, 5, 8, 22, 10), "minute"),
    ("前天 07:00", iso(2024, 5, 7, 7, 0), "minute"),
    ("昨天", iso(2024, 5, 8), "day"),
    ("发布时间：2小时前", iso(2024, 5, 9, 10, 0), "hour"),
    ("剛剛", iso(2024, 5, 9, 12, 0), "minute"),
    # ROC years
    ("民國113年5月9日", iso(2024, 5, 9), "day"),
    ("民國111年1月2日 10:00", iso(2022, 1, 2, 10, 0), "minute"),
    ("中華民國112年12月1日", iso(2023, 12, 1), "day"),
    # ISO 8601 with offsets, converted to +08:00
    ("2024-05-09T10:21:00+08:00", iso(2024, 5, 9, 10, 21), "second"),
    ("2024-05-09T02:21:00Z", iso(2024, 5, 9, 10, 21), "second"),
    ("2024-05-09T10:21:00.000+0800", iso(2024, 5, 9, 10, 21), "second"),
    ("2024-05-08T22:21:00-04:00", iso(2024, 5, 9, 10, 21), "second"),
    ("2024-05-09T10:21", iso(2024, 5, 9, 10, 21), "minute"),
    ("2024-05-09 10:21:33.123", iso(2024, 5, 9, 10, 21, 33), "second"),
    ("2024-05-09T01:21:00+00:00", iso(2024, 5, 9, 9, 21), "second"),
    ("2024-05-09T10:21+08:00", iso(2024, 5, 9, 10, 21), "minute"),
    # RFC 822
    ("Thu, 09 May 2024 10:21:00 +0800", iso(2024, 5, 9, 10, 21), "minute"),
    ("Thu, 09 May 2024 02:21:00 GMT", iso(2024, 5, 9, 10, 21), "minute"),
    ("Wed, 08 May 2024 22:21:30 -0400", iso(2024, 5, 9, 10, 21, 30), "second"),
    # English
    ("May 9, 2024", iso(2024, 5, 9), "day"),
    ("9 May 2024 10:21", iso(2024, 5, 9, 10, 21), "minute"),
    ("Published: May 8, 2024", iso(2024, 5, 8), "day"),
    # month precision
    ("2024年5月", iso(2024, 5, 1), "month"),
    ("2024年05月", iso(2024, 5, 1), "month"),
    ("2023年12月", iso(2023, 12, 1), "month"),
    # sanity window: not before 1990, not after the reference + 1 day
    ("2024-05-10", iso(2024, 5, 10), "day"),
    ("1990-01-01", iso(1990, 1, 1), "day"),
]

NOT_DATES = [
    "2024", "2024年", "2024年度", "2023年度工作报告", "第2024期", "第2024期 总第356期",
    "电话：0871-63612345", "0871-63612345", "(0871)63612345", "Copyright © 2005-2024",
    "© 2010-2024 版权所有", "版权所有 2005-2024", "1.2万公里", "", "   ", "浏览次数：2024",
    "1989-06-01", "2030-01-01", "2024-05-11", "13月45日", "2024-13-01", "2024-02-30",
    "ISBN 978-7-5000", "共2024条", "滇ICP备05001234号", "网站标识码：5301000001",
    "增长18%", "第3版", "No. 12345", "云南", "最近", "3号线", "2.5亿元",
    "29:61", "5000-2024",
]

LABELS = ["发布时间：", "发布日期：", "时间：", "日期：", "发表时间：", "更新时间：", "发布时间:", "时间: "]
FORMATS = [("2024-05-07 16:45", iso(2024, 5, 7, 16, 45), "minute"),
           ("2024年05月07日 16:45", iso(2024, 5, 7, 16, 45), "minute"),
           ("2024/5/7", iso(2024, 5, 7), "day")]
TRAILERS = ["  来源：昆明日报", "  作者：张三", "  浏览次数：100", "  点击数：55", "　字号：大 中 小"]
COMBOS = [(label + text, value, prec) for label in LABELS for text, value, prec in FORMATS] + \
    [(text + trailer, value, prec) for trailer in TRAILERS for text, value, prec in FORMATS]


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
        assert dt.year >= 1990 and prec in ("second", "minute", "day", "month")


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
