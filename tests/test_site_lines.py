"""The per-site template-line set (pipelines/site_lines.py): a site's own chrome, learnt from its
stored pages, leaves its bodies on re-ingest; a small site and a single `provnews extract` keep all.

The pages are written here: a county news portal whose every story opens with the site's banner
line (under the date line) and closes with a hotline, a follow-us line and a slogan that no general rule knows, and
whose stories differ as real ones do. Two of its stories end on the same quoted sentence: story
text that recurs, which must stay.
"""
from __future__ import annotations

import json
import re
import sqlite3
from html import escape

import pytest

from tests import cluster_pages as cp
from provnews.mirror import SITES_DIR
from tests.conftest import run_cli

FETCHED = "2024-06-01T02:00:00Z"
BANNER = "澄江融媒·抚仙湖畔的新闻客户端"
CHROME = ["本网热线：0877-6612345", "欢迎扫码关注澄江融媒官方账号", "山水澄江 化石之乡 欢迎您"]
QUOTE = "“守护好抚仙湖，就是守护好我们自己的家园。”一位老渔民这样说。"
PLACES = ["右所镇", "龙街街道", "海口镇", "九村镇", "凤麓街道", "阳宗镇", "路居镇", "禄充村", "广龙村", "立昌村"]
WORKS = ["高原特色农业示范园建设", "湖滨生态湿地修复", "老旧小区改造", "乡村公路提级改造", "人居环境整治",
         "中小学校舍加固", "蓝莓产业基地扩建", "化石地质公园讲解员培训", "烟叶收购站升级", "村级卫生室标准化"]


def story(i: int) -> tuple[str, list[str]]:
    place, work = PLACES[i % len(PLACES)], WORKS[i % len(WORKS)]
    title = f"{place}推进{work}"
    paras = [f"近日，记者从{place}获悉，该镇{work}项目已完成年度计划的{60 + i}%，预计{i % 3 + 9}月底全面完工。",
             f"据介绍，项目总投资{1200 + 37 * i}万元，涉及{3 + i % 4}个村（社区），惠及群众{2100 + 55 * i}人。",
             f"{place}相关负责人表示，下一步将加强施工监管，确保工程质量和安全，让群众早日受益。"]
    if i in (2, 5):
        paras.append(QUOTE)
    return title, paras


def page(host: str, i: int) -> str:
    title, paras = story(i)
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paras)
    chrome = "\n".join(f"<p>{escape(c)}</p>" for c in CHROME)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}_澄江融媒</title>
