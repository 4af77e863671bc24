"""Speed of the date normaliser (strings/s) and per-page time of the dates stage, next to
dateparser alone on the same strings.

    python bench/bench_dates.py
"""
from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.dates import CST, find_published, normalize_date  # noqa: E402
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
    t0 = time.perf_counter()
    for tree, p in trees:
        find_published(tree, "http://x/" + p.name, "2024-06-01T00:00:00+00:00")
    per_page = (time.perf_counter() - t0) / len(trees)
    print(f"dates stage: {per_page * 1000:.2f} ms per page ({len(trees)} mirror pages)")


if __name__ == "__main__":
    main()
