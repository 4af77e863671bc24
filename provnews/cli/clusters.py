"""`provnews clusters show URL` and `provnews clusters split URL`: syndication clusters an analyst
can check and correct. `show` says why each copy was joined (MinHash similarity, the distinguishing
tokens the texts share and any that differ) and which near articles were kept apart and why;
`split` undoes a wrong join for good (a cluster_splits row, respected by re-ingest too).
"""
from __future__ import annotations

import json

import click

from provnews.cli.base import DB_OPTION as DB, open_readonly, require_db


def _open(db: str, readonly: bool):
    """The database after the usual --db checks (one line, exit 2, for a missing or bad file)."""
    if readonly:
        return open_readonly(db)
    from pipelines.store import connect

    require_db(db, write=True)
    return connect(db)


@click.group()
def clusters() -> None:
    """Syndication clusters: show why articles were joined, split a wrong join."""


def _tokens(entry: dict) -> str:
    parts = []
    if entry.get("shared"):
        parts.append("shared: " + " ".join(entry["shared"][:12]))
    if entry.get("differing"):
        parts.append("differing: " + "; ".join(f"{a} ≠ {b}" for a, b in entry["differing"][:6]))
    return "  ".join(parts)


@clusters.command("show")
@click.argument("url")
@DB
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
def show(url: str, db: str, as_json: bool) -> None:
    """The cluster of the article at URL: its members with their similarity to the original, the
    distinguishing tokens they share and those that differ, and why they were joined; then the
    near articles (same LSH bucket, similar wording) that were kept apart, and why."""
    from pipelines.clusters import explain

    conn = _open(db, readonly=True)
    try:
        info = explain(conn, url)
    finally:
        conn.conn.close()
    if info is None:
        raise click.ClickException(f"no article with URL {url} in {db}")
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=1))
        return
    if info["cluster_id"]:
        click.echo(f"cluster {info['cluster_id']} ({len(info['members'])} copies; the original is the "
                   f"earliest published)")
    else:
        click.echo("not in a cluster: no other copy of this story is known")
    for m in info["members"]:
        click.echo(f"  {m['published_at'] or '-':25}  {m['site']:14}  {m['url']}")
        click.echo(f"      {m['title']}")
        if m["url"] == info["original"]:
            click.echo("      the original")
        else:
            sim = f"{m['similarity']:.2f}" if m.get("similarity") is not None else "-"
            click.echo(f"      similarity {sim}; joined: {m['reason']}")
            if _tokens(m):
                click.echo(f"      {_tokens(m)}")
    if info["kept_apart"]:
        click.echo("near articles kept apart:")
        for k in info["kept_apart"]:
            sim = f"{k['similarity']:.2f}" if k.get("similarity") is not None else "-"
            click.echo(f"  {k['site']:14}  {k['url']}  similarity {sim}")
            click.echo(f"      {k['title']}")
            click.echo(f"      {k['reason']}")
            if _tokens(k):
                click.echo(f"      {_tokens(k)}")


@clusters.command("split")
@click.argument("url")
@DB
def split(url: str, db: str) -> None:
    """Take the article at URL out of its cluster: it stands alone (and shows in latest_articles),
    the rest of the cluster keeps its earliest copy as original. Kept across re-ingest."""
    from pipelines.clusters import split_article

    conn = _open(db, readonly=False)
    try:
        if conn.execute("SELECT 1 FROM articles WHERE url = ?", [url]).fetchone() is None:
            raise click.ClickException(f"no article with URL {url} in {db}")
        with conn.conn:
            others = split_article(conn, url)
    finally:
        conn.conn.close()
    if not others:
        click.echo(f"{url} is not in a cluster; nothing to split")
        return
    click.echo(f"split {url} from {len(others)} other cop{'y' if len(others) == 1 else 'ies'}; "
               "kept apart from now on, re-ingest included")
