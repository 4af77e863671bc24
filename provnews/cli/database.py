"""Database commands: stats, read-only SQL, re-ingest, import and export. Each opens the database
through the checks in base.py and calls the functions that own the tables; none writes SQL of its own
beyond what the user typed."""
from __future__ import annotations

import json
import sqlite3
import sys

import click

from provnews.cli.base import (DB_OPTION, SINCE_HELP, check_since, cli, console, jsonable, known_site,
                               locked, open_readonly, require_db, require_new_or_writable)
from provnews.exporters import EXPORTERS


def print_stats(db: str) -> None:
    con = open_readonly(db)
    from rich.table import Table

    from pipelines.queries import page_errors, site_health

    table = Table("site", "articles", "with date", "empty body", "pages", "page errors",
                  "last fetch", title="provnews stats")
    for h in site_health(con):
        n, dated = h["articles"], h["articles"] - (h["undated"] or 0)
        table.add_row(h["site"], str(n), f"{dated} ({dated / n:.0%})" if n else "0",
                      str(h["empty"] or 0), str(h["pages"]), str(h["page_errors"] or 0), h["last_fetch"] or "")
    console().print(table)
    errs = page_errors(con, 10)
    if errs:
        click.echo("pages with errors (latest 10):")
        for url, status, error in errs:
            click.echo(f"  {status or '-'}  {url}  {error}")


@cli.command()
@DB_OPTION
def stats(db):
    """Articles per site, date coverage, empty bodies and pages with errors."""
    print_stats(db)


@cli.command()
@click.argument("query")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of row objects.")
def sql(query, db, as_json):
    """Run a read-only SQL QUERY; writes are refused (the database is opened read-only)."""
    con = open_readonly(db)
    try:
        cur = con.execute(query)
    except sqlite3.OperationalError as e:
        if any(w in str(e) for w in ("readonly", "read-only", "query_only", "not authorized")):
            raise click.ClickException(f"provnews sql is read-only; refused: {e}")
        raise click.ClickException(f"SQL error: {e}")
    except sqlite3.DatabaseError as e:
        raise click.ClickException(f"SQL error: {e}")
    cols = [d[0] for d in cur.description or []]
    rows = cur.fetchall()
    if as_json:
        click.echo(json.dumps([dict(zip(cols, jsonable(r))) for r in rows], ensure_ascii=False,
                              indent=1))
        return
    from rich.table import Table

    table = Table(*cols)
    out = console()
    for r in rows:
        table.add_row(*("" if v is None else str(v)[:200] if out.is_terminal else str(v) for v in jsonable(r)))
    out.print(table)


@cli.command()
@DB_OPTION
@click.option("--site", default=None, help="Only pages of this site.")
@click.option("--since", default=None, callback=check_since, help="Only pages fetched " + SINCE_HELP + ".")
@click.option("--where", default=None, help="An extra SQL condition on the pages table (alias p).")
@click.option("--jobs", default=0, type=int, help="Worker processes (default: all cores).")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--sites", "sites_dir", default=None, type=click.Path(file_okay=False),
              help="Site TOML directory for per-site rules (default: crawler/sites).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def reingest(db, site, since, where, jobs, dry_run, sites_dir, as_json):
    """Re-run decode → extract → dates → dedup on stored raw pages; no fetching.

    Run it after extraction rules improve. Unchanged articles are not written, so a second run
    with the same rules leaves the articles table byte for byte the same. Takes the crawl lock
    (exit 75 while a crawl or an import runs); --dry-run writes nothing and needs no lock.
    """
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TimeRemainingColumn

    from provnews import reingest as ri

    require_db(db, write=not dry_run)
    with open_readonly(db).conn as con:
        known_site(con, db, site)
    try:
        total = ri.count_pages(db, site, since, where)
    except sqlite3.Error as e:
        if where:
            raise click.UsageError(f"--where: {e}")
        raise click.ClickException(f"cannot read {db}: {e}")
    console = Console(stderr=True)

    def run():
        with RichProgress("re-ingest", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                          console=console, transient=True) as bar:
            task = bar.add_task("pages", total=total)
            return ri.reingest(db, site, since, where, jobs or None, dry_run, sites_dir,
                               on_batch=lambda n: bar.advance(task, n))

    if dry_run:
        summary = run()
    else:  # one writer at a time: a crawl or import holding the database makes this exit 75
        done: list = []
        code = locked(db, lambda: done.append(run()) or 0)
        if code:
            sys.exit(code)
        summary = done[0]
    result = summary.as_dict()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    click.echo(("dry run: " if dry_run else "") + ", ".join(f"{k.replace('_', ' ')} {v}"
                                                           for k, v in result.items() if k != "error_samples"))
    for line in summary.error_samples:
        click.echo(f"  error: {line}")


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@DB_OPTION
@click.option("--site", default=None, help="File every page under this site id (default: the stored "
              "page's own site, else the registry site whose allowed_domains match, else `import`).")
