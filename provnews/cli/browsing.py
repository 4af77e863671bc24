"""Search and browse: full-text search, Datasette (`serve`) and the HTML report."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from provnews.cli.base import DB_OPTION, SINCE_HELP, check_since, cli, known_site, open_readonly
from provnews.extras import require


@cli.command()
@click.argument("query")
@DB_OPTION
@click.option("--site", default=None, help="Only this site.")
@click.option("--since", default=None, callback=check_since, help="Only articles published " + SINCE_HELP + ".")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1), help="How many results.")
@click.option("--fold/--no-fold", default=True, show_default=True,
              help="Fold syndicated copies of a story into its earliest copy (+N copies).")
@click.option("--json", "as_json", is_flag=True,
              help="Print [{url, title, site, published_at, snippet, rank, copies, copy_sites}].")
def search(query, db, site, since, limit, fold, as_json):
    """Full-text search for QUERY: Chinese of any length, latin words, digits, or a mix of them
    (6号线, G20峰会, 5月8日 are one phrase each); space-separated pieces must all occur.

    Ordered by bm25 (titles count more), then newest first.
    """
    from pipelines.fulltext import match_expression
    from provnews.search import search as run_search

    if not match_expression(query):
        raise click.UsageError("QUERY has no letters, digits or Chinese characters to search for")
    con = open_readonly(db)
    known_site(con, db, site)
    hits = run_search(con, query, site, since, limit, fold)
    if as_json:
        click.echo(json.dumps([{k: h[k] for k in ("url", "title", "site", "published_at", "snippet", "rank",
                                                  "copies", "copy_sites")}
                               for h in hits], ensure_ascii=False, indent=1))
        return
    if not hits:
        click.echo("no match")
    for h in hits:
        copies = (f"  (+{h['copies']} {'copy' if h['copies'] == 1 else 'copies'}: "
                  f"{', '.join(h['copy_sites'])})") if h["copies"] else ""
        click.echo(f"{h['published_at'] or '-':<25} {h['site']:<14} {h['title']}{copies}\n"
                   f"    {h['snippet']}\n    {h['url']}")


@cli.command()
@DB_OPTION
@click.option("--port", default=8001, show_default=True, type=int, help="Port on 127.0.0.1.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
def serve(db, port, host):
    """Browse the database in Datasette (read-only): facets, Chinese search, canned queries.

    The canned query `search` (a search box; /DB/search.json?q=昆明 for programs) finds Chinese of
    any length; article bodies are shown as paragraphs. Datasette runs in this process: Ctrl-C or
    SIGTERM stops it and removes its temporary metadata. A read-only database is served immutable.
    """
    require("provnews serve", "datasette")
    from provnews.serve import run_datasette

    import socket

    open_readonly(db).conn.close()
    with socket.socket() as probe:  # a busy port: one line now, not uvicorn's log after start-up
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as e:
            raise click.ClickException(f"cannot serve on {host}:{port}: {e.strerror}") from None
    click.echo(f"provnews: Datasette on http://{host}:{port}/ (Ctrl-C to stop)", err=True)
    sys.exit(run_datasette(db, port, host))


@cli.command()
@DB_OPTION
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="The HTML file to write.")
def report(db, out):
    """Write one self-contained HTML report: articles per day per site, date coverage and empty
    bodies per site, fetch errors per run, and the sites whose rates jumped (layout changes)."""
    from provnews.report import render

    open_readonly(db).conn.close()
    html = render(db)
    try:
        Path(out).write_text(html, encoding="utf-8")
    except OSError as e:
        raise click.ClickException(f"cannot write {out}: {e.strerror}")
    click.echo(f"report written to {out}", err=True)
