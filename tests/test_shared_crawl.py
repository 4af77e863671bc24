"""A shared crawl: several `provnews crawl --redis` processes, one `provnews ingest-worker`, a real
redis-server and the loopback mirror. Every article must be stored exactly once, nothing lost,
kill -9 included, and a second round must fetch nothing that is already stored."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from crawler.handoff import decode_page, encode_page
from pipelines.page import new_page
from crawler.shared_frontier import SEEN_SYNCED, STREAM, WRITERS_GROUP, keys
from provnews.ingest_worker import IngestWorker, ensure_group
from provnews.mirror import SITES_DIR, MirrorServer
from tests.conftest import PROVNEWS, ROOT, run_cli

SITES = ("mirror-daily", "mirror-gov", "mirror-portal")


SPAWNED: list[subprocess.Popen] = []


def spawn(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    proc = subprocess.Popen([*PROVNEWS, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    SPAWNED.append(proc)
    return proc


@pytest.fixture(autouse=True)
def no_process_outlives_its_test():
    """A failed test must not leave crawler nodes or writers running (services never exit)."""
    yield
    while SPAWNED:
        proc = SPAWNED.pop()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def finish(proc: subprocess.Popen, timeout: float = 180) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def crawler_node(redis_url: str, proxy: str, sites_dir: Path | str = SITES_DIR,
                 idle_exit: float = 1.5) -> subprocess.Popen:
    return spawn("crawl", "--sites", str(sites_dir), "--proxy", proxy, "--redis", redis_url,
                 "--idle-exit", str(idle_exit))


def writer(redis_url: str, db: Path, idle_exit: float = 6) -> subprocess.Popen:
    return spawn("ingest-worker", "--redis", redis_url, "--db", str(db), "--sites", str(SITES_DIR),
                 "--idle-exit", str(idle_exit))


def article_fetches(log: list[dict], expected: list[dict]) -> dict[str, int]:
    """How many times each expected article was requested, from the mirror's request log."""
    wanted = {e["url"] for e in expected}
    counts = {url: 0 for url in wanted}
    for entry in log:
        url = f"http://{entry['host']}{entry['path']}"
        if url in counts:
            counts[url] += 1
    return counts


def stored(db: Path, sql: str, params=()) -> list[tuple]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def redis_left_over(client) -> dict:
    return {"stream": client.xlen(STREAM), "pending": client.xpending(STREAM, WRITERS_GROUP)["pending"],
            "frontier": sum(client.hlen(keys(s)["frontier"]) for s in SITES),
            "queue": sum(client.zcard(keys(s)["queue"]) for s in SITES)}


def wait_for(predicate, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)  # polling a condition, not a sleep standing in for synchronisation


@pytest.fixture(scope="module")
def shared_crawl(redis_server, mirror, tmp_path_factory):
    """Three crawler nodes and one writer, started together; then a second round."""
    client = redis_server.client()
    client.flushall()
    db = tmp_path_factory.mktemp("shared") / "news.db"
    before = len(mirror.log.snapshot())
    nodes = [crawler_node(redis_server.url, mirror.url) for _ in range(3)]
    worker = spawn("ingest-worker", "--redis", redis_server.url, "--db", str(db), "--sites", str(SITES_DIR),
                   "--jobs", "2")  # the pure stages in worker processes: same rows as one process
    node_results = [finish(n) for n in nodes]
    wait_for(lambda: client.xlen(STREAM) == 0)  # drained: pages and the nodes' reports are stored
    worker.send_signal(signal.SIGTERM)  # a service writer, stopped as systemd would
    worker_result = finish(worker)
    first_log = mirror.log.snapshot()[before:]
    first_state = redis_left_over(client)
    # a second batch against an emptied Redis: what the nodes know of the database comes from the
    # writer, which publishes stored URLs and list validators at start (so it runs first)
    client.flushall()
    worker = spawn("ingest-worker", "--redis", redis_server.url, "--db", str(db), "--sites", str(SITES_DIR))
    try:
        wait_for(lambda: client.exists(SEEN_SYNCED))
        second_writer = run_cli("ingest-worker", "--redis", redis_server.url, "--db", str(db),
                                "--idle-exit", "0")
        before = len(mirror.log.snapshot())
        nodes = [crawler_node(redis_server.url, mirror.url) for _ in range(3)]
        second_results = [finish(n) for n in nodes]
        wait_for(lambda: client.xlen(STREAM) == 0)  # the nodes' reports are stored
    finally:
        worker.send_signal(signal.SIGTERM)
    second_results.append(finish(worker))
    return {"db": db, "nodes": node_results, "worker": worker_result, "log": first_log,
            "left": first_state, "second": second_results, "second_writer": second_writer,
            "second_log": mirror.log.snapshot()[before:], "client": client}


