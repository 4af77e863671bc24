"""Scheduled, incremental crawling over the loopback mirror, judged by the server's request log."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.discovery import parse_feed, parse_sitemap
from provnews.lock import crawl_lock
from provnews.mirror import MIRROR_DIR, MirrorServer
from tests.conftest import ROOT, run_cli

HOSTS = ("www.yunling.gov.test", "yn.yunshang.test", "www.qicai-daily.test")
TEST_SITES = Path(__file__).resolve().parent / "sites"


@pytest.fixture
def own_mirror(tmp_path):
    """A private copy of the mirror (so a test may add pages) served on its own port."""
    root = tmp_path / "mirror"
    for host in HOSTS:
        shutil.copytree(MIRROR_DIR / host, root / host)
    shutil.copytree(MIRROR_DIR / "sites", root / "sites")
    server = MirrorServer(root=root).start_background()
    yield server, root
    server.shutdown()


def crawl(server, root, db, *extra, sites=None):
    before = len(server.log.snapshot())
    proc = run_cli("crawl", *extra, "--sites", str(sites or root / "sites"), "--proxy", server.url,
                   "--db", str(db))
    return proc, server.log.snapshot()[before:]


def add_daily_article(root: Path) -> str:
    """Publish one more article on the daily: a new page and a link on the first list page."""
    src = next(p for p in (root / "www.qicai-daily.test/system/2024/05/09").glob("*.shtml")
               if "云南今年计划新建改建农村公路1.2万公里" in p.read_text("utf-8"))
    path = "/system/2024/05/22/030199001.shtml"
    html = src.read_text("utf-8").replace("2024年05月09日", "2024年05月22日")
    html = html.replace("云南今年计划新建改建农村公路1.2万公里", "昆明新开通三条社区巴士线路")
    (root / "www.qicai-daily.test" / path.lstrip("/")).parent.mkdir(parents=True, exist_ok=True)
    (root / "www.qicai-daily.test" / path.lstrip("/")).write_text(html, "utf-8")
    index = root / "www.qicai-daily.test/kunming/index.shtml"
    index.write_text(index.read_text("utf-8").replace(
        '<ul class="list">', f'<ul class="list"><li><span class="fs1"><a href="{path}">昆明新开通三条社区巴士线路'
        '</a></span><span class="fs2">5月22日</span></li>', 1), "utf-8")
    return path


def article_paths(log) -> set[str]:
    return {e["path"] for e in log if "/system/" in e["path"] or "/t2024" in e["path"] or "/detail-" in e["path"]}


def test_second_run_fetches_lists_and_new_articles_only(own_mirror, tmp_path):
    server, root = own_mirror
    db = tmp_path / "n.db"
    proc, first = crawl(server, root, db)
    assert proc.returncode == 0, proc.stderr
    assert len(article_paths(first)) >= 45  # 43 articles, a 404, a PDF
    new = add_daily_article(root)
    proc, second = crawl(server, root, db)
    assert proc.returncode == 0, proc.stderr
    assert article_paths(second) == {new}
    # list pages were revisited, conditionally: unchanged ones answered 304
    lists = [e for e in second if e["path"] not in (new, "/robots.txt")]
    assert lists and all(e["if_none_match"] for e in lists)
    assert {e["status"] for e in lists if e["host"] != "www.qicai-daily.test"} == {304}
    changed = [e for e in lists if e["path"] == "/kunming/index.shtml"]
    assert [e["status"] for e in changed] == [200]
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 44
    assert con.execute("SELECT title FROM articles WHERE url LIKE ?", ["%" + new]).fetchone()[0] == \
        "昆明新开通三条社区巴士线路"
    assert con.execute("SELECT count(*) FROM frontier").fetchone()[0] == 0
    print(f"requests: first run {len(first)}, second run {len(second)}")


def test_refresh_fetches_stored_articles_again(own_mirror, tmp_path):
    server, root = own_mirror
    db = tmp_path / "n.db"
    crawl(server, root, db, "mirror-portal")
    proc, again = crawl(server, root, db, "mirror-portal", "--refresh")
    assert proc.returncode == 0 and len(article_paths(again)) == 14
    assert not any(e["if_none_match"] for e in again)


def test_sitemap_only_site(own_mirror, tmp_path):
    server, root = own_mirror
    db = tmp_path / "n.db"
    proc, log = crawl(server, root, db, sites=TEST_SITES, *["daily-by-sitemap"])
    assert proc.returncode == 0, proc.stderr
    paths = [e["path"] for e in log]
    assert "/robots.txt" in paths and paths.count("/sitemap_index.xml") == 1 and "/sitemap_news.xml" in paths
    assert not any(p.startswith("/kunming/") for p in paths)  # no list page was needed
    con = sqlite3.connect(db)
    rows = con.execute("SELECT title, list_title FROM articles").fetchall()
    assert len(rows) == 15 and all(t == lt for t, lt in rows)  # news:title carried along


def test_feed_only_site(own_mirror, tmp_path):
    server, root = own_mirror
    db = tmp_path / "n.db"
    proc, log = crawl(server, root, db, "portal-by-feed", sites=TEST_SITES)
    assert proc.returncode == 0, proc.stderr
    assert [e["path"] for e in log if not article_paths([e])] == ["/robots.txt", "/rss.xml"]
    con = sqlite3.connect(db)
    rows = con.execute("SELECT title, list_title, published_at FROM articles").fetchall()
    assert len(rows) == 14 and all(t == lt and p for t, lt, p in rows)


def test_lock_makes_a_second_crawl_exit_75_without_touching_anything(tmp_path):
    db = tmp_path / "n.db"
    with crawl_lock(db):
        for args in (["crawl", "--db", str(db)], ["demo", "--db", str(db)]):
            proc = run_cli(*args, timeout=60)
            assert proc.returncode == 75, proc.stderr
            assert "holds" in proc.stderr and "offline mirror on" not in proc.stderr
    assert not db.exists()
    # released: the lock is free again (and a dead holder never blocks: flock dies with it)
    with crawl_lock(db):
        pass


def test_due_crawls_only_sites_whose_interval_passed(own_mirror, tmp_path):
    server, root = own_mirror
    sites = root / "sites"
    for name, every in (("mirror-gov", "1h"), ("mirror-portal", "0s")):
        p = sites / f"{name}.toml"
        p.write_text(p.read_text("utf-8").replace('verified = true', f'verified = true\nevery = "{every}"'), "utf-8")
    (sites / "mirror-daily.toml").unlink()
    db = tmp_path / "n.db"
    proc, _ = crawl(server, root, db, "--due")
    assert proc.returncode == 0
    proc, log = crawl(server, root, db, "--due")
    assert proc.returncode == 0, proc.stderr
    assert {e["host"] for e in log} == {"yn.yunshang.test"}  # gov waits an hour, portal is due
    runs = sqlite3.connect(db).execute("SELECT site, count(*) FROM crawl_runs GROUP BY site").fetchall()
    assert dict(runs) == {"mirror-gov": 1, "mirror-portal": 2}


def wait_for(predicate, timeout: float = 60.0, step: float = 0.05) -> None:
    """Poll a condition (not a fixed sleep): returns as soon as it holds, fails after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise AssertionError("condition not reached in time")


