"""Tools that need no database: extract and parse-date on local input, the extraction eval, and the
offline mirror served alone."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from crawler.settings import PROVNEWS_EVAL_BASELINE as DEFAULT_BASELINE
from crawler.settings import PROVNEWS_EVAL_CORPUS as DEFAULT_CORPUS
from provnews.cli.base import cli
from provnews.contract import EXTRACT_KEYS, extract_one


def mtime_iso(path: Path) -> str:
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).replace(microsecond=0).isoformat()


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--url", default="", help="The page's address (helps dates and canonical URLs).")
@click.option("--fetched-at", default="", help="Reference time (ISO) for relative dates; "
              "default: the file's modification time.")
@click.option("--from-jsonl", "from_jsonl", type=click.File("r", encoding="utf-8"), default=None,
              help='Read pages from lines of {"id", "path", "url", "fetched_at"}.')
def extract(files, url, fetched_at, from_jsonl):
    """Run decode → extract → dates on local HTML files; print one JSON object per page.

    Keys: id (or path), url, title, published, published_precision, author, source, editor, body.
    """
    jobs: list[tuple[str, str, Path, str, str]] = []
    for f in files:
        p = Path(f)
        jobs.append(("path", f, p, url, fetched_at or mtime_iso(p)))
    if from_jsonl is not None:
        base = Path(from_jsonl.name).parent if from_jsonl.name != "<stdin>" else Path(".")
        for n, line in enumerate(from_jsonl, 1):
            if not line.strip():
                continue
            try:
                spec = json.loads(line)
                p = Path(spec["path"])
            except (ValueError, KeyError, TypeError) as e:
                raise click.UsageError(f"--from-jsonl line {n}: needs a JSON object with 'path' ({e})")
            p = p if p.is_absolute() or p.exists() else base / p
            key, ident = ("id", spec["id"]) if "id" in spec else ("path", str(p))
            jobs.append((key, ident, p, spec.get("url") or "", spec.get("fetched_at") or ""))
    if not jobs:
        raise click.UsageError("give FILE arguments or --from-jsonl")
    for key, ident, path, page_url, ref in jobs:
        try:
            body = path.read_bytes()
        except OSError as e:
            obj = {key: ident, "url": page_url or None, **{k: None for k in EXTRACT_KEYS},
                   "error": f"read: {e}"}
        else:
            obj = {key: ident, **extract_one(body, page_url, ref or mtime_iso(path))}
        click.echo(json.dumps(obj, ensure_ascii=False))


def parse_date_obj(text: str, base: str | None) -> dict:
    from pipelines.dates import CST, format_iso, normalize_date, parse_iso

    ref = parse_iso(base) if base else datetime.now(CST)
    dt, precision = normalize_date(text, ref)
    return {"value": format_iso(dt, precision) if dt else None, "precision": precision}


@cli.command("parse-date")
@click.argument("text", required=False)
@click.option("--base", default=None, help="Reference time (ISO) for relative and year-less dates; "
              "default: now.")
@click.option("--json", "as_json", is_flag=True, help='Print {"value", "precision"}.')
@click.option("--from-jsonl", "from_jsonl", type=click.File("r", encoding="utf-8"), default=None,
              help='Read lines of {"text", "base"}; print one JSON object per line, in order.')
def parse_date(text, base, as_json, from_jsonl):
    """Normalise one date string as a Chinese page prints it (发布时间：…, 5月8日, 3小时前, 二〇二二年…).

    Prints the ISO value (+08:00) and its precision; value is null when the text holds no date.
    """
    if from_jsonl is not None:
        for n, line in enumerate(from_jsonl, 1):
            if not line.strip():
                continue
            try:
                spec = json.loads(line)
                obj = parse_date_obj(spec["text"], spec.get("base") or base)
            except (ValueError, KeyError, TypeError) as e:
                raise click.UsageError(f"--from-jsonl line {n}: needs {{\"text\", \"base\"}} ({e})")
            click.echo(json.dumps(obj, ensure_ascii=False))
        return
    if text is None:
        raise click.UsageError("give TEXT or --from-jsonl")
    try:
        obj = parse_date_obj(text, base)
    except ValueError as e:
        raise click.UsageError(f"--base is not an ISO time: {e}")
    if as_json:
        click.echo(json.dumps(obj, ensure_ascii=False))
    elif obj["value"] is None:
        click.echo("no date")
    else:
        click.echo(f"{obj['value']}  ({obj['precision']})")


@cli.command("eval")
@click.argument("corpus_dir", default=DEFAULT_CORPUS, type=click.Path(file_okay=False))
@click.option("--split", default="dev", show_default=True, type=click.Choice(["dev", "holdout", "all"]),
              help="Which split of truth.jsonl to score.")
@click.option("--compare/--no-compare", default=True, show_default=True,
              help="Also run bare trafilatura on the same pages in this process.")
@click.option("--check", "check", is_flag=True,
              help="Fail (exit 1) when body F1, title exact, author or leak regress > 0.01 from the baseline file.")
@click.option("--baseline", default=DEFAULT_BASELINE, show_default=True, type=click.Path(dir_okay=False),
              help="Accuracy floors for --check.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def eval_cmd(corpus_dir, split, compare, check, baseline, as_json):
    """Score the extract path on CORPUS_DIR (truth.jsonl + pages/ + score.py) next to trafilatura.

    When the corpus directory is absent the gate is skipped with a message (exit 0).
    """
    from provnews import evaluate

    corpus = Path(corpus_dir)
    if not (corpus / "truth.jsonl").exists():
        click.echo(f"eval skipped: no corpus at {corpus} (truth.jsonl missing)")
        return
    result = evaluate.evaluate(corpus, split, compare)
    n = result["n"]
    if as_json:
        click.echo(json.dumps(result, indent=1))
    else:
        rows = [("provnews", result["provnews"], result["provnews_seconds"], n)]
        if compare:
            rows.append(("trafilatura (bare)", result["trafilatura"], result["trafilatura_seconds"], n))
            rows.append(("dates: dateparser alone", result["dateparser_only"],
                         result["dateparser_only_seconds"], n))
        click.echo(f"split={split} pages={n}")
        click.echo(evaluate.table(rows))
        if compare:
            ratio = result["trafilatura_seconds"] / result["provnews_seconds"]
            click.echo(f"speed: provnews is {ratio:.2f}x bare trafilatura's pages/s")
    if check:
        problems = evaluate.check_baseline(result["provnews"], Path(baseline))
        for p in problems:
            click.echo(f"eval gate FAILED: {p}", err=True)
        if problems:
            sys.exit(1)
        click.echo("eval gate passed")


@cli.command("serve-mirror")
@click.option("--port", default=0, type=int, help="Port on 127.0.0.1 (default: a free one).")
def serve_mirror(port):
    """Serve the offline mirror alone (an HTTP proxy on 127.0.0.1) until Ctrl-C."""
    from provnews.mirror import SITES_DIR, MirrorServer

    try:
        server = MirrorServer(port)
    except OSError as e:
        raise click.ClickException(f"cannot serve the mirror on 127.0.0.1:{port}: {e.strerror}") from None
    click.echo(f"mirror on {server.url}; crawl it with:\n"
               f"  provnews crawl --sites {SITES_DIR} --proxy {server.url} --db data/mirror.db")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