def test_three_nodes_one_writer_store_every_article_exactly_once(shared_crawl, expected, crawled):
    for code, out, err in [*shared_crawl["nodes"], shared_crawl["worker"]]:
        assert code == 0, err
    db = shared_crawl["db"]
    rows = stored(db, "SELECT url, title, published_at, body FROM articles")
    assert sorted(r[0] for r in rows) == sorted(e["url"] for e in expected)
    # the same articles, field for field, as the single-machine crawl of the same mirror
    single = {r[0]: r[1:] for r in stored(crawled[0], "SELECT url, title, published_at, body FROM articles")}
    assert {r[0]: r[1:] for r in rows} == single
    # never fetched twice: each article requested once over all three nodes
    fetches = article_fetches(shared_crawl["log"], expected)
    assert set(fetches.values()) == {1}, {u: n for u, n in fetches.items() if n != 1}
    # failures are stored as in a single crawl (404, the PDF served as HTML...)
    assert stored(db, "SELECT url, status, error IS NOT NULL FROM pages ORDER BY url") == \
        stored(crawled[0], "SELECT url, status, error IS NOT NULL FROM pages ORDER BY url")
    assert shared_crawl["left"] == {"stream": 0, "pending": 0, "frontier": 0, "queue": 0}


def test_the_work_was_shared_and_runs_are_recorded_per_round(shared_crawl):
    db = shared_crawl["db"]
    runs = stored(db, "SELECT site, round, status, nodes, pages_fetched, articles_new FROM crawl_runs "
                      "ORDER BY id")
    first = runs[:3]
    assert sorted(r[0] for r in first) == sorted(SITES)
    assert all(r[2] == "ok" and r[3] == 3 and r[1] for r in first), first
    assert sum(r[5] for r in first) == 43
    # each node prints its own figures; together they add up to the pages the writer stored
    fetched = 0
    for _, out, _ in shared_crawl["nodes"]:
        for line in out.splitlines():
            cells = [c.strip() for c in line.split("│") if c.strip()]
            if len(cells) >= 5 and cells[0].startswith("mirror-"):
                fetched += int(cells[4])
    assert fetched == sum(r[4] for r in first) == stored(db, "SELECT count(*) FROM pages")[0][0]


def test_a_second_round_fetches_only_list_pages_conditionally(shared_crawl):
    """Stored articles are known to every node, list pages are asked for with their validators."""
    for code, out, err in shared_crawl["second"]:
        assert code == 0, err
    # the database has one writer: a second one exits at once
    assert shared_crawl["second_writer"].returncode == 75, shared_crawl["second_writer"].stderr
    log = shared_crawl["second_log"]
    article_like = [e for e in log if e["path"].endswith((".shtml", ".html")) and "index" not in e["path"]]
    assert article_like == []
    lists = [e for e in log if e["path"] not in ("/robots.txt",)]
    assert lists and all(e["status"] == 304 for e in lists), lists
    runs = stored(shared_crawl["db"], "SELECT status, pages_fetched, nodes FROM crawl_runs ORDER BY id")[3:]
    assert [r[0] for r in runs] == ["ok"] * 3 and all(r[1] == 0 and r[2] == 3 for r in runs)


def mirror_sites(tmp_path: Path, old: str, new: str, only: str = "*") -> Path:
    """A copy of the mirror's site files (those matching ONLY) with OLD replaced by NEW."""
    out = tmp_path / "sites"
    out.mkdir()
    for f in SITES_DIR.glob(f"{only}.toml"):
        (out / f.name).write_text(f.read_text("utf-8").replace(old, new), encoding="utf-8")
    return out