<meta property="article:published_time" content="2024-05-{10 + i:02d}T09:00:00+08:00"></head><body>
<div class="nav"><a href="http://{host}/">首页</a> <a href="http://{host}/xw/">新闻</a> <a href="http://{host}/zw/">政务</a></div>
<div class="main"><div class="article">
<h1>{escape(title)}</h1>
<div class="info">2024-05-{10 + i:02d} 09:00　来源：澄江融媒</div>
<p>{BANNER}</p>
{body}
{chrome}
</div></div>
<div class="foot">澄江融媒中心 版权所有</div></body></html>"""


def url(host: str, i: int) -> str:
    return f"http://{host}/xw/202405/t202405{10 + i:02d}_{400 + i}.html"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("site_lines")
    path = tmp / "news.db"
    for site, host, n in (("cj-news", "www.cjnews.test", 10), ("cj-small", "www.cjsmall.test", 3)):
        (tmp / f"{site}.warc").write_bytes(cp.warc_bytes([(url(host, i), page(host, i), FETCHED)
                                                         for i in range(n)]))
        run_cli("import", str(tmp / f"{site}.warc"), "--db", str(path), "--site", site, check=True)
    return path


def bodies(db, site: str) -> dict[str, str]:
    con = sqlite3.connect(db)
    try:
        return dict(con.execute("SELECT url, body FROM articles WHERE site = ?", [site]).fetchall())
    finally:
        con.close()


def test_site_chrome_leaves_every_body_on_reingest_and_story_lines_stay(db):
    before = bodies(db, "cj-news")
    assert len(before) == 10
    # no general rule knows this site's chrome: the import (no set yet) keeps it
    assert all(CHROME[0] in b and BANNER in b for b in before.values())
    run_cli("reingest", "--db", str(db), check=True)
    after = bodies(db, "cj-news")
    for u, body in after.items():
        for line in [BANNER, *CHROME]:
            assert line not in body, (u, line)
        i = next(i for i in range(10) if url("www.cjnews.test", i) == u)
        first, *_, last = story(i)[1]
        assert body.splitlines()[0] == first and body.splitlines()[-1] == last
    assert sum(QUOTE in b for b in after.values()) == 2  # a quote on two pages is story
    con = sqlite3.connect(db)
    try:
        stored = {r[0] for r in con.execute("SELECT line FROM site_lines WHERE site = 'cj-news'")}
    finally:
        con.close()
    assert {BANNER.replace(" ", ""), *(c.replace(" ", "") for c in CHROME)} <= stored


def test_a_small_site_keeps_everything(db):
    run_cli("reingest", "--db", str(db), "--site", "cj-small", check=True)
    small = bodies(db, "cj-small")
    assert len(small) == 3 and all(CHROME[0] in b and CHROME[2] in b for b in small.values())


def test_a_single_page_extracts_without_a_set(tmp_path):
    f = tmp_path / "one.html"
    f.write_text(page("www.cjnews.test", 1), encoding="utf-8")
    obj = json.loads(run_cli("extract", str(f), "--url", url("www.cjnews.test", 1), check=True).stdout)
    assert obj["title"] == story(1)[0] and obj["body"].count("\n") >= 2


def test_a_crawl_stores_each_sites_set_when_it_ends(crawled):
    con = sqlite3.connect(crawled[0])
    try:
        sets = dict(con.execute("SELECT site, count(*) FROM site_lines GROUP BY site").fetchall())
        gov = {r[0] for r in con.execute("SELECT line FROM site_lines WHERE site = 'mirror-gov'")}
        stamps = {r[0] for r in con.execute("SELECT updated_at FROM site_lines")}
        last_fetch = con.execute("SELECT max(fetched_at) FROM pages").fetchone()[0]
    finally:
        con.close()
    assert sets.get("mirror-gov") and sets.get("mirror-daily")
    # the form of every stored timestamp (pipelines.page.utc_now_iso), so it compares with fetched_at
    assert stamps and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", s) for s in stamps), stamps
    assert min(stamps) >= last_fetch
    assert "【打印本页】【关闭窗口】" in gov  # the portal's footer chrome, on every page


def test_a_crawl_recomputes_a_set_only_when_enough_of_its_pages_are_new(crawled, mirror, tmp_path):
    """Re-reading a site's latest 200 pages at the end of every scheduled run costs about 1.2 s
    of CPU per site even when the run stored nothing new; the set only moves when a
    tenth of its sample is new (PROVNEWS_SITE_LINES_REFRESH)."""
    db = tmp_path / "news.db"
    db.write_bytes(crawled[0].read_bytes())
    con = sqlite3.connect(db)
    with con:  # gov's set as if computed after its last page; daily's as if before all of them
        con.execute("UPDATE site_lines SET updated_at = '9999-01-01T00:00:00Z' WHERE site = 'mirror-gov'")
        con.execute("UPDATE site_lines SET updated_at = '2000-01-01T00:00:00Z' WHERE site = 'mirror-daily'")
    before = dict(con.execute("SELECT site, group_concat(line) FROM site_lines GROUP BY site"))
    con.close()
    run_cli("crawl", "--sites", str(SITES_DIR), "--proxy", mirror.url, "--db", str(db), check=True)
    con = sqlite3.connect(db)
    stamps = dict(con.execute("SELECT site, max(updated_at) FROM site_lines GROUP BY site"))
    after = dict(con.execute("SELECT site, group_concat(line) FROM site_lines GROUP BY site"))
    con.close()
    assert stamps["mirror-gov"] == "9999-01-01T00:00:00Z"  # nothing new: not recomputed
    assert "2000" < stamps["mirror-daily"] < "9999"  # all its pages newer than its set: recomputed
    assert after == before  # the same pages, the same sets


def test_a_limit_that_is_no_number_names_its_setting():
    """Read when a crawl opens (crawler/crawl_pipeline.py), so `scrapy crawl -s …=abc` stops
    before fetching, not after storing everything."""
    from pipelines.site_lines import Limits

    defaults = {"PROVNEWS_SITE_LINES_SAMPLE": 200, "PROVNEWS_SITE_LINES_SHARE": 0.5,
                "PROVNEWS_SITE_LINES_MIN_PAGES": 8, "PROVNEWS_SITE_LINES_REFRESH": "0.25"}
    assert Limits.of(defaults) == Limits(200, 0.5, 8, 0.25)
    with pytest.raises(ValueError, match=r"^PROVNEWS_SITE_LINES_REFRESH must be a number, not 'abc'$"):
        Limits.of({**defaults, "PROVNEWS_SITE_LINES_REFRESH": "abc"})
    with pytest.raises(ValueError, match=r"^PROVNEWS_SITE_LINES_SAMPLE must be a whole number"):
        Limits.of({**defaults, "PROVNEWS_SITE_LINES_SAMPLE": "1.5"})


def test_a_crawl_pipeline_whose_open_failed_closes_only_what_it_opened(tmp_path):
    """Scrapy closes every pipeline even when one failed to open: closing must neither raise
    on what was never opened nor give back a share of the stage pool it never took (the pool
    and writers other sites' spiders in the same process still use)."""
    from scrapy.utils.test import get_crawler

    from crawler.crawl_pipeline import CrawlPipeline, _Shared

    crawler = get_crawler(settings_dict={"PROVNEWS_DB": str(tmp_path / "n.db"), "PROVNEWS_SITE_LINES_SAMPLE": 200,
                                         "PROVNEWS_SITE_LINES_SHARE": 0.5, "PROVNEWS_SITE_LINES_MIN_PAGES": 8,
                                         "PROVNEWS_SITE_LINES_REFRESH": "abc"})
    pipeline = CrawlPipeline.from_crawler(crawler)
    users = _Shared.users
    with pytest.raises(ValueError, match="PROVNEWS_SITE_LINES_REFRESH"):
        pipeline.open_spider()
    pipeline.close_spider()
    assert _Shared.users == users and not (tmp_path / "n.db").exists()
