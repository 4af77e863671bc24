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

# --- the open world (issue 13): classes of forms other projects' tests and unseen pages print ----
OPEN_CASES = [
    # two-digit years: the century that is neither in the future nor before 1990
    ("21年3月8日", iso(2021, 3, 8), "day"),
    ("23年11月30日 08:15", iso(2023, 11, 30, 8, 15), "minute"),
    ("20-06-17 09:45:12", iso(2020, 6, 17, 9, 45, 12), "second"),
    ("22/1/3 7:05", iso(2022, 1, 3, 7, 5), "minute"),
    ("18.12.24 16时40分", iso(2018, 12, 24, 16, 40), "minute"),
    ("99年10月", iso(1999, 10, 1), "month"),
    ("96年7月1日", iso(1996, 7, 1), "day"),
    ("24年5月9日", iso(2024, 5, 9), "day"),
    ("95-03-15", iso(1995, 3, 15), "day"),
    ("12/08/06", iso(2012, 8, 6), "day"),
    ("零九年六月十五号", iso(2009, 6, 15), "day"),
    ("九八年三月", iso(1998, 3, 1), "month"),
    ("一六年五月", iso(2016, 5, 1), "month"),
    ("零五年十二月三十一日", iso(2005, 12, 31), "day"),
    # mixed and odd numerals
    ("二0二三年四月二日", iso(2023, 4, 2), "day"),
    ("二〇一八年九月二十", iso(2018, 9, 20), "day"),
    ("二零二一年十二月十二", iso(2021, 12, 12), "day"),
    ("十一月30", iso(2023, 11, 30), "day"),
    ("八月十六", iso(2023, 8, 16), "day"),
    ("二〇二四年一月三十一号", iso(2024, 1, 31), "day"),
    ("二〇二〇年二月二十九日", iso(2020, 2, 29), "day"),
    ("二零一九年十月", iso(2019, 10, 1), "month"),
    ("２０２３年十月八日", iso(2023, 10, 8), "day"),
    ("贰零贰贰年叁月拾捌日", iso(2022, 3, 18), "day"),
    ("二〇二二年六月廿三日", iso(2022, 6, 23), "day"),
    ("二〇二二年十月卅一日", iso(2022, 10, 31), "day"),
    # times in every spelling
    ("2024年5月8日 9时5分", iso(2024, 5, 8, 9, 5), "minute"),
    ("2024年5月8日 9点05分", iso(2024, 5, 8, 9, 5), "minute"),
    ("2024年5月8日 14时07分52秒", iso(2024, 5, 8, 14, 7, 52), "second"),
    ("2024-05-08 14:07:52", iso(2024, 5, 8, 14, 7, 52), "second"),
    ("2024年5月8日 8点半", iso(2024, 5, 8, 8, 30), "minute"),
    ("2024年5月8日 十点半", iso(2024, 5, 8, 10, 30), "minute"),
    ("2024年5月8日 下午两点一刻", iso(2024, 5, 8, 14, 15), "minute"),
    ("2024年5月8日 九点三刻", iso(2024, 5, 8, 9, 45), "minute"),
    ("2024年5月8日 晚上九点零三分", iso(2024, 5, 8, 21, 3), "minute"),
    ("2024年5月8日 傍晚6点20分", iso(2024, 5, 8, 18, 20), "minute"),
    ("2024年5月8日 晚7:45", iso(2024, 5, 8, 19, 45), "minute"),
    ("2024年5月8日 夜里11点", iso(2024, 5, 8, 23, 0), "hour"),
    ("2024年5月8日 夜里2点10分", iso(2024, 5, 8, 2, 10), "minute"),
    ("2024年5月8日 凌晨1:30", iso(2024, 5, 8, 1, 30), "minute"),
    ("2024年5月8日 早上7点", iso(2024, 5, 8, 7, 0), "hour"),
    ("2024年5月8日 中午1点", iso(2024, 5, 8, 13, 0), "hour"),
    ("2024年5月8日 下午4时", iso(2024, 5, 8, 16, 0), "hour"),
    ("2024年5月8日 上午十一点", iso(2024, 5, 8, 11, 0), "hour"),
    ("2024年5月8日 八点钟", iso(2024, 5, 8, 8, 0), "hour"),
    ("5月7日 下午3点40分", iso(2024, 5, 7, 15, 40), "minute"),
    ("五月七日上午九点", iso(2024, 5, 7, 9, 0), "hour"),
    ("2024年5月8日 十点零五", iso(2024, 5, 8, 10, 5), "minute"),
    ("昨天七点二十", iso(2024, 5, 8, 7, 20), "minute"),
    ("上个月12号晚上八点零六", iso(2024, 4, 12, 20, 6), "minute"),
    ("当晚9时", iso(2024, 5, 9, 21, 0), "hour"),
    ("2024年5月7日 夜里12点", iso(2024, 5, 7, 0, 0), "hour"),
    ("4月6日8时3刻", iso(2024, 4, 6, 8, 45), "minute"),
    ("2024年5月8日 10时21分", iso(2024, 5, 8, 10, 21), "minute"),
    # glued or odd separators
    ("2023年8月1709:15", iso(2023, 8, 17, 9, 15), "minute"),
    ("2023-08-1716:40", iso(2023, 8, 17, 16, 40), "minute"),
    ("2023/08/0522:05", iso(2023, 8, 5, 22, 5), "minute"),
    ("2023-08-17-16：40", iso(2023, 8, 17, 16, 40), "minute"),
    ("2023-08-17 16：40：05", iso(2023, 8, 17, 16, 40, 5), "second"),
    ("2023年08月17日16：40", iso(2023, 8, 17, 16, 40), "minute"),
    ("2023.8.17　16:40", iso(2023, 8, 17, 16, 40), "minute"),
    ("5月7日16:40", iso(2024, 5, 7, 16, 40), "minute"),
    # relative forms, any numeral, precision as the text says
    ("8分钟前", iso(2024, 5, 9, 11, 52), "minute"),
    ("二十分钟前", iso(2024, 5, 9, 11, 40), "minute"),
    ("40秒前", iso(2024, 5, 9, 11, 59, 20), "second"),
    ("两小时前", iso(2024, 5, 9, 10, 0), "hour"),
    ("十个小时前", iso(2024, 5, 9, 2, 0), "hour"),
    ("1小时前", iso(2024, 5, 9, 11, 0), "hour"),
    ("两个钟头前", iso(2024, 5, 9, 10, 0), "hour"),
    ("半个小时前", iso(2024, 5, 9, 11, 30), "minute"),
    ("三天前", iso(2024, 5, 6), "day"),
    ("5日前", iso(2024, 5, 4), "day"),
    ("4天以前", iso(2024, 5, 5), "day"),
    ("6小时之前", iso(2024, 5, 9, 6, 0), "hour"),
    ("发布于 2 天前", iso(2024, 5, 7), "day"),
    # spans of several units, quarters and halves: the finest unit said sets the precision
    ("1天2小时前", iso(2024, 5, 8, 10, 0), "hour"),
    ("1小时15分钟前", iso(2024, 5, 9, 10, 45), "minute"),
    ("三个半小时前", iso(2024, 5, 9, 8, 30), "minute"),
    ("一刻钟前", iso(2024, 5, 9, 11, 45), "minute"),
    ("半个月前", iso(2024, 4, 24), "day"),
    ("半年前", iso(2023, 11, 9), "month"),
    ("两年半前", iso(2021, 11, 9), "month"),
    ("1年3个月前", iso(2023, 2, 9), "month"),
    # 今年/去年/前年 before a month, 本月/上月 before a day
    ("今年3月2日", iso(2024, 3, 2), "day"),
    ("去年11月20日 09:00", iso(2023, 11, 20, 9, 0), "minute"),
    ("前年6月", iso(2022, 6, 1), "month"),
    ("本月2日", iso(2024, 5, 2), "day"),
    ("上月30日", iso(2024, 4, 30), "day"),
    # a day or a month alone: the latest one not after the reference
    ("12日", iso(2024, 4, 12), "day"),
    ("八日", iso(2024, 5, 8), "day"),
    ("二十日", iso(2024, 4, 20), "day"),
    ("3月", iso(2024, 3, 1), "month"),
    ("十一月", iso(2023, 11, 1), "month"),
    ("两毫秒前", iso(2024, 5, 9, 12, 0), "second"),
    ("7号晚上9点", iso(2024, 5, 7, 21, 0), "hour"),
    ("02日 08:45", iso(2024, 5, 2, 8, 45), "minute"),
    ("28日下午3点半", iso(2024, 4, 28, 15, 30), "minute"),
    # Unix time in a meta tag or data attribute (seconds or milliseconds)
    ("1715137200", iso(2024, 5, 8, 11, 0), "second"),
    ("1715137200000", iso(2024, 5, 8, 11, 0), "second"),
    ("2周前", iso(2024, 4, 25), "day"),
    ("一星期前", iso(2024, 5, 2), "day"),
    ("3个星期前", iso(2024, 4, 18), "day"),
    ("两个月前", iso(2024, 3, 9), "month"),
    ("1年前", iso(2023, 5, 9), "month"),
    ("刚才", iso(2024, 5, 9, 12, 0), "minute"),
    ("今日 09:12", iso(2024, 5, 9, 9, 12), "minute"),
    ("本日 07:30", iso(2024, 5, 9, 7, 30), "minute"),
    ("今晨6时", iso(2024, 5, 9, 6, 0), "hour"),
    ("今早8点10分", iso(2024, 5, 9, 8, 10), "minute"),
    ("今天", iso(2024, 5, 9), "day"),
    ("今天上午十点半", iso(2024, 5, 9, 10, 30), "minute"),
    ("昨晚9时40分", iso(2024, 5, 8, 21, 40), "minute"),
    ("昨夜11点", iso(2024, 5, 8, 23, 0), "hour"),
    ("昨天8点15", iso(2024, 5, 8, 8, 15), "minute"),
    ("昨日 16:05", iso(2024, 5, 8, 16, 5), "minute"),
    ("昨天下午两点", iso(2024, 5, 8, 14, 0), "hour"),
    ("昨晚", iso(2024, 5, 8), "day"),
    ("前天", iso(2024, 5, 7), "day"),
    ("前天 18:30", iso(2024, 5, 7, 18, 30), "minute"),
    ("大前天", iso(2024, 5, 6), "day"),
    ("大前天 10:00", iso(2024, 5, 6, 10, 0), "minute"),
    ("4 hours ago", iso(2024, 5, 9, 8, 0), "hour"),
    ("an hour ago", iso(2024, 5, 9, 11, 0), "hour"),
    ("25 minutes ago", iso(2024, 5, 9, 11, 35), "minute"),
    ("3 days ago", iso(2024, 5, 6), "day"),
    ("yesterday", iso(2024, 5, 8), "day"),
    ("Yesterday 09:45", iso(2024, 5, 8, 9, 45), "minute"),
    ("yesterday at 4:10 pm", iso(2024, 5, 8, 16, 10), "minute"),
    ("just now", iso(2024, 5, 9, 12, 0), "minute"),
    # a clock time alone: that time on the reference's day
    ("09:41", iso(2024, 5, 9, 9, 41), "minute"),
    ("11：58", iso(2024, 5, 9, 11, 58), "minute"),
    ("上午8:05", iso(2024, 5, 9, 8, 5), "minute"),
    ("18:20", iso(2024, 5, 9, 18, 20), "minute"),
    ("下午5:01:09", iso(2024, 5, 9, 17, 1, 9), "second"),
    ("发布时间：10:02", iso(2024, 5, 9, 10, 2), "minute"),
    ("凌晨4点", iso(2024, 5, 9, 4, 0), "hour"),
    ("11点20分", iso(2024, 5, 9, 11, 20), "minute"),
    # Taiwan: a 民國/民国 label is context enough
    ("民国112年3月4日", iso(2023, 3, 4), "day"),
    ("民國108年11月20日 15:30", iso(2019, 11, 20, 15, 30), "minute"),
    ("中華民國一一二年三月四日", iso(2023, 3, 4), "day"),
    ("中华民国一百一十年六月一日", iso(2021, 6, 1), "day"),
    ("民國 99 年 1 月 2 日", iso(2010, 1, 2), "day"),
    # machine forms
    ("20230417T083000+0800", iso(2023, 4, 17, 8, 30), "second"),
    ("20230417T003000Z", iso(2023, 4, 17, 8, 30), "second"),
    ("2023-04-17 00:30:00 UTC", iso(2023, 4, 17, 8, 30), "second"),
    ("2023-04-17 00:30 GMT", iso(2023, 4, 17, 8, 30), "minute"),
    ("2023-04-17 08:30:00 UTC+8", iso(2023, 4, 17, 8, 30), "second"),
    ("2023-04-17T08:30:00.250+08:00", iso(2023, 4, 17, 8, 30), "second"),
    ("April 2023", iso(2023, 4, 1), "month"),
    ("Sep. 2021", iso(2021, 9, 1), "month"),
    ("20230417 08:30", iso(2023, 4, 17, 8, 30), "minute"),
    ("2023041708:30", iso(2023, 4, 17, 8, 30), "minute"),
    ("2023年4月16日(日) 21時05分", iso(2023, 4, 16, 21, 5), "minute"),
    ("Sun Apr 16 2023 21:05:09 GMT+0800 (CST)", iso(2023, 4, 16, 21, 5, 9), "second"),
    ("2023-04", iso(2023, 4, 1), "month"),
    ("4/17/2023", iso(2023, 4, 17), "day"),
    ("17/4/2023 08:30", iso(2023, 4, 17, 8, 30), "minute"),
    ("17.04.2023", iso(2023, 4, 17), "day"),
    # labels: publication wins on a line with several dates
    ("成文日期：2023-03-28 发布日期：2023-04-02", iso(2023, 4, 2), "day"),
    ("发布日期：2023-04-02 成文日期：2023-03-28", iso(2023, 4, 2), "day"),
    ("生成日期：2024-01-05 发文日期：2023-04-02", iso(2023, 4, 2), "day"),
    ("更新时间：2024-02-01 10:00 发布时间：2023-12-30 09:12", iso(2023, 12, 30, 9, 12), "minute"),
    ("生效日期：2023-05-01 成文日期：2023-04-20", iso(2023, 4, 20), "day"),
    ("发文日期：2023年04月02日", iso(2023, 4, 2), "day"),
    ("印发日期：2023-04-02 实施日期：2023-06-01", iso(2023, 4, 2), "day"),
    ("发稿时间：2024-05-08 17:20", iso(2024, 5, 8, 17, 20), "minute"),
    ("会议时间：2024-05-20 发布时间：2024-05-06", iso(2024, 5, 6), "day"),
    ("生成日期：2024-01-05", iso(2024, 1, 5), "day"),
    # weekday and other noise around a full form
    ("2024年5月6日 星期一 农历三月廿八", iso(2024, 5, 6), "day"),
    ("【2024-05-06 星期一】", iso(2024, 5, 6), "day"),
    ("2024年5月6日（周一）晚8:15", iso(2024, 5, 6, 20, 15), "minute"),
]