def test_kill_nine_of_a_crawler_and_the_writer_loses_nothing(redis_server, expected, tmp_path, crawled):
    client = redis_server.client()
    client.flushall()
    server = MirrorServer(delay=0.3).start_background()
    # one request at a time per site and node, to make the run last
    sites = mirror_sites(tmp_path, "concurrency = 8", "concurrency = 1")
    db = tmp_path / "news.db"
    try:
        nodes = [crawler_node(redis_server.url, server.url, sites, idle_exit=2) for _ in range(3)]
        worker = spawn("ingest-worker", "--redis", redis_server.url, "--db", str(db), "--sites", str(SITES_DIR))

        def writer_started() -> bool:
            try:
                return stored(db, "SELECT count(*) FROM articles")[0][0] >= 1
            except sqlite3.OperationalError:  # the writer has not created its tables yet
                return False

        # the crawler is killed a third of the way through the crawl (by the server's own log),
        # the writer once it has stored something and before it has stored everything
        wait_for(lambda: len(server.log.snapshot()) >= 20)
        victim = nodes[0]
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        assert len(server.log.snapshot()) < len(crawled[2]), "the crawl ended before the kill"
        wait_for(writer_started)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        assert stored(db, "SELECT count(*) FROM articles")[0][0] < len(expected), "the writer had finished"
        nodes[0] = crawler_node(redis_server.url, server.url, sites, idle_exit=2)
        worker = spawn("ingest-worker", "--redis", redis_server.url, "--db", str(db), "--sites", str(SITES_DIR))
        results = [finish(n) for n in nodes]
        wait_for(lambda: client.xlen(STREAM) == 0)  # the restarted writer has stored everything
        worker.send_signal(signal.SIGTERM)
        results.append(finish(worker))
    finally:
        server.shutdown()
    for code, out, err in results:
        assert code == 0, err
    rows = stored(db, "SELECT url, title, body FROM articles")
    assert sorted(r[0] for r in rows) == sorted(e["url"] for e in expected)
    single = {r[0]: r[1:] for r in stored(crawled[0], "SELECT url, title, body FROM articles")}
    assert {r[0]: r[1:] for r in rows} == single
    assert stored(db, "SELECT count(*) FROM pages")[0][0] == stored(crawled[0], "SELECT count(*) FROM pages")[0][0]
    assert redis_left_over(client) == {"stream": 0, "pending": 0, "frontier": 0, "queue": 0}
    # the fetch log: at most the killed node's requests in flight are fetched a second time
    fetches = article_fetches(server.log.snapshot(), expected)
    assert all(n >= 1 for n in fetches.values())


def test_the_writer_stores_entries_it_never_acknowledged(redis_server, tmp_path, expected):
    """A writer that died after reading (its pending list) — and one that stored a page but died
    before XACK (a second delivery) — store each page once."""
    client = redis_server.client()
    client.flushall()
    ensure_group(client)
    body = (ROOT / "data" / "mirror" / "www.qicai-daily.test" / "system" ).glob("**/*.shtml")
    path = next(iter(sorted(body)))
    url = "http://www.qicai-daily.test/" + str(path.relative_to(ROOT / "data/mirror/www.qicai-daily.test"))
    page = new_page(url, site="mirror-daily", body=path.read_bytes(),
                    headers={"Content-Type": "text/html"}, fetched_at="2024-05-09T01:00:00+00:00")
    client.xadd(STREAM, encode_page(page, "r1", "n1"))
    # read by a consumer that then dies: the entry is pending, unacknowledged
    got = client.xreadgroup(WRITERS_GROUP, "writer@test", {STREAM: ">"}, count=10)
    assert len(got[0][1]) == 1
    db = tmp_path / "news.db"
    # the writer, as a batch: it drains what it left pending, then exits once the stream is quiet
    proc = run_cli("ingest-worker", "--redis", redis_server.url, "--db", str(db), "--sites", str(SITES_DIR),
                   "--consumer", "writer@test", "--idle-exit", "0", check=True)
    assert "new 1" in proc.stdout and "re-delivered 1" in proc.stdout, proc.stdout
    # delivered again (as after a kill between commit and XACK): nothing changes
    client.xadd(STREAM, encode_page(page, "r1", "n1"))
    worker = IngestWorker(redis_server.url, db, SITES_DIR, consumer="writer@test")
    summary = worker.run(idle_exit=0)
    worker.close()
    assert summary.outcomes["unchanged"] == 1
    assert stored(db, "SELECT count(*) FROM articles WHERE url = ?", [url]) == [(1,)]
    assert client.xlen(STREAM) == 0 and client.xpending(STREAM, WRITERS_GROUP)["pending"] == 0
    assert client.hget(keys("mirror-daily")["seen"], url) is not None  # published to the nodes


