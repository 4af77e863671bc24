"""One versus three crawler nodes of a shared crawl, against a mirror that waits 200 ms per response.

    python bench/bench_shared.py [--articles 300] [--delay 0.2]

A synthetic mirror (three sites, ARTICLES articles each, list pages of 30 links) is served on
loopback; each site lets a node keep 2 requests in flight (the usual per-site politeness). The
crawler nodes run alone first, so their rate is the crawl's (pages requested per minute, from the
server's own log); then `provnews ingest-worker` drains the stream, and its rate is reported too,
with Redis memory per queued page for the capacity arithmetic in the README.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provnews.mirror import MirrorServer  # noqa: E402
from provnews.local_redis import RedisServer  # noqa: E402

PER_LIST = 30
# Articles are made of sentences drawn at random, so that they are as unlike each other as real
# stories: identical templated pages would all fall into one syndication cluster and measure
# the clustering of a pathological site instead of a crawl.
SUBJECTS = ["市政府", "州委", "县人大常委会", "市发展改革委", "省农业农村厅", "区教育局", "市卫生健康委",
            "县文化和旅游局", "市生态环境局", "乡镇党委", "市交通运输局", "省商务厅"]
ACTIONS = ["召开专题会议研究部署", "深入基层调研", "印发实施方案推进", "组织专项检查", "启动试点工作",
           "举办培训班围绕", "签署合作协议聚焦", "通报阶段成效涉及"]
TOPICS = ["高原特色农业", "数字经济发展", "城乡供水保障", "滇池保护治理", "乡村振兴衔接", "义务教育均衡",
          "旅游市场秩序", "森林草原防火", "营商环境优化", "老旧小区改造", "口岸物流通道", "普洱茶产业",
          "花卉出口", "中医药产业", "民族团结进步", "安全生产大检查"]


def build_mirror(root: Path, sites_dir: Path, articles: int) -> None:
    sites_dir.mkdir()
    for s in range(3):
        host = f"www.bench{s}.test"
        base = root / host
        (base / "a").mkdir(parents=True)
        pages = (articles + PER_LIST - 1) // PER_LIST
        rng = random.Random(s)
        for n in range(articles):
            body = "".join(
                "<p>" + "".join(f"{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}{rng.choice(TOPICS)}工作，"
                                f"涉及{rng.randint(2, 980)}个项目、资金{rng.randint(1, 90000)}万元。"
                                for _ in range(4)) + "</p>" for _ in range(6))
            (base / "a" / f"{n:06d}.html").write_text(
                f"<html><head><meta charset='utf-8'><title>基准新闻{s}-{n}_云岭</title></head><body>"
                f"<h1>基准新闻{s}-{n}</h1><div class='date'>2024-05-{n % 28 + 1:02d} 08:00</div>"
                f"<div class='article'>{body}</div></body></html>", encoding="utf-8")
        for p in range(pages):
            links = "".join(f"<li><a href='/a/{n:06d}.html'>基准新闻{s}-{n}</a> 05-{n % 28 + 1:02d}</li>"
                            for n in range(p * PER_LIST, min(articles, (p + 1) * PER_LIST)))
            pager = "".join(f"<a href='/list/index_{q}.html'>{q}</a>" for q in range(1, pages))
            name = "index.html" if p == 0 else f"index_{p}.html"
            (base / "list").mkdir(exist_ok=True)
            (base / "list" / name).write_text(f"<html><body><ul>{links}</ul>{pager}</body></html>",
                                              encoding="utf-8")
        (sites_dir / f"bench{s}.toml").write_text(f'''id = "bench{s}"
name = "基准站{s}"
province = "云南"
kind = "gov"
start_urls = ["http://{host}/list/index.html"]
allowed_domains = ["bench{s}.test"]

[links]
article = ['/a/\\d+\\.html$']
follow = ['/list/index_\\d+\\.html$']

[list]
max_pages = {pages + 1}

[politeness]
delay = 0.0
concurrency = 2
''', encoding="utf-8")


def run(cmd: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "provnews.cli", *cmd], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def crawl_with(n_nodes: int, sites: Path, server: MirrorServer, redis: RedisServer, db: Path,
               jobs: int = 1) -> dict:
    client = redis.client()
    client.flushall()
    before = len(server.log.snapshot())
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    nodes = [run(["crawl", "--sites", str(sites), "--proxy", server.url, "--redis", redis.url,
                  "--idle-exit", "1"]) for _ in range(n_nodes)]
    for p in nodes:
        _, err = p.communicate()
        assert p.returncode == 0, err
    wall = time.perf_counter() - t0
    node_cpu = _children_cpu() - cpu0
    log = server.log.snapshot()[before:]
    window = log[-1]["t"] - log[0]["t"]
    memory = client.info("memory")["used_memory"]
    queued = client.xlen("provnews:pages")
    seen_keys = [k for k in client.scan_iter("provnews:*:seen")]
    seen_bytes = sum(client.memory_usage(k) for k in seen_keys) / max(sum(client.hlen(k) for k in seen_keys), 1)
    cpu1 = _children_cpu()
    t1 = time.perf_counter()
    w = run(["ingest-worker", "--redis", redis.url, "--db", str(db), "--sites", str(sites),
             "--idle-exit", "0.5", "--jobs", str(jobs)])
    _, err = w.communicate()
    assert w.returncode == 0, err
    drain = time.perf_counter() - t1
    writer_cpu = _children_cpu() - cpu1
    con = sqlite3.connect(db)
    stored = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    return {"requests": len(log), "window": window, "wall": wall, "per_min": len(log) / window * 60,
            "redis_bytes_per_page": memory / max(queued, 1), "queued": queued, "drain": drain,
            "stored": stored, "node_cpu_ms": node_cpu / len(log) * 1000,
            "writer_cpu_ms": writer_cpu / max(queued, 1) * 1000, "seen_bytes": seen_bytes}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=300, help="articles per site (3 sites)")
    ap.add_argument("--delay", type=float, default=0.2, help="server delay per response, seconds")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        build_mirror(tmp / "mirror", tmp / "sites", args.articles)
        server = MirrorServer(root=tmp / "mirror", delay=args.delay).start_background()
        redis = RedisServer().start()
        try:
            results = {}
            for n in (1, 3):
                # the writer drains afterwards, with 1 then 2 processes for the pure stages
                r = crawl_with(n, tmp / "sites", server, redis, tmp / f"n{n}.db", jobs=1 if n == 1 else 2)
                results[n] = r
                print(f"{n} node(s): {r['requests']} requests in {r['window']:.1f} s "
                      f"= {r['per_min']:.0f} pages/min (process wall {r['wall']:.1f} s); writer "
                      f"(--jobs {1 if n == 1 else 2}) stored {r['stored']} articles from {r['queued']} queued pages in {r['drain']:.1f} s "
                      f"({r['queued'] / r['drain']:.0f} pages/s incl. start); Redis "
                      f"{r['redis_bytes_per_page'] / 1024:.1f} KiB per queued page, {r['seen_bytes']:.0f} B per "
                      f"seen URL; CPU per page: nodes {r['node_cpu_ms']:.1f} ms, writer {r['writer_cpu_ms']:.1f} ms")
            print(f"ratio 3 nodes / 1 node: {results[3]['per_min'] / results[1]['per_min']:.2f}x")
        finally:
            server.shutdown()
            redis.stop()


if __name__ == "__main__":
    main()
