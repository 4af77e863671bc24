"""Bytes per stored article, for the capacity arithmetic in the README: real pages from the eval
corpus (../shared/corpus/zh-news, measured, never copied) go through the real write path into a
temporary database, and each part of its size is reported per article.

    python bench/bench_capacity.py [CORPUS_DIR]
"""
from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.page import new_page  # noqa: E402
from pipelines.stage_pool import run_stages  # noqa: E402
from pipelines.schema import connect  # noqa: E402
from pipelines.store import save_page  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "zh-news"


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    if not (corpus / "truth.jsonl").exists():
        print(f"bench_capacity: no corpus at {corpus}; nothing measured")
        return
    rows = [json.loads(line) for line in open(corpus / "truth.jsonl", encoding="utf-8") if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cap.db"
        db = connect(path)
        raw, packed = [], []
        stage_s = save_s = 0.0
        for row in rows:
            body = (corpus / "pages" / f"{row['id']}.html").read_bytes()
            raw.append(len(body))
            packed.append(len(zlib.compress(body, 6)))
            page = new_page(row.get("url") or f"http://corpus.test/{row['id']}", site="corpus", body=body,
                            headers={"Content-Type": "text/html"}, fetched_at="2026-01-01T00:00:00+00:00")
            t0 = time.perf_counter()
            run_stages((page, {}))
            t1 = time.perf_counter()
            save_page(db, page)
            stage_s += t1 - t0
            save_s += time.perf_counter() - t1
        db.conn.execute("VACUUM")
        db.conn.close()
        con = sqlite3.connect(path)
        n = len(rows)
        total = path.stat().st_size
        parts = dict(con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall())
        con.close()
    print(f"{n} pages: raw HTML mean {statistics.mean(raw) / 1024:.1f} KiB (median "
          f"{statistics.median(raw) / 1024:.1f}); zlib-6 mean {statistics.mean(packed) / 1024:.1f} KiB "
          f"(what a queued page costs in Redis, and the pages.body column)")
    print(f"database: {total / n / 1024:.1f} KiB per article in all")
    stage_ms, save_ms = stage_s / n * 1000, save_s / n * 1000
    print(f"writer time per page: pure stages {stage_ms:.1f} ms (these run in --jobs processes), "
          f"writing {save_ms:.1f} ms (the single writer); so about {1000 / (stage_ms + save_ms):.0f} "
          f"pages/s with --jobs 1 and at most {1000 / max(stage_ms / 2, save_ms):.0f} with --jobs 2")
    groups = {"pages (raw)": ("pages",), "articles": ("articles",),
              "search index": tuple(k for k in parts if k.startswith("articles_fts")),
              "minhash + bands": ("article_minhash", "lsh_bands")}
    for label, names in groups.items():
        size = sum(parts.get(k, 0) for k in names)
        print(f"  {label:<16} {size / n / 1024:6.1f} KiB per article")


if __name__ == "__main__":
    main()