def test_a_page_that_kills_the_writer_is_dead_lettered_then_retried(redis_server, tmp_path, monkeypatch):
    """A page that makes the writer process itself exit (a test-only hook: a marker in the body)
    is delivered PROVNEWS_INGEST_DEAD_AFTER (3) times, then moved to the dead-letter stream with
    a pages row saying so, and the pages around it are stored; --retry-dead replays it later."""
    from crawler.handoff import DEAD_STREAM

    client = redis_server.client()
    client.flushall()
    ensure_group(client)
    files = sorted((ROOT / "data" / "mirror" / "www.qicai-daily.test" / "system").glob("**/*.shtml"))[:2]
    marker = "POISON-7f3a"
    poison_url = "http://www.qicai-daily.test/system/2024/05/09/poison.shtml"
    urls = ["http://www.qicai-daily.test/" + str(f.relative_to(ROOT / "data/mirror/www.qicai-daily.test"))
            for f in files]
    entries = [(urls[0], files[0].read_bytes()), (poison_url, files[1].read_bytes() + f"<!-- {marker} -->".encode()),
               (urls[1], files[1].read_bytes())]
    for url, body in entries:
        client.xadd(STREAM, encode_page(new_page(url, site="mirror-daily", body=body, status=200,
                                                 headers={"Content-Type": "text/html"},
                                                 fetched_at="2024-05-09T01:00:00+00:00"), "r1", "n1"))
    db = tmp_path / "news.db"
    args = ("ingest-worker", "--redis", redis_server.url, "--db", str(db), "--sites", str(SITES_DIR),
            "--consumer", "writer@test", "--idle-exit", "0")
    monkeypatch.setenv("PROVNEWS_TEST_CRASH_MARKER", marker)
    for delivery in (1, 2, 3):  # each delivery of the poison page kills the writer
        proc = run_cli(*args)
        assert proc.returncode == 70, (delivery, proc.returncode, proc.stderr[-500:])
    proc = run_cli(*args, check=True)  # the fourth: dead-lettered, and the writer goes on
    assert "dead-lettered 1" in proc.stdout, proc.stdout
    assert stored(db, "SELECT error FROM pages WHERE url = ?", [poison_url]) == [
        ("writer: poisoned after 3 deliveries",)]
    assert stored(db, "SELECT count(*) FROM articles WHERE url IN (?, ?)", urls) == [(2,)]
    assert client.xlen(DEAD_STREAM) == 1 and client.xpending(STREAM, WRITERS_GROUP)["pending"] == 0
    status = json.loads(run_cli("shared-status", "--redis", redis_server.url, "--json", check=True).stdout)
    assert status["stream"]["dead"] == 1 and status["stream"]["waiting"] == 0
    # after the fix: replayed, stored, the dead-letter stream empty
    monkeypatch.delenv("PROVNEWS_TEST_CRASH_MARKER")
    proc = run_cli(*args, "--retry-dead", check=True)
    assert "new 1" in proc.stdout and "1 dead-letter entries put back" in proc.stderr, (proc.stdout, proc.stderr)
    assert stored(db, "SELECT error FROM pages WHERE url = ?", [poison_url]) == [(None,)]
    assert stored(db, "SELECT count(*) FROM articles WHERE url = ?", [poison_url]) == [(1,)]
    assert client.xlen(DEAD_STREAM) == 0 and client.xlen(STREAM) == 0


def test_a_page_survives_the_stream_byte_for_byte():
    body = "<html><meta charset=gbk>云岭".encode("gbk") + bytes(range(256))
    page = new_page("http://a.test/1.html", site="s", body=body, status=404, final_url="http://a.test/2",
                    headers={"Content-Type": "text/html; charset=gbk"}, list_hint={"text": "标题", "date": "5月9日"},
                    error="http 404")
    fields = {k.encode(): v if isinstance(v, bytes) else str(v).encode() for k, v in encode_page(page).items()}
    back = decode_page(fields)
    assert {k: back[k] for k in page} == page
    no_status = decode_page({k.encode(): v if isinstance(v, bytes) else str(v).encode()
                             for k, v in encode_page({**page, "status": None, "error": None}).items()})
    assert no_status["status"] is None and no_status["error"] is None


