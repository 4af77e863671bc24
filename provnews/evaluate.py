"""`provnews eval`: score our extract path against a corpus, next to bare trafilatura, in one run.

A corpus is a directory with truth.jsonl, pages/<id>.html and score.py (the format of
../shared/corpus/zh-news). Both extractors read the same raw bytes in the same process; scoring
is done by the corpus's own score.py so our numbers are the corpus's numbers. The baseline file
holds accuracy floors; `--check` fails when body F1, title exact, author contains (those the file
holds) or the leak rate regress by more than 0.01.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from provnews.contract import extract_one

TOLERANCE = 0.01
# fetched_at for corpus pages: they were saved long ago; any time after their publication works
CORPUS_FETCHED_AT = "2026-01-01T00:00:00+00:00"


def load_truth(corpus: Path, split: str) -> list[dict]:
    rows = []
    with open(corpus / "truth.jsonl", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                if split == "all" or row.get("split") == split:
                    rows.append(row)
    return rows


def run_provnews(corpus: Path, truth: list[dict]) -> tuple[list[dict], float]:
    preds, start = [], time.perf_counter()
    for row in truth:
        body = (corpus / "pages" / f"{row['id']}.html").read_bytes()
        out = extract_one(body, row.get("url") or "", CORPUS_FETCHED_AT)
        preds.append({"id": row["id"], **out})
    return preds, time.perf_counter() - start


def run_trafilatura(corpus: Path, truth: list[dict]) -> tuple[list[dict], float]:
    import trafilatura

    preds, start = [], time.perf_counter()
    for row in truth:
        body = (corpus / "pages" / f"{row['id']}.html").read_bytes()
        doc = trafilatura.bare_extraction(body, url=row.get("url") or None, with_metadata=True,
                                          include_comments=False, as_dict=True) or {}
        preds.append({"id": row["id"], "title": doc.get("title"), "published": doc.get("date"),
                      "author": doc.get("author"), "body": doc.get("text") or ""})
    return preds, time.perf_counter() - start


def run_dateparser_only(corpus: Path, truth: list[dict], ours: list[dict]) -> list[dict]:
    """Our candidates and choice rule, with dateparser alone as the normaliser: what the Chinese
    date layer adds, measured on the same pages."""
    from pipelines.page import new_page
    from pipelines.dates import dateparser_normalizer, find_published
    from pipelines.decode import decode
    from pipelines.extract import parse_html

    titles = {p["id"]: p.get("title") or "" for p in ours}
    preds = []
    for row in truth:
        body = (corpus / "pages" / f"{row['id']}.html").read_bytes()
        try:
            tree = parse_html(decode(body, {})[0])
        except Exception:  # noqa: BLE001 - a page we cannot read has no date for anyone
            preds.append({"id": row["id"], "published": None})
            continue
        page = new_page(row.get("url") or "", site="", fetched_at=CORPUS_FETCHED_AT)
        out = find_published(tree, page["url"], page["fetched_at"], use_fallback=False,
                             title=titles.get(row["id"], ""), normalizer=dateparser_normalizer)
        preds.append({"id": row["id"], "published": out["published_at"]})
    return preds


def score(corpus: Path, preds: list[dict], split: str) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for p in preds:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
        pred_path = f.name
    try:
        out = subprocess.run([sys.executable, str(corpus / "score.py"), str(corpus / "truth.jsonl"),
                              pred_path, "--split", split, "--json"],
                             capture_output=True, text=True, check=True)
    finally:
        Path(pred_path).unlink(missing_ok=True)
    return json.loads(out.stdout)["groups"]["ALL"]


def headline(s: dict) -> dict:
    """The figures we track, flattened."""
    return {
        "body_f1": s["body"]["f1"], "leak": s["leak"]["rate"], "empty": s["empty"]["rate"],
        "title_exact": s["title"]["exact"], "title_contains": s["title"]["contains"],
        "date_day": s["date"]["day"], "date_min": s["date"]["min"],
        "author_contains": s["author"]["contains"],
    }


def table(rows: list[tuple[str, dict, float, int]]) -> str:
    cols = ["extractor", "body F1", "leak", "empty", "title exact", "title cont", "date day",
            "date min", "author cont", "pages/s"]
    lines = [" | ".join(cols), " | ".join("---" for _ in cols)]
    for name, h, secs, n in rows:
        vals = [h[k] for k in ("body_f1", "leak", "empty", "title_exact", "title_contains",
                               "date_day", "date_min", "author_contains")]
        lines.append(" | ".join([name] + ["-" if v is None else f"{v:.3f}" for v in vals]
                                + [f"{n / secs:.1f}"]))
    return "\n".join(lines)


# the gated figures: higher is better for all but leak; a baseline file may hold any of them
GATED = {"body_f1": "body F1", "title_exact": "title exact", "author_contains": "author contains"}


def check_baseline(ours: dict, baseline_path: Path) -> list[str]:
    """Regressions beyond the tolerance against the recorded floors (empty list: gate passes)."""
    base = json.loads(baseline_path.read_text(encoding="utf-8"))
    problems = []
    for key, name in GATED.items():
        if key in base and ours[key] < base[key] - TOLERANCE:
            problems.append(f"{name} {ours[key]:.3f} < baseline {base[key]:.3f} - {TOLERANCE}")
    if ours["leak"] > base["leak"] + TOLERANCE:
        problems.append(f"leak {ours['leak']:.3f} > baseline {base['leak']:.3f} + {TOLERANCE}")
    return problems


def evaluate(corpus: Path, split: str = "dev", compare: bool = True) -> dict:
    truth = load_truth(corpus, split)
    preds, secs = run_provnews(corpus, truth)
    result = {"n": len(truth), "provnews": headline(score(corpus, preds, split)),
              "provnews_seconds": secs}
    if compare:
        tpreds, tsecs = run_trafilatura(corpus, truth)
        result["trafilatura"] = headline(score(corpus, tpreds, split))
        result["trafilatura_seconds"] = tsecs
        start = time.perf_counter()
        dpreds = run_dateparser_only(corpus, truth, preds)
        dates_only = headline(score(corpus, dpreds, split))
        result["dateparser_only"] = {k: (v if k.startswith("date_") else None)
                                     for k, v in dates_only.items()}
        result["dateparser_only_seconds"] = time.perf_counter() - start
    return result
