"""A real Scrapy crawl over HTTP on 127.0.0.1 against the mirror, into a real SQLite file."""
from __future__ import annotations

import sqlite3

import pytest

from data.mirror.stories import STORIES

FOOTER_MARKERS = ["责任编辑", "分享到", "打印", "关闭窗口", "网站标识码", "ICP备", "版权所有", "Copyright",
                  "更多》", "热门推荐", "扫一扫", "当前位置", "浏览次数", "相关链接", "相关新闻"]


@pytest.fixture(scope="module")
def db(crawled):
    path, proc, _ = crawled
    assert proc.returncode == 0, proc.stderr
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    yield con
    con.close()


def test_every_expected_article_is_stored_once_with_exact_fields(db, expected):
    assert len(expected) >= 40
    for e in expected:
        rows = db.execute("SELECT * FROM articles WHERE url = ?", [e["url"]]).fetchall()
        assert len(rows) == 1, e["url"]
        a = rows[0]
        assert a["site"] == e["site"]
        assert a["title"] == e["title"], e["url"]
        assert a["published_at"] == e["published_at"], e["url"]
        assert a["published_precision"] == e["published_precision"], e["url"]
        lines = a["body"].splitlines()
        assert lines[0] == e["first"], e["url"]
        assert lines[-1] == e["last"], e["url"]
        assert a["source"] == e["source"], e["url"]
        assert a["editor"] == e["editor"], e["url"]
        assert a["author"] == e["author"], e["url"]


def test_no_sidebar_headline_or_footer_line_reaches_a_body(db, sidebar_headlines):
    story_text = "".join(p for s in STORIES for p in s["paras"])
    bodies = [r[0] for r in db.execute("SELECT body FROM articles")]
    assert len(bodies) >= 40
    for body in bodies:
        for headline in sidebar_headlines:
            assert headline not in body
        for marker in FOOTER_MARKERS:
            if marker not in story_text:
                assert marker not in body, marker


def test_bodies_hold_every_story_paragraph_in_order(db, expected):
    by_title = {s["title"]: s for s in STORIES}
    for e in expected:
        body = db.execute("SELECT body FROM articles WHERE url = ?", [e["url"]]).fetchone()[0]
        paras = by_title[e["title"]]["paras"]
        assert [line for line in body.splitlines() if line in paras] == paras


def test_failures_are_recorded_not_dropped(db):
    rows = {r["url"]: r for r in db.execute("SELECT url, status, error FROM pages WHERE error IS NOT NULL")}
    missing = "http://www.yunling.gov.test/zwdt/ywdt/202405/t20240516_10300.html"
    pdf = "http://www.yunling.gov.test/zwdt/ywdt/202405/t20240515_10200.html"
    assert rows[missing]["status"] == 404 and rows[missing]["error"] == "http 404"
    assert rows[pdf]["status"] == 200 and "binary body" in rows[pdf]["error"]
    # neither became an article
    assert db.execute("SELECT count(*) FROM articles WHERE url IN (?, ?)", [missing, pdf]).fetchone()[0] == 0


def test_redirected_article_keeps_the_address_the_list_linked(db):
    row = db.execute("SELECT url, final_url FROM pages WHERE url != final_url").fetchall()
    assert [(r["url"].rsplit("/", 1)[1], r["final_url"].rsplit("/", 1)[1]) for r in row] == \
        [("t20240511_10013.html", "t20240511_10103.html")]


def test_robots_txt_is_obeyed_and_nothing_leaves_the_mirror_hosts(crawled):
    _, _, log = crawled
    paths = [(e["host"], e["path"]) for e in log]
    assert ("www.qicai-daily.test", "/robots.txt") in paths
    assert not any(p.startswith("/private/") for _, p in paths)
    assert {h for h, _ in paths} == {"www.yunling.gov.test", "yn.yunshang.test", "www.qicai-daily.test"}
    # sidebar links are not article-shaped: never fetched
    assert not any("/ent/" in p or "/hot/" in p or "/live/" in p for _, p in paths)


def test_list_pagination_followed_and_runs_recorded(db, crawled):
    _, _, log = crawled
    paths = {e["path"] for e in log}
    assert {"/zwdt/ywdt/index_1.html", "/zwdt/ywdt/index_2.html"} <= paths  # TRS createPageHTML pager
    assert {"/kunming/index_2.shtml", "/kunming/index_3.shtml", "/news/index_2.shtml"} <= paths
    runs = db.execute("SELECT site, status, pages_fetched, articles_new, errors FROM crawl_runs").fetchall()
    assert {r["site"]: r["status"] for r in runs} == {
        "mirror-gov": "ok", "mirror-portal": "ok", "mirror-daily": "ok"}
    assert sum(r["articles_new"] for r in runs) == db.execute("SELECT count(*) FROM articles").fetchone()[0]


def test_list_hint_is_carried_to_the_article(db):
    rows = db.execute("SELECT title, list_title FROM articles WHERE site = 'mirror-portal'").fetchall()
    assert rows and all(r["title"] == r["list_title"] for r in rows)


def test_raw_pages_are_stored_compressed_and_restorable(db):
    from pipelines.packing import decompress

    body, size, enc = db.execute(
        "SELECT body, body_size, encoding FROM pages WHERE site = 'mirror-gov' AND error IS NULL LIMIT 1"
    ).fetchone()
    raw = decompress(body)
    assert len(raw) == size and len(body) < size
    assert enc == "gb18030" and "云岭市人民政府".encode("gbk") in raw


def test_refresh_recrawl_updates_rows_and_duplicates_nothing(mirror, crawled, tmp_path):
    import shutil

    from tests.conftest import run_cli
    from provnews.mirror import SITES_DIR

    db_path = tmp_path / "again.db"
    shutil.copy(crawled[0], db_path)
    before = sqlite3.connect(db_path).execute("SELECT count(*) FROM articles").fetchone()[0]
    proc = run_cli("crawl", "mirror-daily", "--refresh", "--sites", str(SITES_DIR), "--proxy", mirror.url,
                   "--db", str(db_path))
    assert proc.returncode == 0, proc.stderr
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == before
    assert con.execute("SELECT count(*) - count(DISTINCT url) FROM pages").fetchone()[0] == 0
    last = con.execute("SELECT articles_new, articles_updated, pages_fetched FROM crawl_runs "
                       "ORDER BY id DESC LIMIT 1").fetchone()
    assert last[0] == 0 and last[2] >= 15