def test_the_site_delay_holds_across_nodes(redis_server, tmp_path):
    """Three nodes on one site with delay = 0.2 s: the server never sees two requests closer
    than the delay, as if one polite process were crawling."""
    client = redis_server.client()
    client.flushall()
    sites = mirror_sites(tmp_path, "delay = 0.0", "delay = 0.2", only="mirror-gov")
    server = MirrorServer().start_background()
    try:
        nodes = [crawler_node(redis_server.url, server.url, sites, idle_exit=1) for _ in range(3)]
        results = [finish(n) for n in nodes]
    finally:
        server.shutdown()
    for code, _, err in results:
        assert code == 0, err
    times = sorted(e["t"] for e in server.log.snapshot())
    assert len(times) >= 10
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 0.2 * 0.8, gaps  # loopback jitter only: without the gate, gaps near 0
    client.delete(STREAM)


def test_shared_mode_usage_errors(redis_server):
    proc = run_cli("crawl", "--idle-exit", "1")
    assert proc.returncode == 2 and "need --redis" in proc.stderr
    proc = run_cli("crawl", "--redis", redis_server.url, "--due")
    assert proc.returncode == 2 and "--due" in proc.stderr
    proc = run_cli("ingest-worker", "--redis", "redis://127.0.0.1:1/0", "--db", "/tmp/unused.db")
    assert proc.returncode == 2 and "cannot reach Redis" in proc.stderr
    proc = run_cli("crawl", "--redis", "localhost:6379", "--idle-exit", "1")  # no scheme
    assert proc.returncode == 2 and "Invalid value for '--redis'" in proc.stderr, proc.stderr
    proc = run_cli("crawl", "--redis", "redis://127.0.0.1:1/0", "--sites", str(SITES_DIR), "--idle-exit", "1")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr


def test_service_nodes_start_the_next_round_by_themselves(redis_server, tmp_path, expected):
    """Without --idle-exit, nodes and the writer run as services: a site whose `every` has passed
    gets a new round (its list page asked for again, conditionally); SIGTERM ends both cleanly."""
    client = redis_server.client()
    client.flushall()
    sites = mirror_sites(tmp_path, 'kind = "gov"', 'kind = "gov"\nevery = "2s"', only="mirror-gov")
    server = MirrorServer().start_background()
    db = tmp_path / "news.db"
    try:
        nodes = [spawn("crawl", "--sites", str(sites), "--proxy", server.url, "--redis", redis_server.url)
                 for _ in range(2)]
        worker = spawn("ingest-worker", "--redis", redis_server.url, "--db", str(db), "--sites", str(sites))

        def start_page_revisited() -> bool:
            visits = [e for e in server.log.snapshot() if e["path"] == "/zwdt/ywdt/"]
            return len(visits) >= 2 and visits[-1]["status"] == 304

        wait_for(start_page_revisited)
        for proc in nodes:
            proc.send_signal(signal.SIGTERM)
        results = [finish(p) for p in nodes]
        wait_for(lambda: client.xlen(STREAM) == 0)  # the writer has stored the nodes' reports
        worker.send_signal(signal.SIGTERM)
        results.append(finish(worker))
    finally:
        server.shutdown()
    for code, _, err in results:
        assert code == 0, err
    visits = [e for e in server.log.snapshot() if e["path"] == "/zwdt/ywdt/"]
    assert visits[0]["status"] == 200 and visits[1]["if_none_match"]
    articles = [e for e in server.log.snapshot() if "/t2024" in e["path"]]
    assert len(articles) == len({e["path"] for e in articles})  # later rounds fetch none again
    runs = stored(db, "SELECT round, status FROM crawl_runs WHERE site = 'mirror-gov' ORDER BY id")
    assert len({r[0] for r in runs}) >= 2 and runs[0][1] == "ok", runs
    gov = sorted(e["url"] for e in expected if "yunling.gov.test" in e["url"])
    assert [r[0] for r in stored(db, "SELECT url FROM articles ORDER BY url")] == gov




