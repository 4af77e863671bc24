"""Requests and wall time of a first and a second (incremental) crawl of the offline mirror.

    python bench/bench_incremental.py
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from provnews.mirror import SITES_DIR, MirrorServer  # noqa: E402


def main() -> None:
    server = MirrorServer().start_background()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "n.db"
        for run in ("first", "second"):
            before = len(server.log.snapshot())
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "provnews.cli", "crawl", "--sites", str(SITES_DIR),
                                   "--proxy", server.url, "--db", str(db)], cwd=ROOT, capture_output=True)
            wall = time.perf_counter() - t0
            log = server.log.snapshot()[before:]
            statuses = Counter(e["status"] for e in log)
            print(f"{run} run: exit {proc.returncode}, {len(log)} requests "
                  f"({', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))}), {wall:.1f} s wall")
    server.shutdown()


if __name__ == "__main__":
    main()
