"""Crawl speed against a naive pipeline: pages/min, CPU per stored article, peak memory.

    python bench/bench_crawl_speed.py [--pages 2000] [--rounds 3] [--modes bare,naive,jobs1,jobs2]

Serves N real pages on 127.0.0.1 with no delay (read at run time from
../shared/corpus/zh-news/pages when present, never copied into the repo; else the mirror's
article pages), page i being file i mod the number of files, behind list pages of 100 links, and
crawls them with 16 requests in flight, interleaved, each mode once per round:

- bare    a Scrapy spider that only follows links (the ceiling: fetching and scheduling alone)
- naive   the pipeline a user would write from the packages' docs: the same spider plus
          trafilatura.extract(html, with_metadata=True) and a sqlite-utils insert per article
- jobsN   `provnews crawl --jobs N` over the same site (per-site delay 0, concurrency 16);
          `crawl`: the same without --jobs (the default); `jobsN-noat`: with AutoThrottle off

Each run is a fresh process and a fresh database. Pages/min: stored articles over the time from
the server's first request to the process's exit. CPU: user + system time of the whole process
tree (worker processes and a forkserver included), start-up included, per stored article (per
fetched page for bare): the larger of os.wait4's figure (the crawl and what it reaped) and the
sum of every process's own time sampled from /proc every 50 ms. Peak
memory: the largest sum over the tree of RSS (shared pages counted in every process) and of PSS
(shared pages split between the processes sharing them), sampled every 50 ms. With
--per-process, each run also prints the peak RSS and the CPU per stored article of each kind of
process: the crawl's main process, the stage workers (summed) and multiprocessing's resource
tracker; each kind's peak is its own, whenever it happened.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
CORPUS_PAGES = ROOT.parent / "shared" / "corpus" / "zh-news" / "pages"
MIRROR = ROOT / "data" / "mirror"
HOST = "news.bench.test"
PER_LIST = 100
IN_FLIGHT = 16


def load_pages(corpus: Path) -> tuple[list[bytes], str]:
    if corpus.is_dir() and any(corpus.glob("*.html")):
        return [p.read_bytes() for p in sorted(corpus.glob("*.html"))], str(corpus)
    files = sorted(p for p in MIRROR.rglob("*.shtml") if "/system/" in str(p) or "/detail-" in str(p))
    files += sorted(p for p in MIRROR.rglob("t2024*.html"))
    return [p.read_bytes() for p in files], "the mirror's article pages"


class Site(ThreadingHTTPServer):
    """List pages /list/K.html (PER_LIST article links and the next list page) and articles
    /a/I.html; answers both proxy-style (absolute URL) and direct requests."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, pages: list[bytes], n: int):
        super().__init__(("127.0.0.1", 0), Handler)
        self.pages, self.n = pages, n
        self.first: float | None = None
        self.served = itertools.count()  # article pages answered (next() is atomic)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass

    def do_GET(self):
        srv: Site = self.server
        if srv.first is None:
            srv.first = time.monotonic()
        path = urlsplit(self.path).path
        status, body = 200, b""
        if path.startswith("/list/"):
            k = int(path[6:-5])
            lo, hi = k * PER_LIST, min(srv.n, (k + 1) * PER_LIST)
            links = "".join(f'<li><a href="/a/{i:06d}.html">第{i}号新闻标题</a><span>2024-05-09</span></li>'
                            for i in range(lo, hi))
            more = f'<a href="/list/{k + 1}.html">下一页</a>' if hi < srv.n else ""
            body = (f'<html><head><meta charset="utf-8"><title>列表</title></head><body><ul class="list">'
                    f'{links}</ul>{more}</body></html>').encode()
        elif path.startswith("/a/"):
            body = srv.pages[int(path[3:-5]) % len(srv.pages)]
            next(srv.served)
        else:
            status, body = 404, b"<html><body>404</body></html>"
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