def count(db: Path, sql: str) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        return con.execute(sql).fetchone()[0]
    except sqlite3.Error:
        return 0


def test_resume_after_kill_9_loses_and_duplicates_nothing(tmp_path):
    root = tmp_path / "mirror"
    for host in HOSTS:
        shutil.copytree(MIRROR_DIR / host, root / host)
    slow = MirrorServer(root=root, delay=0.05).start_background()
    db = tmp_path / "n.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "provnews.cli", "crawl", "--sites",
                             str(MIRROR_DIR / "sites"), "--proxy", slow.url, "--db", str(db)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: count(db, "SELECT count(*) FROM articles") >= 8)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    slow.shutdown()
    stored_before = {r[0] for r in sqlite3.connect(db).execute("SELECT url FROM articles")}
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert 8 <= len(stored_before) < 43
    assert con.execute("SELECT count(*) FROM crawl_runs WHERE status = 'running'").fetchone()[0] >= 1
    con.close()

    server = MirrorServer(root=root).start_background()
    try:
        before = len(server.log.snapshot())
        proc = run_cli("crawl", "--sites", str(MIRROR_DIR / "sites"), "--proxy", server.url, "--db", str(db))
        log = server.log.snapshot()[before:]
    finally:
        server.shutdown()
    assert proc.returncode == 0, proc.stderr
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == (43, 43)
    assert con.execute("SELECT count(*) - count(DISTINCT url) FROM pages").fetchone()[0] == 0
    assert con.execute("SELECT url, attempts FROM frontier").fetchall() == []
    refetched = {f"http://{e['host']}{e['path']}" for e in log} & stored_before
    assert refetched == set(), refetched  # what the killed run stored was not fetched again
    assert con.execute("SELECT count(*) FROM crawl_runs WHERE status = 'interrupted'").fetchone()[0] >= 1