def test_nodes_pause_while_the_writer_is_behind(redis_server, mirror, tmp_path, expected):
    """With no writer, a node stops fetching once --max-backlog pages wait in the stream; a writer
    that drains it lets the crawl finish, every article stored once."""
    client = redis_server.client()
    client.flushall()
    db = tmp_path / "news.db"
    before = len(mirror.log.snapshot())
    node = spawn("crawl", "--sites", str(SITES_DIR), "--proxy", mirror.url, "--redis", redis_server.url,
                 "--idle-exit", "1", "--max-backlog", "10", "-v")

    def paused() -> bool:  # the node's mark stays busy while the stream is at the limit
        return client.xlen(STREAM) >= 10 and len(mirror.log.snapshot()) - before < len(expected)

    wait_for(paused)
    held = client.xlen(STREAM)
    worker = spawn("ingest-worker", "--redis", redis_server.url, "--db", str(db), "--sites", str(SITES_DIR))
    code, out, err = finish(node)
    wait_for(lambda: client.xlen(STREAM) == 0)
    worker.send_signal(signal.SIGTERM)
    assert finish(worker)[0] == 0
    assert code == 0, err
    assert "pausing" in err and "resuming" in err, err
    # paused with at most the requests then in flight added (3 sites x 8 in flight)
    assert held <= 10 + 24
    assert sorted(r[0] for r in stored(db, "SELECT url FROM articles")) == sorted(e["url"] for e in expected)


def test_shared_status_reads_the_crawl_from_redis(shared_crawl, redis_server):
    proc = run_cli("shared-status", "--redis", redis_server.url, "--json", check=True)
    status = json.loads(proc.stdout)
    client = shared_crawl["client"]
    rows = {r["site"]: r for r in status["sites"]}
    assert sorted(rows) == sorted(SITES)
    for site, row in rows.items():
        assert row["seen"] == client.hlen(keys(site)["seen"]) > 0
        assert (row["queued"], row["frontier"], row["lists_open"], row["nodes_busy"]) == (0, 0, 0, 0)
    assert status["stream"]["waiting"] == 0 and status["stream"]["pending"] == 0
    assert [c["name"] for c in status["stream"]["consumers"]]  # the writer that drained it
    table = run_cli("shared-status", "--redis", redis_server.url, check=True).stdout
    assert all(site in table for site in SITES) and "pages waiting for the writer: 0" in table


def test_a_list_pages_validators_survive_another_node_ending_the_round(redis_server):
    """The node that fetched a list page is often not the one that finds the round quiet and
    starts the next: its validators must be the round's, not that node's, or the next round asks
    for the list page unconditionally. Dropped when the round died unfinished."""
    from crawler.shared_frontier import RedisState

    client = redis_server.client()
    client.flushall()
    fetcher, other = (RedisState(client, "site-v", node=n) for n in ("node-a", "node-b"))
    assert fetcher.join_round() and not other.join_round()
    client.hset(keys("site-v")["lists"], "http://x.test/list/", "parse_list")  # taken, not yet settled
    fetcher.save_validators("http://x.test/list/", '"v1"', None, settles="http://x.test/list/")
    other.commit_validators()
    assert fetcher.validators("http://x.test/list/") == {}  # its pagination may not be queued yet
    fetcher.list_done("http://x.test/list/")  # every request the page yields is queued
    fetcher.set_busy(False), other.set_busy(False)
    assert other.round_quiet() and other.new_round()  # node-b starts round 2 before node-a idles
    assert fetcher.validators("http://x.test/list/") == {"If-None-Match": '"v1"'}
    entries = client.xrange(STREAM)
    assert [json.loads(f[b"validators"]) for _, f in entries] == [{"http://x.test/list/": '["\\"v1\\"", null]'}]
    # a round whose nodes all died mid-way: a fresh round starts without its unproven validators
    other.save_validators("http://x.test/list2/", '"v2"', None, settles="http://x.test/list2/")
    other.list_done("http://x.test/list2/")
    client.delete(keys("site-v")["round"])
    starter = RedisState(client, "site-v", node="node-c")
    assert starter.join_round()
    starter.commit_validators()
    assert starter.validators("http://x.test/list2/") == {}
    client.flushall()
