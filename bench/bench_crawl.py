"""Time the demo crawl over the offline mirror: wall time, pages/min, peak memory (RSS).

    python bench/bench_crawl.py
"""
from __future__ import annotations

import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "provnews.cli", "demo", "--db", str(db)],
                              cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        con = sqlite3.connect(db)
        pages = con.execute("SELECT count(*) FROM pages").fetchone()[0]
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(f"demo crawl exit {proc.returncode}: {pages} pages ({articles} articles) in {wall:.1f} s "
          f"= {pages / wall * 60:.0f} pages/min (wall, process start included); "
          f"peak RSS {peak_kb / 1024:.0f} MB")


if __name__ == "__main__":
    main()
