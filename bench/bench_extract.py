"""Time provnews' extract path (decode → extract → dates → dedup, search tokens, compression; and
decode → extract alone) against bare trafilatura.extract
with metadata (what a naive pipeline calls to get title, date and author too) on the same pages,
one process, one run, the two interleaved pass by pass so machine load hits both alike. Pages: the zh-news dev split when present (evaluation
only, read in place), else the offline mirror's article pages.

    python bench/bench_extract.py [--repeat N]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus" / "zh-news"


def pages() -> tuple[str, list[tuple[bytes, str]]]:
    if (CORPUS / "truth.jsonl").exists():
        out = []
        for line in open(CORPUS / "truth.jsonl", encoding="utf-8"):
            row = json.loads(line)
            if row.get("split") == "dev":
                out.append(((CORPUS / "pages" / f"{row['id']}.html").read_bytes(), row.get("url") or ""))
        return "zh-news dev split", out
    mirror = ROOT / "data" / "mirror"
    files = [p for p in mirror.rglob("*") if p.suffix in (".html", ".shtml")
             and any(k in str(p) for k in ("/system/", "/t2024", "/detail-"))]
    return "offline mirror", [(p.read_bytes(), "") for p in files]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="passes over the pages")
    args = ap.parse_args()
    import trafilatura

    from provnews.contract import extract_one

    name, docs = pages()
    extract_one(docs[0][0], docs[0][1], "2026-01-01T00:00:00+00:00")  # warm imports
    trafilatura.extract(docs[0][0], with_metadata=True)
    from pipelines.decode import decode
    from pipelines.extract import extract

    ours = theirs = alone = 0.0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for body, url in docs:
            extract_one(body, url, "2026-01-01T00:00:00+00:00")
        ours += time.perf_counter() - t0
        t0 = time.perf_counter()
        for body, url in docs:
            try:
                extract(decode(body, {})[0], url)
            except Exception:  # noqa: BLE001 - a page the stages record as failed
                pass
        alone += time.perf_counter() - t0
        t0 = time.perf_counter()
        for body, url in docs:
            trafilatura.extract(body, url=url or None, with_metadata=True)
        theirs += time.perf_counter() - t0
    n = len(docs) * args.repeat
    print(f"pages: {n} ({name})")
    print(f"provnews extract path : {n / ours:7.1f} pages/s  ({ours:.2f} s)")
    print(f"bare trafilatura.extract(with_metadata=True): {n / theirs:7.1f} pages/s  ({theirs:.2f} s)")
    print(f"ratio provnews/trafilatura: {theirs / ours:.2f}x")
    print(f"decode + extract alone: {n / alone:7.1f} pages/s ({alone:.2f} s), "
          f"{theirs / alone:.2f}x bare trafilatura with metadata")


if __name__ == "__main__":
    main()