# --- the two Scrapy spiders a user would write (run in a child process: --spider) ----------------
def run_spider(kind: str, start: str, db_path: str) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class Bare(scrapy.Spider):
        name = "bare"
        start_urls = [start]

        def parse(self, response):
            for href in response.css("a::attr(href)").getall():
                url = response.urljoin(href)
                if "/a/" in url:
                    yield scrapy.Request(url, callback=self.parse_article)
                else:
                    yield scrapy.Request(url)

        def parse_article(self, response):
            if kind == "naive":
                yield {"url": response.url, "html": response.text}

    class NaivePipeline:
        """trafilatura with metadata, one sqlite-utils insert per article."""

        def open_spider(self, spider=None):
            import sqlite_utils

            self.db = sqlite_utils.Database(db_path)

        def process_item(self, item, spider=None):
            import trafilatura

            out = trafilatura.extract(item["html"], url=item["url"], with_metadata=True,
                                      output_format="json")
            doc = json.loads(out) if out else {}
            self.db["articles"].insert({"url": item["url"], "title": doc.get("title"),
                                        "date": doc.get("date"), "author": doc.get("author"),
                                        "body": doc.get("text")}, pk="url", alter=True)
            return {"url": item["url"]}

    settings = {"CONCURRENT_REQUESTS": IN_FLIGHT, "CONCURRENT_REQUESTS_PER_DOMAIN": IN_FLIGHT,
                "DOWNLOAD_DELAY": 0, "ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False,
                "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False, "COOKIES_ENABLED": False}
    if kind == "naive":
        settings["ITEM_PIPELINES"] = {NaivePipeline: 100}
    process = CrawlerProcess(settings)
    process.crawl(Bare)
    process.start()


# --- measuring one run --------------------------------------------------------------------------
TICK = os.sysconf("SC_CLK_TCK")


def tree_pids(pid: int) -> list[int]:
    """The process and its descendants (worker processes, a forkserver and its workers)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def role(pid: int, root: int) -> str:
    """main (the crawl), tracker (multiprocessing's resource tracker) or workers (stage workers)."""
    if pid == root:
        return "main"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read()
    except OSError:
        return "workers"
    return "tracker" if b"resource_tracker" in cmdline else "workers"


def sample(pid: int, cpu: dict[int, float], kinds: dict[int, str] | None = None,
           by_kind: dict[str, int] | None = None) -> tuple[int, int]:
    """Sum of RSS and of PSS (kB) over the tree; each process's own CPU seconds into ``cpu``;
    with ``kinds`` (pid -> role, filled here) the RSS summed by role into ``by_kind``."""
    rss = pss = 0
    for p in tree_pids(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu[p] = (int(fields[11]) + int(fields[12])) / TICK  # utime + stime, this process only
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        kb = int(line.split()[1])
                        rss += kb
                        if kinds is not None and by_kind is not None:
                            r = kinds.setdefault(p, role(p, pid))
                            by_kind[r] = by_kind.get(r, 0) + kb
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            pass
    return rss, pss


def site_toml(sites: Path, start: str, n: int) -> None:
    sites.mkdir(parents=True, exist_ok=True)
    (sites / "bench.toml").write_text(f'''id = "bench"
name = "bench"
province = "云南"
start_urls = ["{start}"]
allowed_domains = ["{HOST}"]
[links]
article = ['/a/\\d+\\.html$']
follow = ['/list/\\d+\\.html$']
[list]
max_pages = {n // PER_LIST + 2}
[politeness]
delay = 0
concurrency = {IN_FLIGHT}
''', encoding="utf-8")


def command(mode: str, site: Site, tmp: Path, n: int) -> tuple[list[str], Path]:
    db = tmp / f"{mode}.db"
    if mode in ("bare", "naive"):
        return [sys.executable, __file__, "--spider", mode, "--start", f"{site.url}/list/0.html",
                "--db", str(db)], db
    site_toml(tmp / "sites", f"http://{HOST}/list/0.html", n)
    name, _, variant = mode.partition("-")
    jobs = ["--jobs", name[4:]] if name.startswith("jobs") else []  # "crawl": the default
    cli = ["-m", "provnews.cli"]
    if variant == "noat":  # AutoThrottle off, everything else as shipped
        cli = ["-c", "import sys, crawler.settings as s; s.AUTOTHROTTLE_ENABLED = False; "
                     "from provnews.cli import main; sys.argv[0] = 'provnews'; main()"]
    return [sys.executable, *cli, "crawl", "bench", "--sites", str(tmp / "sites"),
            "--proxy", site.url, "--db", str(db), *jobs], db


def run_once(mode: str, pages: list[bytes], n: int) -> dict:
    site = Site(pages, n)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        args, db = command(mode, site, Path(tmp), n)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        peak, cpu, done = [0, 0], {}, threading.Event()
        by_role: dict[str, int] = {}  # each role's own peak RSS (kB), whenever it happened
        kinds: dict[int, str] = {}  # pid -> main / workers / tracker

        def watch():
            while not done.wait(0.05):
                now: dict[str, int] = {}
                rss, pss = sample(proc.pid, cpu, kinds, now)
                peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
                for r, kb in now.items():
                    by_role[r] = max(by_role.get(r, 0), kb)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(proc.pid, 0)
        end = time.monotonic()
        done.set()
        watcher.join()
        # both are lower bounds of the tree's CPU: wait4 counts the crawl and the processes it
        # reaped; the samples every process of the tree, up to 50 ms before it ended
        cpu_s = max(usage.ru_utime + usage.ru_stime, sum(cpu.values()))
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace")
        site.shutdown()
        site.server_close()
        if mode == "bare":
            stored = next(site.served)
        else:
            con = sqlite3.connect(db)
            stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
            con.close()
    if proc.returncode != 0 or not stored:
        raise SystemExit(f"{mode}: exit {proc.returncode}, {stored} articles\n{err[-2000:]}")
    wall = end - (site.first or end)
    return {"mode": mode, "stored": stored, "pages_min": stored / wall * 60,
            "cpu_ms": cpu_s / stored * 1000, "rss_mb": peak[0] / 1024, "pss_mb": peak[1] / 1024,
            "roles_mb": {r: kb / 1024 for r, kb in sorted(by_role.items())},
            "roles_cpu_ms": {r: sum(t for p, t in cpu.items() if kinds.get(p) == r) / stored * 1000
                             for r in sorted(set(kinds.values()))}}


def spread(values: list[float], fmt: str) -> str:
    return " / ".join(format(v, fmt) for v in (min(values), statistics.median(values), max(values)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--modes", default="bare,naive,jobs1,jobs2")
    ap.add_argument("--corpus", type=Path, default=CORPUS_PAGES)
    ap.add_argument("--per-process", action="store_true",
                    help="also print each run's peak RSS and CPU by kind of process (main / workers / tracker)")
    ap.add_argument("--spider", choices=("bare", "naive"), help=argparse.SUPPRESS)
    ap.add_argument("--start", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.spider:
        return run_spider(a.spider, a.start, a.db)
    pages, source = load_pages(a.corpus)
    modes = a.modes.split(",")
    print(f"{a.pages} pages served from {len(pages)} files ({source}), {IN_FLIGHT} in flight, "
          f"{a.rounds} interleaved rounds, {os.cpu_count()} cores")
    runs: dict[str, list[dict]] = {m: [] for m in modes}
    for r in range(a.rounds):
        for m in modes:
            res = run_once(m, pages, a.pages)
            runs[m].append(res)
            print(f"  round {r + 1} {m:6} {res['stored']:6} stored  {res['pages_min']:7.0f} pages/min  "
                  f"{res['cpu_ms']:6.1f} ms CPU/article  RSS {res['rss_mb']:4.0f} MB  PSS {res['pss_mb']:4.0f} MB",
                  flush=True)
            if a.per_process:  # each role's own peak: they need not coincide with the tree's
                print("        peak RSS by process: " + ", ".join(
                    f"{r} {mb:.0f} MB" for r, mb in res["roles_mb"].items()) + ";  CPU ms/article: " + ", ".join(
                    f"{r} {ms:.1f}" for r, ms in res["roles_cpu_ms"].items()), flush=True)
    med = {m: statistics.median(x["pages_min"] for x in runs[m]) for m in modes}
    print("\n| run | pages/min (min / median / max) | CPU ms per stored article | peak RSS MB | "
          "peak PSS MB | × naive | × bare |\n|---|---|---|---|---|---|---|")
    for m in modes:
        vs = [f"{med[m] / med[ref]:.2f}" if ref in med else "–" for ref in ("naive", "bare")]
        print(f"| {m} | {spread([x['pages_min'] for x in runs[m]], '.0f')} | "
              f"{spread([x['cpu_ms'] for x in runs[m]], '.1f')} | "
              f"{spread([x['rss_mb'] for x in runs[m]], '.0f')} | "
              f"{spread([x['pss_mb'] for x in runs[m]], '.0f')} | {vs[0]} | {vs[1]} |")


if __name__ == "__main__":
    main()
