"""Crawl and schedule: `provnews crawl` (single machine, or one node of a shared crawl) and
`provnews demo` (the same crawl against the bundled offline mirror)."""
from __future__ import annotations

import sys

import click

from provnews.cli.base import (DB_OPTION, REDIS_URL, cli, console, locked, provnews_command,
                               registry_has, require_new_or_writable)
from provnews.cli.database import print_stats


class Progress:
    """Live per-site counters on stderr while the reactor runs (quiet when not a terminal)."""

    def __init__(self, console):
        from rich.progress import Progress as RichProgress, SpinnerColumn, TextColumn

        self.bar = RichProgress(SpinnerColumn(), TextColumn("{task.description}"),
                                TextColumn("pages {task.completed:>5.0f}  {task.fields[info]}"),
                                console=console, transient=True)
        self.tasks: dict[str, int] = {}
        self.counts: dict[str, list[int]] = {}

    def add_site(self, site_id: str) -> None:
        self.tasks[site_id] = self.bar.add_task(site_id, total=None, info="")
        self.counts[site_id] = [0, 0]

    def page_done(self, site_id: str, item: dict) -> None:
        c = self.counts[site_id]
        c[0 if not item.get("error") else 1] += 1
        self.bar.update(self.tasks[site_id], advance=1, info=f"ok {c[0]}  errors {c[1]}")


def print_summary(summary, out) -> None:
    from rich.table import Table

    table = Table(title="crawl summary")
    for col in ("site", "status", "lists read", "lists 304", "pages", "new", "updated", "errors", "note"):
        table.add_column(col, justify="right" if col not in ("site", "status", "note") else "left")
    for r in summary.results:
        table.add_row(r.site, r.status, str(r.list_pages), str(r.list_unchanged), str(r.pages_fetched),
                      str(r.articles_new), str(r.articles_updated), str(r.errors),
                      r.message[:80] if out.is_terminal else r.message)
    out.print(table)


def run_crawl(site_ids, db, sites_dir, proxy, verbose, due=False, refresh=False,
               redis_url: str = "", idle_exit: float | None = None,
               max_backlog: int | None = None, jobs: int | None = None) -> int:
    """Crawl under the database lock (taken by the caller), or as one node of a shared crawl
    (redis_url: no database, no lock). Returns the exit code."""
    from provnews import runner

    err = console(stderr=True)
    overrides = {"PROVNEWS_REFRESH": True} if refresh else {}
    if jobs:
        overrides["PROVNEWS_JOBS"] = jobs
    level = "INFO" if verbose else "ERROR"
    try:
        progress = Progress(err)
        with progress.bar:
            if redis_url:
                import redis

                try:
                    summary = runner.crawl_shared(list(site_ids), redis_url, sites_dir, proxy, level,
                                                  progress, idle_exit, refresh, max_backlog)
                except redis.RedisError as e:
                    err.print(f"[red]error:[/red] cannot reach Redis at {redis_url}: {e}")
                    return runner.EXIT_USAGE
            else:
                summary = runner.crawl(list(site_ids), db, sites_dir, proxy, level, progress,
                                       overrides, due)
    except runner.SiteConfigError as e:
        err.print(f"[red]error:[/red] {e}")
        return runner.EXIT_USAGE
    if summary.nothing_due:
        err.print("nothing is due: every site has run within its `every` (crawl_runs has the times)")
        if not summary.results:
            return summary.exit_code
    print_summary(summary, console())
    for r in summary.results:
        if r.status != "ok" and r.message:
            err.print(f"[red]{r.site}:[/red] {r.message}")
    if not summary.results:
        err.print("[red]error:[/red] no sites to crawl")
    return summary.exit_code


@cli.command()
@click.argument("sites", nargs=-1)
@DB_OPTION
@click.option("--sites", "sites_dir", type=click.Path(file_okay=False), default=None,
              help="Directory of site TOML files (default: crawler/sites).")
@click.option("--proxy", default="", help="Send every request through this HTTP proxy.")
@click.option("--due", is_flag=True, help="Only sites whose `every` interval has passed since "
              "their last successful run.")
