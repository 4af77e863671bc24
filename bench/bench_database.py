"""Database figures for issue 6:
  - re-ingest throughput at --jobs 1 and --jobs 2 over copies of the mirror's raw pages;
  - near-duplicate clustering time and search latency p50/p95 at N articles (default 100,000),
    built through the real write path (save_article: FTS index + MinHash/LSH clustering);
  - clustering cost per article (the time in pipelines.clusters.cluster_article, issue 20) on that
    database and on one government site of templated notices (the worst case: every notice is
    near hundreds of others and each candidate pair must be confirmed).

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
from pipelines.packing import compress  # noqa: E402
from pipelines.store import connect, save_article  # noqa: E402

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


class ClusterClock:
    """CPU time of every cluster_article call of the write path (wrapped where it is called)."""

    def __init__(self):
        self.seconds, self.calls = 0.0, 0

    def __enter__(self):
        import importlib

        # where the write path looks the function up: pipelines/index.py, store.py, or (before
        # issue 20) store._cluster
        for module, name in (("pipelines.index", "cluster_article"), ("pipelines.store", "cluster_article"),
                             ("pipelines.store", "_cluster")):
            try:
                self.module = importlib.import_module(module)
            except ImportError:
                continue
            if hasattr(self.module, name):
                self.name, self.inner = name, getattr(self.module, name)
                break

        def timed(*args, **kw):  # CPU time: the figure holds on a machine shared with others
            t0 = time.process_time()
            try:
                return self.inner(*args, **kw)
            finally:
                self.seconds += time.process_time() - t0
                self.calls += 1

        setattr(self.module, self.name, timed)
        return self

    def __exit__(self, *exc):
        setattr(self.module, self.name, self.inner)

    def per_article_ms(self) -> float:
        return self.seconds / max(self.calls, 1) * 1000


NOTICE_TEMPLATES = [
    "根据《党政领导干部选拔任用工作条例》等有关规定，经州委研究，拟提拔任用以下同志，现予以公示。\n{name}，{sex}，{year}年{month}月生，"
    "{place}人，大学学历，现任{place}{org}副局长，拟任{place}{org}局长。\n公示时间：2024年{month}月{day}日至2024年{month}月{day2}日。\n"
    "公示期间，干部群众可通过来电、来信、来访等方式，向州委组织部反映公示对象在政治品质、道德品行、工作作风、廉洁自律等方面的情况和问题。"
    "反映问题要实事求是、客观公正，提倡署真实姓名。\n受理电话：0878-3121234",
    "{place}{project}项目（项目编号：ZB-2024-{code}）于2024年{month}月{day}日进行了开标、评标，评标委员会依据招标文件规定的评标办法，推荐中标候选人如下："
    "\n第一中标候选人：{place}{firm}有限公司，投标报价：{amount}万元，项目经理：{name}。\n公示期为2024年{month}月{day}日至2024年{month}月{day2}日。"
    "投标人或者其他利害关系人对评标结果有异议的，应当在中标候选人公示期间以书面形式向招标人提出，招标人应当自收到异议之日起3日内作出答复。",
    "楚市监罚〔2024〕{code}号\n当事人：{place}{firm}经营部　负责人：{name}\n2024年{month}月{day}日，本局执法人员依法对当事人的经营场所进行检查，"
    "发现当事人存在销售超过保质期食品的行为，违法所得共计{amount}元。上述事实，有现场检查笔录、询问调查笔录等证据为证。\n本局决定对当事人作出如下"
    "行政处罚：一、没收违法所得{amount}元；二、罚款{fine}元。当事人如不服本行政处罚决定，可在收到本决定书之日起六十日内申请行政复议。",
]
NAMES = ["张建华", "李丽萍", "杨志强", "王晓燕", "赵德明", "陈国平", "周红梅", "刘新民", "段玉兰", "马俊", "普艳", "何平"]
ORGS = ["发展和改革局", "财政局", "审计局", "教育体育局", "水务局", "自然资源局", "交通运输局", "卫生健康局"]
FIRMS = ["鑫源", "恒达", "康宁", "味佳园", "鹏程", "滇中", "永安", "彝海"]
PROJECTS = ["道路提升改造", "河道综合治理", "中心小学教学楼建设", "农村供水保障", "老旧小区改造", "污水处理厂扩建"]


def notice_body(rng: random.Random) -> str:
    month, day = rng.randint(1, 12), rng.randint(1, 20)
    return rng.choice(NOTICE_TEMPLATES).format(
        name=rng.choice(NAMES), sex=rng.choice("男女"), year=rng.randint(1970, 1990), month=month, day=day,
        day2=day + 6, place=rng.choice(PLACES), org=rng.choice(ORGS), firm=rng.choice(FIRMS),
        project=rng.choice(PROJECTS), code=rng.randint(1, 999), amount=rng.randint(100, 99999),
        fine=rng.randint(1, 50) * 1000)


def templated(path: Path, n: int) -> tuple[float, int]:
    """n notices of one government site from three templates; (seconds, clustered articles)."""
    rng = random.Random(11)
    db = connect(path)
    t0 = time.perf_counter()
    for i in range(n):
        with db.conn:
            body = notice_body(rng)
            save_article(db, {"url": f"http://gov.example.cn/tzgg/{i}.html", "site": "gov", "list_hint": {},
                              "fetched_at": "2024-06-01T08:00:00+00:00",
                              "article": {"title": body[:12], "body": body, "author": "", "source": "", "editor": "",
                                          "published_at": f"2024-05-{1 + i % 28:02d}T09:00:00+08:00",
                                          "published_precision": "minute", "published_source": "meta",
                                          "canonical_url": f"http://gov.example.cn/tzgg/{i}.html", "fingerprint": None}})
    secs = time.perf_counter() - t0
    clustered = db.execute("SELECT count(*) FROM articles WHERE cluster_id IS NOT NULL").fetchone()[0]
    db.conn.close()
    return secs, clustered


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
    ap.add_argument("--notices", type=int, default=3000, help="templated notices for the clustering figure")
    ap.add_argument("--only-clustering", action="store_true", help="skip the re-ingest and search figures")
    args = ap.parse_args()
    if not args.only_clustering:
        reingest_bench(args.reingest_pages)
        reingest_memory()
    with tempfile.TemporaryDirectory() as tmp, ClusterClock() as clock:
        secs, clustered = templated(Path(tmp) / "notices.db", args.notices)
        print(f"{args.notices} templated notices of one site: {args.notices / secs:.0f} writes/s; clustering "
              f"{clock.per_article_ms():.2f} CPU ms per article; {clustered} notices clustered")
    with tempfile.TemporaryDirectory() as tmp, ClusterClock() as clock:
        path = Path(tmp) / "big.db"
        secs = build(path, args.articles)
        print(f"clustering at {args.articles} articles: {clock.per_article_ms():.2f} CPU ms per article "
              f"({clock.seconds:.0f} CPU s; {secs:.0f} s wall for the whole build)")
        if args.only_clustering:
            return
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
