"""The crawl's stage pool and batch writer: the same database whatever --jobs says, a batch that
is one transaction in which a bad page fails alone, and no worker left behind by a kill -9."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading

from pipelines.page import new_page
from pipelines.batch_writer import BatchWriter
from pipelines.stage_pool import StagePool
from pipelines.packing import decompress
from pipelines.store import connect, save_pages
from provnews.mirror import MIRROR_DIR, SITES_DIR, MirrorServer
from tests.conftest import ROOT, run_cli
from tests.test_incremental import count, wait_for

ARTICLE_COLUMNS = ("url, site, title, body, author, source, editor, published_at, published_precision, "
                   "published_source, canonical_url, fingerprint, cluster_id, duplicate_of")


def rows(db, sql: str) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_jobs_1_stores_what_the_default_pool_stores(crawled, mirror, tmp_path):
    """The `crawled` fixture ran with the default (a worker per core); --jobs 1 runs the stages
    in the crawl's own process: every article, page, signature and search row must be equal."""
    db = tmp_path / "one.db"
    proc = run_cli("crawl", "--jobs", "1", "--sites", str(SITES_DIR), "--proxy", mirror.url, "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    for sql in (f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY url",
                "SELECT url, final_url, status, error, body_size, encoding FROM pages ORDER BY url",
                "SELECT url, sig FROM article_minhash ORDER BY url",
                "SELECT a.url, f.title_bi, f.body_bi FROM articles a JOIN articles_fts f ON f.rowid = a.rowid "
                "ORDER BY a.url"):
        assert rows(db, sql) == rows(crawled[0], sql), sql
    assert rows(db, "SELECT count(*) FROM frontier") == [(0,)]
    assert len(rows(db, "SELECT url FROM articles")) >= 43


def mirror_pages(n: int) -> list[dict]:
    files = sorted(p for p in MIRROR_DIR.rglob("detail-*.shtml"))[:n]
    return [new_page(f"http://yn.yunshang.test/{f.name}", site="mirror-portal", body=f.read_bytes(),
                     headers={"Content-Type": "text/html"}, fetched_at="2024-06-01T00:00:00+00:00")
            for f in files]


def with_frontier(path, pages: list[dict]):
    db = connect(path)
    with db.conn:
        db["frontier"].insert_all([{"url": p["url"], "site": p["site"], "list_hint": "{}", "via": "list",
                                    "discovered_at": "2024-06-01T00:00:00+00:00", "attempts": 0} for p in pages])
    return db


def test_a_batch_commits_pages_with_their_frontier_rows_and_a_bad_page_fails_alone(tmp_path):
    pool = StagePool(2, clean_start=True)
    try:
        pages = [pool.submit(p, {}).result() for p in mirror_pages(3)]
    finally:
        pool.close()
    assert all("_body_z" in p and "body" not in p and "_tree" not in p for p in pages)  # sent back small
    db = with_frontier(tmp_path / "b.db", pages)
    bad = dict(pages[1])
    del bad["site"]  # a page the store cannot write: the batch is retried page by page
    outcomes = save_pages(db, [pages[0], bad, pages[2]])
    assert outcomes[0] == outcomes[2] == "new" and isinstance(outcomes[1], KeyError)
    assert [r[0] for r in db.execute("SELECT url FROM frontier")] == [pages[1]["url"]]
    stored = dict(db.execute("SELECT url, body FROM pages").fetchall())
    assert set(stored) == {pages[0]["url"], pages[2]["url"]}
    assert decompress(stored[pages[0]["url"]]) == mirror_pages(1)[0]["body"]  # the raw page, restorable
    db.conn.close()


def test_the_writer_reports_each_outcome_after_its_commit(tmp_path):
    pages = [StagePool(1).submit(p, {}).result() for p in mirror_pages(4)]
    path = tmp_path / "w.db"
    with_frontier(path, pages).conn.close()
    seen: list[tuple[str, object, int]] = []

    def done(page):
        def record(outcome):  # runs in the writer thread, after the commit: visible from outside
            visible = rows(path, f"SELECT count(*) FROM articles WHERE url = '{page['url']}'")[0][0]
            seen.append((page["url"], outcome, visible))
        return record

    writer = BatchWriter(path, batch=3)
    for page in pages:
        writer.put(page, done(page))
    writer.close()
    assert sorted(seen) == sorted((p["url"], "new", 1) for p in pages)
    assert rows(path, "SELECT count(*) FROM frontier") == [(0,)]