def test_parse_sitemap_index_urlset_and_news_dates():
    index = b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' \
            b'<sitemap><loc>http://a.cn/s1.xml</loc></sitemap><sitemap><loc>http://a.cn/s2.xml</loc></sitemap></sitemapindex>'
    assert parse_sitemap(index) == (["http://a.cn/s1.xml", "http://a.cn/s2.xml"], [])
    urlset = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
              'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>http://a.cn/1.html</loc>'
              '<news:news><news:publication_date>2024-05-09T10:21:00+08:00</news:publication_date>'
              '<news:title>昆明新闻</news:title></news:news></url><url><loc>http://a.cn/2.html</loc>'
              '<lastmod>2024-05-08</lastmod></url></urlset>').encode()
    children, entries = parse_sitemap(urlset)
    assert children == [] and [(e.url, e.title, e.date) for e in entries] == [
        ("http://a.cn/1.html", "昆明新闻", "2024-05-09T10:21:00+08:00"), ("http://a.cn/2.html", "", "2024-05-08")]
    import gzip

    assert parse_sitemap(gzip.compress(urlset))[1] == entries
    assert parse_sitemap(b"not xml at all") == ([], [])


def test_parse_rss_and_atom():
    rss = ('<rss version="2.0"><channel><item><title>甲</title><link>http://a.cn/1.html</link>'
           '<pubDate>Thu, 09 May 2024 10:21:00 +0800</pubDate></item></channel></rss>').encode()
    atom = ('<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>乙</title>'
            '<link rel="alternate" href="http://a.cn/2.html"/><link rel="edit" href="http://a.cn/e"/>'
            '<published>2024-05-09T02:21:00Z</published></entry></feed>').encode()
    assert [(e.url, e.title, e.date) for e in parse_feed(rss)] == [
        ("http://a.cn/1.html", "甲", "Thu, 09 May 2024 10:21:00 +0800")]
    assert [(e.url, e.title, e.date) for e in parse_feed(atom)] == [("http://a.cn/2.html", "乙", "2024-05-09T02:21:00Z")]


def test_feed_date_is_a_date_candidate_of_its_own():
    from pipelines.dates import find_published
    from pipelines.extract import parse_html

    out = find_published(parse_html("<html><body><p>正文</p></body></html>"), "http://a.cn/x",
                         "2024-06-01T00:00:00+00:00", {"date": "Thu, 09 May 2024 10:21:00 +0800", "via": "feed"},
                         use_fallback=False)
    assert out == {"published_at": "2024-05-09T10:21:00+08:00", "published_precision": "minute",
                   "published_source": "feed"}