@click.option("--sites", "sites_dir", default=None, type=click.Path(file_okay=False),
              help="Site TOML directory to match domains against (default: crawler/sites).")
def import_cmd(paths, db, site, sites_dir):
    """Ingest local HTML files or folders, and WARC files, through the pipeline.

    A folder's URLs come from a sidecar urls.jsonl ({"path", "url", "fetched_at"}) or each file's
    <link rel=canonical>; WARC response records carry their own URL and date. A page already
    stored keeps what the import does not carry (its site, list hint, final URL, headers); an
    identical one is counted `unchanged` and not written. Takes the crawl lock (exit 75 while a
    crawl runs).
    """
    from provnews.archive import ImportProblem, import_paths

    def report(counts: dict) -> None:
        click.echo("imported: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing"))

    def job() -> int:
        try:
            report(import_paths(list(paths), db, site, sites_dir=sites_dir))
        except ImportProblem as e:
            report(e.counts)
            click.echo(f"Error: {e}", err=True)
            return 2
        return 0

    require_new_or_writable(db)
    sys.exit(locked(db, job))


@cli.command()
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(list(EXPORTERS)), default="jsonl", show_default=True,
              help="; ".join(f"{name}: {e.help}" for name, e in EXPORTERS.items()) + ".")
@click.option("--since", default=None, callback=check_since,
              help="Articles published (pages fetched, for warc) " + SINCE_HELP + ".")
@click.option("--site", default=None, help="Only this site.")
@click.option("--where", default=None, help="An extra SQL condition on the exported table.")
@click.option("--out", "out", default="-", type=click.Path(dir_okay=False, allow_dash=True),
              help="Output file (default: stdout). For warc, a name ending .warc is written "
              "uncompressed, any other gzipped per record (.warc.gz).")
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 byte order mark, so Excel (Chinese "
              "Windows included) opens the Chinese text correctly.")
def export(db, fmt, since, site, where, out, bom):
    """Stream articles out as JSONL (every column), CSV or Parquet, or raw pages as WARC
    (a request and a response record per page; a redirect as its 3xx first)."""
    from provnews.exporters import export as run_export

    if bom and fmt != "csv":
        raise click.UsageError("--bom is for --format csv")
    with open_readonly(db).conn as con:
        known_site(con, db, site)
    binary = EXPORTERS[fmt].binary
    gzip = not out.lower().endswith(".warc")
    try:
        if out == "-":
            n = run_export(db, fmt, sys.stdout, site, since, where, gzip, bom)
        else:
            try:
                f = open(out, "wb" if binary else "w", encoding=None if binary else "utf-8",
                         newline=None if binary else "")
            except OSError as e:
                raise click.ClickException(f"cannot write {out}: {e.strerror or e}")
            with f:
                n = run_export(db, fmt, f, site, since, where, gzip, bom)
    except sqlite3.Error as e:
        if where:
            raise click.UsageError(f"--where: {e}")
        raise click.ClickException(f"cannot read {db}: {e}")
    except (RuntimeError, OSError) as e:
        raise click.ClickException(str(e))
    click.echo(f"exported {n} {EXPORTERS[fmt].table}", err=True)
