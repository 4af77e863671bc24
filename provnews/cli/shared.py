"""The shared crawl's other two commands: the single writer (`ingest-worker`) and the view of a
running shared crawl from Redis (`shared-status`)."""
from __future__ import annotations

import json
import sys

import click

from provnews.cli.base import DB_OPTION, REDIS_URL, cli, locked, require_new_or_writable


@cli.command("ingest-worker")
@click.option("--redis", "redis_url", required=True, type=REDIS_URL,
              help="The Redis the crawler nodes push to (redis://host:6379/0).")
@DB_OPTION
@click.option("--sites", "sites_dir", type=click.Path(file_okay=False), default=None,
              help="Directory of site TOML files, for per-site extraction rules (default: crawler/sites).")
@click.option("--idle-exit", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="Exit once the stream has been drained and quiet this long (default: run as a service).")
@click.option("--consumer", default=None, help="Consumer name in the group (default: writer@HOSTNAME).")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes for the pure stages (decode → dedup); this process alone writes.")
@click.option("--retry-dead", is_flag=True,
              help="First put the dead-letter entries (pages that killed the writer) back on the stream.")
def ingest_worker(redis_url, db, sites_dir, idle_exit, consumer, jobs, retry_dead):
    """Store what the crawler nodes of a shared crawl fetch: the database's single writer.

    Reads the Redis stream through a consumer group and acknowledges each page only after it is
    committed, so a killed worker loses nothing. A page whose every delivery killed the writer
    (PROVNEWS_INGEST_DEAD_AFTER times) goes to a dead-letter stream with a pages row saying so;
    --retry-dead replays those after a fix. Holds the database's crawl lock (exit 75 when
    another crawl or worker has it). SIGTERM finishes the current batch, then exits.
    """
    require_new_or_writable(db)
    sys.exit(locked(db, lambda: run_ingest(redis_url, db, sites_dir, idle_exit, consumer, jobs,
                                             retry_dead)))


@cli.command("shared-status")
@click.option("--redis", "redis_url", required=True, type=REDIS_URL, help="The shared crawl's Redis.")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def shared_status(redis_url, as_json):
    """What a shared crawl is doing: per site its round, live nodes, queue, frontier and seen
    URLs; how many pages wait for the writer. Reads Redis only."""
    import redis
    from rich.console import Console
    from rich.table import Table

    from crawler.shared_frontier import connect_redis, shared_status as read_status

    from crawler.handoff import DEAD_STREAM

    try:
        client = connect_redis(redis_url)
        status = read_status(client)
        status["stream"]["dead"] = client.xlen(DEAD_STREAM)  # pages that killed the writer
    except redis.RedisError as e:
        click.echo(f"error: cannot reach Redis at {redis_url}: {e}", err=True)
        sys.exit(2)
    if as_json:
        click.echo(json.dumps(status, ensure_ascii=False, indent=1))
        return
    table = Table(title="shared crawl")
    table.add_column("site", no_wrap=True)
    table.add_column("round", no_wrap=True)
    for col in ("age s", "busy", "idle", "queued", "frontier", "lists", "seen"):
        table.add_column(col, justify="right")
    for row in status["sites"]:
        table.add_row(row["site"], row["round"] or "-", str(row["round_age_s"] if row["round_age_s"] is not None else "-"),
                      str(row["nodes_busy"]), str(row["nodes_idle"]), str(row["queued"]),
                      str(row["frontier"]), str(row["lists_open"]), str(row["seen"]))
    console = Console()
    console.print(table)
    stream = status["stream"]
    console.print(f"pages waiting for the writer: {stream['waiting']} (read, not yet acknowledged: "
                  f"{stream['pending']}); writers: " + (", ".join(
                      f"{c['name']} (pending {c['pending']}, idle {c['idle_ms'] // 1000} s)"
                      for c in stream["consumers"]) or "none yet"))
    if stream["dead"]:
        console.print(f"dead-lettered pages (each killed the writer): {stream['dead']}; after a fix, "
                      "`provnews ingest-worker --retry-dead` replays them")


def run_ingest(redis_url, db, sites_dir, idle_exit, consumer, jobs=1, retry_dead=False) -> int:
    import signal

    import redis
    from rich.console import Console

    from crawler import settings as defaults
    from provnews.ingest_worker import IngestWorker

    console = Console(stderr=True)
    try:
        worker = IngestWorker(redis_url, db, sites_dir or defaults.PROVNEWS_SITES_DIR, consumer,
                              batch=defaults.PROVNEWS_INGEST_BATCH,
                              claim_after=defaults.PROVNEWS_INGEST_CLAIM_AFTER, jobs=jobs,
                              dead_after=defaults.PROVNEWS_INGEST_DEAD_AFTER)
        if retry_dead:
            console.print(f"ingest-worker: {worker.retry_dead()} dead-letter entries put back on the stream")
    except redis.RedisError as e:
        console.print(f"[red]error:[/red] cannot reach Redis at {redis_url}: {e}")
        return 2

    def stop(signum, frame):
        worker.stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    console.print(f"ingest-worker: {worker.consumer} writing {db}")
    try:
        summary = worker.run(idle_exit)
    finally:
        worker.close()
    o = summary.outcomes
    click.echo(f"pages {summary.pages}: new {o['new']}, updated {o['updated']}, unchanged "
               f"{o['unchanged']}, errors {o['error']}; re-delivered {summary.redelivered}; "
               f"node reports {summary.runs}; seen URLs published {summary.seen_synced}; "
               f"dead-lettered {summary.dead}")
    return 0