# dates that are null: vague, ranges, durations, future-only, holidays, years without context
OPEN_NOT_DATES = [
    "日前", "近日", "近期", "最近几天", "日前，记者从市教育局获悉", "前不久", "今年以来", "去年",
    "下周三", "下个月", "明天", "明天上午9点", "后天", "春节", "国庆节期间", "中秋前夕",
    "5月1日至5月5日", "2024年5月1日-5月3日", "2024.05.01-2024.05.03", "5月1日—3日",
    "2024年4月28日至30日", "2023年4月12-19日", "2023年1－9月份", "2023年5月8日起", "自2023年3月1日起施行",
    "2020年以来", "2023年6月1日以来", "3天", "两小时", "历时十分钟", "十分重要", "一点也不", "3点建议",
    "111/07/01 02:22:34", "110.11.10", "1110527", "112年3月4日",
    "88年4月", "05年", "1.2.3", "192.168.1.1", "v2.10.3",
    "第十三届", "三五年后", "二十分", "9日前往", "年前", "天前", "3月前", "几分钟前", "数小时前",
    "今年12月1日", "12345", "农历四月初二", "农历三月廿八",
    "99999年前", "123456789天前", "2024年前今",
]

# numeric ROC years, read only where the page is evidently Taiwanese (normalize_date(roc=True))
ROC_CASES = [
    ("111/07/01 02:22:34", iso(2022, 7, 1, 2, 22, 34), "second"),
    ("110.11.10", iso(2021, 11, 10), "day"),
    ("1110527", iso(2022, 5, 27), "day"),
    ("112年3月4日", iso(2023, 3, 4), "day"),
    ("112-03-04 09:30", iso(2023, 3, 4, 9, 30), "minute"),
    ("發布日期：113/05/02", iso(2024, 5, 2), "day"),
    ("2024-05-02", iso(2024, 5, 2), "day"),
]


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
