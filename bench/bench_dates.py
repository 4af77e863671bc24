"""Speed of the date normaliser (strings/s) and per-page time of the dates stage, next to
dateparser alone on the same strings; with ../shared/corpus/zh-news present (read at run time,
never copied), the stage's CPU ms per page on its pages, as the crawl runs it (extract's text
shared) and on its own.

    python bench/bench_dates.py
"""
from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.dates import CST, apply_dates, find_published, normalize_date  # noqa: E402
from pipelines.extract import parse_html  # noqa: E402
from data.date_table import CASES, COMBOS, NOT_DATES, OPEN_CASES, OPEN_NOT_DATES  # noqa: E402

BASE = datetime(2024, 5, 9, 12, 0, tzinfo=CST)


def main() -> None:
    strings = [c[0] for c in CASES + COMBOS + OPEN_CASES] + NOT_DATES + OPEN_NOT_DATES
    normalize_date("2024-05-09", BASE)
    rounds = 20
    t0 = time.perf_counter()
    for _ in range(rounds):
        for s in strings:
            normalize_date(s, BASE)
    ours = time.perf_counter() - t0
    n = rounds * len(strings)
    print(f"normalize_date: {n / ours:,.0f} strings/s over {len(strings)} table strings")

    import dateparser

    t0 = time.perf_counter()
    dateparser.parse("2024-05-09")
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for s in strings:
        dateparser.parse(s, settings={"RELATIVE_BASE": BASE.replace(tzinfo=None)})
    dp = time.perf_counter() - t0
    print(f"dateparser.parse: {len(strings) / dp:,.0f} strings/s (first call {first * 1000:.0f} ms)")

    # accuracy on the tables: our normaliser vs dateparser alone (the value to the minute)
    def right(parse, dated, nulls) -> tuple[int, int]:
        ok_val = ok_none = 0
        for text, value, _ in dated:
            got = parse(text)
            ok_val += got is not None and got.isoformat()[:16] == value[:16]
        for text in nulls:
            ok_none += parse(text) is None
        return ok_val, ok_none

    def dp_parse(text):
        try:
            dt = dateparser.parse(text, settings={"RELATIVE_BASE": BASE.replace(tzinfo=None),
                                                  "TIMEZONE": "Asia/Shanghai",
                                                  "RETURN_AS_TIMEZONE_AWARE": True})
        except Exception:  # noqa: BLE001
            return None
        return dt.astimezone(CST) if dt else None

    for table, dated, nulls in (("own table", CASES + COMBOS, NOT_DATES),
                                ("open-world table", OPEN_CASES, OPEN_NOT_DATES)):
        for name, fn in (("provnews normalize_date", lambda t: normalize_date(t, BASE)[0]),
                         ("dateparser alone", dp_parse)):
            ok_val, ok_none = right(fn, dated, nulls)
            print(f"{table}, {name}: {ok_val}/{len(dated)} dates right to the minute, "
                  f"{ok_none}/{len(nulls)} non-dates rejected")

    pages = sorted((ROOT / "data" / "mirror").rglob("*.shtml"))[:40]
    trees = [(parse_html(p.read_bytes().decode("utf-8", "replace")), p) for p in pages]
    for tree, p in trees:  # imports (htmldate) and lazy tables (scan.nfkc's) out of the timing
        find_published(tree, "http://x/" + p.name, "2024-06-01T00:00:00+00:00")
    t0 = time.process_time()
    for tree, p in trees:
        find_published(tree, "http://x/" + p.name, "2024-06-01T00:00:00+00:00")
    per_page = (time.process_time() - t0) / len(trees)
    print(f"dates stage: {per_page * 1000:.2f} ms CPU per page ({len(trees)} mirror pages)")
    corpus_stage()


CORPUS = ROOT.parent / "shared" / "corpus" / "zh-news"


def corpus_stage(rounds: int = 3) -> None:
    """apply_dates on every corpus page after decode and extract, CPU time (process_time), the
    best of ``rounds``: with the body text extract keeps (page["_text"]) and without it."""
    import json

    from pipelines import run_stage
    from pipelines.decode import apply_decode
    from pipelines.extract import apply_extract
    from pipelines.extract.bylines import page_text
    from pipelines.page import new_page

    if not (CORPUS / "truth.jsonl").is_file():
        print("dates stage on the corpus: skipped (no ../shared/corpus/zh-news)")
        return
    rows = [json.loads(line) for line in open(CORPUS / "truth.jsonl", encoding="utf-8") if line.strip()]
    pages = []
    for row in rows:
        page = new_page(row.get("url") or "", site="", body=(CORPUS / "pages" / f"{row['id']}.html").read_bytes(),
                        fetched_at="2026-01-01T00:00:00+00:00")
        run_stage(page, "decode", lambda p: apply_decode(p, {}))
        run_stage(page, "extract", lambda p: apply_extract(p, {}))
        if page.get("_tree") is not None:
            page.setdefault("_text", page_text(page["_tree"]))
            pages.append(page)
    for label, keep_text in (("text shared", True), ("text joined here", False)):
        runs = [dict(p, article=dict(p["article"])) for p in pages]
        for page in runs if not keep_text else ():
            page.pop("_text")
        apply_dates(runs[0])  # imports and lazy tables
        best = float("inf")
        for _ in range(rounds):
            t0 = time.process_time()
            for page in runs:
                apply_dates(page)
            best = min(best, time.process_time() - t0)
        print(f"dates stage on the corpus, {label}: {best / len(runs) * 1000:.2f} ms CPU per page "
              f"({len(runs)} pages, best of {rounds})")


if __name__ == "__main__":
    main()
