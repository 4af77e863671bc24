"""Database figures for issue 6:
  - re-ingest throughput at --jobs 1 and --jobs 2 over copies of the mirror's raw pages;
  - near-duplicate clustering time and search latency p50/p95 at N articles (default 100,000),
    built through the real write path (save_article: FTS index + MinHash/LSH clustering).

    python bench/bench_database.py [--articles 100000] [--reingest-pages 2000]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data.mirror.stories import STORIES  # noqa: E402
from pipelines.store import compress, connect, save_article  # noqa: E402

PLACES = ["昆明", "大理", "丽江", "曲靖", "玉溪", "红河", "普洱", "保山", "楚雄", "文山", "昭通", "临沧"]
WORDS = ["推进", "建设", "发展", "项目", "工作", "群众", "服务", "改革", "保护", "生态", "产业", "乡村",
         "交通", "教育", "医疗", "旅游", "文化", "安全", "民生", "创新", "开放", "经济", "治理", "农业"]


CHARS = "".join(sorted(set("".join(p for s in STORIES for p in s["paras"])) - set("，。、；：“”（）《》0123456789.%")))


def synthetic_body(rng: random.Random) -> str:
    """A distinct story: 4 paragraphs of sentences drawn from the mirror's own characters and words
    (so its n-gram statistics look like news, while two stories share little)."""
    paras = []
    for _ in range(4):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            parts = [rng.choice(PLACES), rng.choice(WORDS)] + [rng.choice(CHARS) for _ in range(rng.randint(12, 30))]
            rng.shuffle(parts)
            sentences.append("".join(parts))
        paras.append("，".join(sentences) + "。")
    return "\n".join(paras)


def build(path: Path, n: int) -> float:
    """n articles, 10% of them syndicated copies of an earlier one; returns seconds spent."""
    rng = random.Random(7)
    db = connect(path)
    bodies: list[str] = []
    t0 = time.perf_counter()
    batch = 500
    for start in range(0, n, batch):
        with db.conn:
            for i in range(start, min(n, start + batch)):
                if bodies and rng.random() < 0.1:
                    body = rng.choice(bodies[-5000:])  # a copy of a recent story, other site
                else:
                    body = synthetic_body(rng)
                    bodies.append(body)
                day = 1 + i % 28
                page = {"url": f"http://s{i % 50}.example.cn/a/{i}.html", "site": f"site-{i % 50}",
                        "fetched_at": f"2024-05-{day:02d}T08:00:00+00:00", "list_hint": {},
                        "article": {"title": body[:18], "body": body, "author": "", "source": "", "editor": "",
                                    "published_at": f"2024-05-{day:02d}T07:{i % 60:02d}:00+08:00",
                                    "published_precision": "minute", "published_source": "meta",
                                    "canonical_url": f"http://s{i % 50}.example.cn/a/{i}.html",
                                    "fingerprint": None}}
                save_article(db, page)
    secs = time.perf_counter() - t0
    db.conn.close()
    return secs


def search_latency(path: Path, queries: list[str]) -> tuple[float, float]:
    from provnews.search import search

    db = connect(path, readonly=True)
    times = []
    for q in queries:
        t0 = time.perf_counter()
        search(db, q, limit=20)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def raw_pages_db(path: Path, pages: int) -> None:
    """A database holding only raw pages: copies of the mirror's article pages under new URLs."""
    from provnews.mirror import MIRROR_DIR

    files = [p for p in MIRROR_DIR.rglob("*") if p.suffix in (".html", ".shtml")
             and any(k in str(p) for k in ("/system/", "/t2024", "/detail-"))]
    db = connect(path)
    with db.conn:
        for i in range(pages):
            f = files[i % len(files)]
            db["pages"].insert({"url": f"http://copy{i}.example.cn/{f.name}", "site": "bench", "status": 200,
                                "fetched_at": "2024-06-01T00:00:00+00:00", "headers": "{}",
                                "body": compress(f.read_bytes()), "body_size": f.stat().st_size})
    db.conn.close()


def reingest_bench(pages: int) -> None:
    import subprocess

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.db"
        raw_pages_db(path, pages)
        rates = {}
        for jobs in (1, 2):
            # the first pass writes every article; time a pass on a fresh copy each time
            copy = Path(tmp) / f"r{jobs}.db"
            copy.write_bytes(path.read_bytes())
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "provnews.cli", "reingest", "--db", str(copy),
                            "--jobs", str(jobs), "--json"], cwd=ROOT, check=True, capture_output=True)
            rates[jobs] = pages / (time.perf_counter() - t0)
            print(f"reingest --jobs {jobs}: {rates[jobs]:.1f} pages/s ({pages} pages, process start included)")
        print(f"reingest speed-up with 2 jobs: {rates[2] / rates[1]:.2f}x")


RSS_PROBE = """
import resource, sys
from provnews.cli import cli
try:
    cli(["reingest", "--db", sys.argv[1], "--jobs", "1", "--json"])
except SystemExit:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def reingest_memory(sizes=(500, 4000)) -> None:
    """Peak RSS of the re-ingest process at two database sizes: streaming keeps it flat."""
    import subprocess

    for pages in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "m.db"
            raw_pages_db(path, pages)
            proc = subprocess.run([sys.executable, "-c", RSS_PROBE, str(path)], cwd=ROOT, capture_output=True,
                                  text=True, check=True)
            kb = int(proc.stderr.strip().splitlines()[-1])
            print(f"reingest of {pages} pages: peak RSS {kb / 1024:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=100_000, help="articles in the search/cluster database")
    ap.add_argument("--reingest-pages", type=int, default=2000, help="raw pages for the re-ingest figure")
    args = ap.parse_args()
    reingest_bench(args.reingest_pages)
    reingest_memory()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        secs = build(path, args.articles)
        con = connect(path, readonly=True)
        clusters = con.execute("SELECT count(*), sum(copies) FROM syndication_clusters").fetchone()
        size = path.stat().st_size / 1e6
        con.conn.close()
        print(f"built {args.articles} articles in {secs:.0f} s ({args.articles / secs:.0f}/s, FTS + MinHash/LSH "
              f"clustering included); {clusters[0]} clusters holding {clusters[1]} articles; db {size:.0f} MB")
        rng = random.Random(3)
        queries = [rng.choice(PLACES) for _ in range(50)] + [rng.choice(WORDS) for _ in range(50)] + \
            [rng.choice(PLACES) + rng.choice(WORDS) for _ in range(50)] + ["滇", "昆", "池"] * 10
        p50, p95 = search_latency(path, queries)
        print(f"search at {args.articles} articles: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(queries)} queries")


if __name__ == "__main__":
    main()
