"""Nothing a user does loses data: import beside a crawl, a double Ctrl-C, site_health's figures."""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys

import pytest

from provnews.lock import crawl_lock
from provnews.mirror import SITES_DIR, MirrorServer
from tests.conftest import ROOT, run_cli
from tests.test_incremental import count, wait_for

PAGE_COLS = "url, final_url, site, status, fetched_at, headers, body, list_hint, error"


@pytest.fixture
def db(crawled, tmp_path):
    path = tmp_path / "news.db"
    shutil.copy(crawled[0], path)
    return path


def rows(path, sql: str) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_importing_our_own_warc_into_the_crawled_database_changes_nothing(db, tmp_path):
    pages = rows(db, f"SELECT {PAGE_COLS} FROM pages ORDER BY url")
    articles = rows(db, "SELECT * FROM articles ORDER BY url")
    warc = tmp_path / "all.warc.gz"
    run_cli("export", "--db", str(db), "--format", "warc", "--out", str(warc), check=True)
    proc = run_cli("import", str(warc), "--db", str(db), check=True)
    assert "unchanged" in proc.stdout and "new" not in proc.stdout and "updated" not in proc.stdout, proc.stdout
    assert rows(db, f"SELECT {PAGE_COLS} FROM pages ORDER BY url") == pages
    assert rows(db, "SELECT * FROM articles ORDER BY url") == articles
    # the redirect came back as the 3xx it was: the page keeps its final_url
    assert rows(db, "SELECT count(*) FROM pages WHERE final_url != url")[0][0] >= 1


def test_import_of_a_changed_page_keeps_what_the_import_does_not_know(db, tmp_path):
    url, site, list_title, final_url, headers = rows(
        db, "SELECT a.url, a.site, a.list_title, p.final_url, p.headers FROM articles a "
            "JOIN pages p USING (url) WHERE a.list_title IS NOT NULL ORDER BY a.url LIMIT 1")[0]
    body = rows(db, f"SELECT body FROM pages WHERE url = '{url}'")[0][0]
    import zlib

    html = zlib.decompress(body).decode("utf-8").replace("</p>", "补充一句新的内容。</p>", 1)
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_text(html, "utf-8")
    (folder / "urls.jsonl").write_text(json.dumps({"path": "a.html", "url": url}), "utf-8")
    proc = run_cli("import", str(folder), "--db", str(db), check=True)
    assert "updated 1" in proc.stdout, proc.stdout
    after = rows(db, "SELECT a.site, a.list_title, p.final_url, p.headers, a.body FROM articles a "
                     f"JOIN pages p USING (url) WHERE url = '{url}'")[0]
    assert after[:4] == (site, list_title, final_url, headers)
    assert "补充一句新的内容" in after[4]


def test_import_files_pages_under_the_site_whose_domains_match(db, tmp_path):
    warc = tmp_path / "gov.warc.gz"
    run_cli("export", "--db", str(db), "--format", "warc", "--site", "mirror-gov", "--out", str(warc), check=True)
    forced = tmp_path / "forced.db"
    run_cli("import", str(warc), "--db", str(forced), "--site", "archive", check=True)
    assert rows(forced, "SELECT DISTINCT site FROM pages") == [("archive",)]
    everything, fresh_all = tmp_path / "all.warc", tmp_path / "fresh_all.db"
    run_cli("export", "--db", str(db), "--format", "warc", "--out", str(everything), check=True)
    assert everything.read_bytes()[:4] == b"WARC"  # a .warc name: not gzipped
    run_cli("import", str(everything), "--db", str(fresh_all), "--sites", str(SITES_DIR), check=True)
    cols = "url, final_url, site, status, body"
    assert rows(fresh_all, f"SELECT {cols} FROM pages ORDER BY url") == \
        rows(db, f"SELECT {cols} FROM pages WHERE body_size > 0 ORDER BY url")  # sites from allowed_domains
    unknown = tmp_path / "unknown.db"
    run_cli("import", str(warc), "--db", str(unknown), check=True)  # no registry matches: "import"
    assert rows(unknown, "SELECT DISTINCT site FROM pages") == [("import",)]


def test_import_and_reingest_exit_75_while_a_crawl_holds_the_database(db, tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html><body><p>x</p></body></html>", "utf-8")
    before = rows(db, "SELECT count(*), max(fetched_at) FROM pages")
    with crawl_lock(db):
        for args in (["import", str(page)], ["reingest", "--sites", str(SITES_DIR)]):
            proc = run_cli(*args, "--db", str(db))
            assert proc.returncode == 75 and "another crawl" in proc.stderr, (args, proc.stderr)
    assert rows(db, "SELECT count(*), max(fetched_at) FROM pages") == before


def test_site_health_counts_undated_articles_not_error_pages(db):
    for site, undated, articles, errors in rows(db, "SELECT site, undated, articles, page_errors FROM site_health"):
        truth = rows(db, f"SELECT count(*) FROM articles WHERE site = '{site}' AND published_at IS NULL")[0][0]
        assert undated == truth, (site, undated, truth, errors)
    assert rows(db, "SELECT sum(page_errors) FROM site_health")[0][0] >= 1  # the case that was miscounted


def test_double_ctrl_c_is_interrupted_and_the_next_due_crawl_finishes_the_frontier(tmp_path):
    slow = MirrorServer(delay=0.3).start_background()  # slow enough that work is left when stopped
    db = tmp_path / "c.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "provnews.cli", "crawl", "-v", "--sites", str(SITES_DIR),
                             "--proxy", slow.url, "--db", str(db)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: count(db, "SELECT count(*) FROM articles") > 0)  # mid-crawl
        proc.send_signal(signal.SIGINT)
        for line in proc.stderr:
            if "shutting down gracefully" in line:
                break
        proc.send_signal(signal.SIGINT)
        proc.stderr.read()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        slow.shutdown()
    assert proc.returncode == 130  # interrupted, not success
    runs = rows(db, "SELECT site, status, finished_at FROM crawl_runs")
    assert runs and all(status != "ok" or finished for _, status, finished in runs), runs
    unfinished = rows(db, "SELECT site, count(*) FROM frontier GROUP BY site")
    assert unfinished, "the interrupted crawl left no frontier: nothing to test"
    assert {s for s, _ in unfinished} <= {s for s, status, _ in runs if status == "interrupted"}
    fast = MirrorServer().start_background()
    try:
        due = run_cli("crawl", "--due", "--sites", str(SITES_DIR), "--proxy", fast.url, "--db", str(db))
    finally:
        fast.shutdown()
    assert due.returncode == 0, due.stderr
    assert rows(db, "SELECT count(*) FROM frontier")[0][0] == 0


def test_a_file_that_is_not_warc_is_one_line_and_changes_nothing(db, tmp_path):
    before = rows(db, f"SELECT {PAGE_COLS} FROM pages ORDER BY url")
    for name, content in (("notes.warc.gz", b"hello\n"), ("cut.warc", b"WARC/1.0\r\nWARC-Type: response\r\n")):
        (tmp_path / name).write_bytes(content)
        proc = run_cli("import", str(tmp_path / name), "--db", str(db))
        errors = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode == 2 and "Traceback" not in proc.stderr and len(errors) == 1, proc.stderr
        assert name in errors[0] and "not a readable WARC file" in errors[0]
    assert rows(db, f"SELECT {PAGE_COLS} FROM pages ORDER BY url") == before