def test_one_failing_callback_never_keeps_its_batch_from_hearing_of_the_commit(tmp_path):
    pages = [StagePool(1).submit(p, {}).result() for p in mirror_pages(3)]
    path = tmp_path / "w.db"
    with_frontier(path, pages).conn.close()
    heard: list[str] = []

    def done(page, fail):
        def record(outcome):
            if fail:
                raise RuntimeError("a broken callback")
            heard.append(page["url"])
        return record

    writer = BatchWriter(path, batch=3, linger=600)
    for _ in pages:
        writer.expect()  # all three on their way: one batch, one delivery
    for i, page in enumerate(pages):
        writer.put(page, done(page, fail=i == 0), expected=True)
    writer.close()
    assert sorted(heard) == sorted(p["url"] for p in pages[1:])


def staged_pages(n: int) -> list[dict]:
    return [StagePool(1).submit(p, {}).result() for p in mirror_pages(n)]


def test_pages_on_their_way_are_gathered_into_one_commit_and_a_bad_one_fails_alone(tmp_path):
    pages = staged_pages(4)
    path = tmp_path / "g.db"
    with_frontier(path, pages).conn.close()
    bad = dict(pages[2])
    del bad["site"]  # a page the store cannot write
    delivered: list[list] = []
    writer = BatchWriter(path, batch=4, linger=600, deliver=delivered.append)
    for _ in range(4):
        writer.expect()  # all four are in the stage pool
    for page in (pages[0], pages[1], bad, pages[3]):  # the writer waits for them, not for the linger
        writer.put(page, page["url"], expected=True)
    writer.close()
    assert writer.commits == 1 and len(delivered) == 1  # one transaction, one hand-over
    outcomes = dict(delivered[0])
    assert [outcomes[p["url"]] for p in (pages[0], pages[1], pages[3])] == ["new"] * 3
    assert isinstance(outcomes[bad["url"]], KeyError)
    assert rows(path, "SELECT url FROM frontier") == [(bad["url"],)]  # the bad page stays pending


def test_a_page_with_none_behind_it_commits_at_once_and_close_waits_for_no_straggler(tmp_path):
    pages = staged_pages(2)
    path = tmp_path / "s.db"
    with_frontier(path, pages).conn.close()
    committed = threading.Event()
    writer = BatchWriter(path, batch=32, linger=600)
    writer.put(pages[0], lambda outcome: committed.set())  # nothing else on its way: no linger
    assert committed.wait(timeout=60)
    writer.expect()
    writer.expect()  # the second never comes (its stages failed, say)
    writer.put(pages[1], lambda outcome: None, expected=True)
    closing = threading.Thread(target=writer.close)
    closing.start()
    closing.join(timeout=60)  # close() stops a batch from lingering
    assert not closing.is_alive()
    assert writer.commits == 2 and rows(path, "SELECT count(*) FROM articles") == [(2,)]


def descendants(pid: int) -> set[int]:
    """Every process below pid (stage workers, multiprocessing's resource tracker), from /proc."""
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                kids = [int(c) for c in f.read().split()]
        except OSError:
            kids = []
        out.update(kids)
        todo += kids
    return out


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_stage_workers_die_with_a_crawl_killed_by_kill_9(tmp_path):
    slow = MirrorServer(delay=0.05).start_background()
    db = tmp_path / "k.db"
    proc = subprocess.Popen([sys.executable, "-m", "provnews.cli", "crawl", "--jobs", "2", "--sites", str(SITES_DIR),
                             "--proxy", slow.url, "--db", str(db)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: count(db, "SELECT count(*) FROM articles") > 0)  # the workers are at work
        tree = descendants(proc.pid)
        assert len(tree) >= 2
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        slow.shutdown()
    wait_for(lambda: not any(alive(p) for p in tree), timeout=30)