@click.option("--refresh", is_flag=True, help="Fetch articles again even when already stored.")
@click.option("--redis", "redis_url", default="", type=REDIS_URL,
              help="Be one node of a shared crawl: frontier in Redis (redis://host:6379/0), pages "
              "to its stream for `provnews ingest-worker`; --db is not used.")
@click.option("--idle-exit", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="With --redis: exit once the shared frontier has been empty this long "
              "(default: run as a service).")
@click.option("--max-backlog", type=click.IntRange(min=1), default=None, metavar="PAGES",
              help="With --redis: pause while this many fetched pages wait for the writer "
              "(default: PROVNEWS_MAX_BACKLOG, 50000).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, envvar="PROVNEWS_JOBS", show_envvar=True,
              help="Processes for decode/extract/dates/dedup (default: every core; 1: in the crawl's own).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
def crawl(sites, db, sites_dir, proxy, due, refresh, redis_url, idle_exit, max_backlog, jobs, verbose):
    """Crawl SITES (ids from the registry; all when none) into the database.

    Incremental: stored articles are not fetched again; list pages, feeds and sitemaps are
    revisited with If-None-Match / If-Modified-Since. One crawl at a time per database.
    With --redis, any number of these processes on any number of hosts share one frontier;
    one `provnews ingest-worker` writes what they fetch.
    Exit codes: 0 all sites fine, 1 some sites failed, 2 bad configuration or usage,
    75 another crawl holds the database, 130 stopped (Ctrl-C, SIGTERM) before the end.
    """
    if redis_url:
        if due:
            raise click.UsageError("--due reads the database; shared crawl nodes have none. Start "
                                   "nodes on a schedule, or run them as services (rounds follow "
                                   "each site's `every`).")
        sys.exit(run_crawl(sites, db, sites_dir, proxy, verbose, refresh=refresh,
                            redis_url=redis_url, idle_exit=idle_exit, max_backlog=max_backlog))
    if idle_exit is not None or max_backlog is not None:
        raise click.UsageError("--idle-exit and --max-backlog need --redis (a single-machine crawl "
                               "ends by itself and writes its own pages)")
    registry_has(sites, sites_dir)
    require_new_or_writable(db)
    sys.exit(locked(db, lambda: run_crawl(sites, db, sites_dir, proxy, verbose, due, refresh, jobs=jobs)))


@cli.command()
@click.option("--db", "db", default="data/demo.db", show_default=True,
              type=click.Path(), help="SQLite database file.")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
def demo(db, verbose):
    """Serve the bundled offline mirror on 127.0.0.1 and crawl it, then show what was stored.

    Same exit codes as crawl; run twice on one --db it crawls incrementally, like a schedule.
    """
    from provnews.mirror import SITES_DIR, MirrorServer

    def job() -> int:
        server = MirrorServer().start_background()
        click.echo(f"offline mirror on {server.url} (fictional Yunnan sites, served as a proxy)",
                   err=True)
        try:
            return run_crawl((), db, SITES_DIR, server.url, verbose)
        finally:
            server.shutdown()

    require_new_or_writable(db)
    code = locked(db, job)
    if code == 75:
        sys.exit(code)
    click.echo(f"\nstored in {db}:")
    print_stats(db)
    from pipelines.queries import latest_stories
    from pipelines.store import connect

    con = connect(db, readonly=True)
    click.echo("\nlatest stories (syndicated copies folded into one line):")
    for s in latest_stories(con, 6):
        click.echo(f"  {s['site']:<14} {s['published_at'] or '-':<25} {s['title']}"
                   + (f"  (also: {s['copies']})" if s["copies"] else "") + f"\n      {s['excerpt']}…")
    exe = provnews_command()
    click.echo(f"\nnext: {exe} search 滇池 --db {db}\n      {exe} serve --db {db}     (browse in Datasette)"
               f"\n      {exe} report --db {db} --out report.html"
               + ("\n      (or `source .venv/bin/activate` once, then plain `provnews`)" if exe != "provnews" else ""))
    sys.exit(code)
