"""The provnews command line: one module, one command per job, help text on every command."""
from __future__ import annotations

import json
import os
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

import click

from crawler.settings import PROVNEWS_DB
from provnews import __version__
from provnews.contract import EXTRACT_KEYS, extract_one
from provnews.exporters import EXPORTERS
from provnews.extras import require

DB_OPTION = click.option("--db", "db", default=PROVNEWS_DB, show_default=True,
                         type=click.Path(), help="SQLite database file.")


class RedisURL(click.ParamType):
    """redis://host:port/db, rediss://… or unix://…: checked before anything starts."""

    name = "URL"

    def convert(self, value, param, ctx):
        if not value:  # no --redis: a single-machine crawl
            return value
        require("a shared crawl (--redis)", "redis", "scrapy_redis")
        from redis.connection import parse_url

        try:
            parse_url(value)
        except ValueError as e:
            self.fail(f"{value!r}: {e}", param, ctx)
        return value


REDIS_URL = RedisURL()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provnews")
def cli() -> None:
    """Crawl Chinese provincial and municipal news sites into a clean SQLite database.

    Start with `provnews demo` (offline), then `provnews crawl` for real sites.
    """


def console(stderr: bool = False):
    """A Rich console: on a terminal, the terminal's width; piped or redirected (cron logs, `| less`),
    wide enough that no site id, URL or message is cut to fit 80 columns."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr) if stream.isatty() else Console(stderr=stderr, width=100_000)


# --- crawl ---------------------------------------------------------------------------------------
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


def _run_crawl(site_ids, db, sites_dir, proxy, verbose, due=False, refresh=False,
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
@click.option("--jobs", type=click.IntRange(min=1), default=None,
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
        sys.exit(_run_crawl(sites, db, sites_dir, proxy, verbose, refresh=refresh,
                            redis_url=redis_url, idle_exit=idle_exit, max_backlog=max_backlog))
    if idle_exit is not None or max_backlog is not None:
        raise click.UsageError("--idle-exit and --max-backlog need --redis (a single-machine crawl "
                               "ends by itself and writes its own pages)")
    _registry_has(sites, sites_dir)
    _require_new_or_writable(db)
    sys.exit(_locked(db, lambda: _run_crawl(sites, db, sites_dir, proxy, verbose, due, refresh, jobs=jobs)))


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
    _require_new_or_writable(db)
    sys.exit(_locked(db, lambda: _run_ingest(redis_url, db, sites_dir, idle_exit, consumer, jobs,
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


def _run_ingest(redis_url, db, sites_dir, idle_exit, consumer, jobs=1, retry_dead=False) -> int:
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


def _registry_has(site_ids, sites_dir) -> None:
    """Named sites must be in the registry: a typo is a usage error before any database or lock
    file is created (a broken file of that name is reported by the crawl itself)."""
    from crawler.registry import SiteConfigError, load_registry

    if not site_ids:
        return
    try:
        registry = load_registry(sites_dir or None)
    except SiteConfigError as e:
        raise click.UsageError(str(e)) from None
    broken = {Path(e.path).stem for e in registry.errors}
    for site_id in site_ids:
        if site_id not in registry.sites and site_id not in broken:
            known = sorted(registry.sites)
            more = f" and {len(known) - 12} more" if len(known) > 12 else ""
            raise click.UsageError(f"no site {site_id!r} (known: {', '.join(known[:12]) or 'none'}{more})")


def _require_new_or_writable(db: str) -> None:
    """Commands that write (and create) the database: it may be missing, but if it is there it
    must be an SQLite file this user can write."""
    from provnews.dbfile import check_db

    check_db(db, write=True, must_exist=False)


def _locked(db: str, job) -> int:
    """Run job under the database's crawl lock; 75 (EX_TEMPFAIL) at once when it is held."""
    from provnews.lock import Locked, crawl_lock
    from provnews.runner import EXIT_LOCKED

    try:
        with crawl_lock(db):
            return job()
    except Locked as e:
        click.echo(f"provnews: {e}", err=True)
        return EXIT_LOCKED


def provnews_command() -> str:
    """How the user can run provnews from here: `provnews` when that is on PATH and is this one,
    else this install's script (.venv/bin/provnews after `make demo`, which does not activate
    the venv in the user's shell)."""
    import shutil

    script = Path(sys.executable).parent / "provnews"
    found = shutil.which("provnews")
    if found and (not script.exists() or Path(found).resolve() == script.resolve()):
        return "provnews"
    if not script.exists():
        return f"{sys.executable} -m provnews.cli"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


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
            return _run_crawl((), db, SITES_DIR, server.url, verbose)
        finally:
            server.shutdown()

    _require_new_or_writable(db)
    code = _locked(db, job)
    if code == 75:
        sys.exit(code)
    click.echo(f"\nstored in {db}:")
    _print_stats(db)
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


# --- extract ---------------------------------------------------------------------------------------
def _mtime_iso(path: Path) -> str:
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
        jobs.append(("path", f, p, url, fetched_at or _mtime_iso(p)))
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
            obj = {key: ident, **extract_one(body, page_url, ref or _mtime_iso(path))}
        click.echo(json.dumps(obj, ensure_ascii=False))


# --- parse-date ------------------------------------------------------------------------------------
def _parse_date_obj(text: str, base: str | None) -> dict:
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
                obj = _parse_date_obj(spec["text"], spec.get("base") or base)
            except (ValueError, KeyError, TypeError) as e:
                raise click.UsageError(f"--from-jsonl line {n}: needs {{\"text\", \"base\"}} ({e})")
            click.echo(json.dumps(obj, ensure_ascii=False))
        return
    if text is None:
        raise click.UsageError("give TEXT or --from-jsonl")
    try:
        obj = _parse_date_obj(text, base)
    except ValueError as e:
        raise click.UsageError(f"--base is not an ISO time: {e}")
    if as_json:
        click.echo(json.dumps(obj, ensure_ascii=False))
    elif obj["value"] is None:
        click.echo("no date")
    else:
        click.echo(f"{obj['value']}  ({obj['precision']})")


# --- sql / stats -----------------------------------------------------------------------------------
def _require_db(db: str, write: bool = False) -> None:
    """Commands that read an existing database refuse a missing one (a typo must not create one),
    a directory, a file that is not SQLite or cannot be read: one line, exit 2."""
    from provnews.dbfile import check_db

    check_db(db, write=write)


def _open_readonly(db: str):
    """The database opened read-only (a read-only file or directory included), after the checks
    above; a SQLite file that is not a provnews database is refused in one line too."""
    from provnews.dbfile import DatabaseProblem

    _require_db(db)
    from pipelines.schema import connect

    try:
        con = connect(db, readonly=True)
        tables = set(con.table_names())
    except sqlite3.DatabaseError as e:
        raise DatabaseProblem(f"cannot read {db}: {e}") from None
    if "articles" not in tables:
        con.conn.close()
        raise DatabaseProblem(f"{db} is an SQLite database but not a provnews one (no articles table)")
    return con


@cli.command()
@click.argument("query")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of row objects.")
def sql(query, db, as_json):
    """Run a read-only SQL QUERY; writes are refused (the database is opened read-only)."""
    con = _open_readonly(db)
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
        click.echo(json.dumps([dict(zip(cols, _jsonable(r))) for r in rows], ensure_ascii=False,
                              indent=1))
        return
    from rich.table import Table

    table = Table(*cols)
    out = console()
    for r in rows:
        table.add_row(*("" if v is None else str(v)[:200] if out.is_terminal else str(v) for v in _jsonable(r)))
    out.print(table)


def _jsonable(row):
    return [f"<{len(v)} bytes>" if isinstance(v, bytes) else v for v in row]


def _print_stats(db: str) -> None:
    con = _open_readonly(db)
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
    _print_stats(db)


# --- search / reingest / import / export ------------------------------------------------------------
def _since(ctx, param, value):
    """--since must be a date or time in ISO form; a typo must not silently match nothing."""
    if value is None:
        return value
    try:
        datetime.fromisoformat(value if len(value) > 7 else value + "-01")  # 2024-05 is a month
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD (or an ISO time)") from None
    return value


SINCE_HELP = "on or after this date (YYYY-MM-DD or ISO time)"


def _known_site(con, db: str, site: str | None) -> None:
    """--site must name a site the database holds (a typo would print an empty result)."""
    from pipelines.queries import has_site, stored_sites

    if site is None or has_site(con, site):
        return
    known = stored_sites(con, 30)
    raise click.UsageError(f"--site: no site {site!r} in {db} (it has: {', '.join(known) or 'none'})")


@cli.command()
@click.argument("query")
@DB_OPTION
@click.option("--site", default=None, help="Only this site.")
@click.option("--since", default=None, callback=_since, help="Only articles published " + SINCE_HELP + ".")
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
    con = _open_readonly(db)
    _known_site(con, db, site)
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
@click.option("--site", default=None, help="Only pages of this site.")
@click.option("--since", default=None, callback=_since, help="Only pages fetched " + SINCE_HELP + ".")
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

    _require_db(db, write=not dry_run)
    with _open_readonly(db).conn as con:
        _known_site(con, db, site)
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
        code = _locked(db, lambda: done.append(run()) or 0)
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

    _require_new_or_writable(db)
    sys.exit(_locked(db, job))


@cli.command()
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(list(EXPORTERS)), default="jsonl", show_default=True,
              help="; ".join(f"{name}: {e.help}" for name, e in EXPORTERS.items()) + ".")
@click.option("--since", default=None, callback=_since,
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
    with _open_readonly(db).conn as con:
        _known_site(con, db, site)
    binary = EXPORTERS[fmt].binary
    gzip = not out.lower().endswith(".warc")
    try:
        if out == "-":
            n = run_export(db, fmt, sys.stdout, site, since, where, gzip, bom)
        else:
            with open(out, "wb" if binary else "w", encoding=None if binary else "utf-8",
                      newline=None if binary else "") as f:
                n = run_export(db, fmt, f, site, since, where, gzip, bom)
    except sqlite3.Error as e:
        if where:
            raise click.UsageError(f"--where: {e}")
        raise click.ClickException(f"cannot read {db}: {e}")
    except (RuntimeError, OSError) as e:
        raise click.ClickException(str(e))
    click.echo(f"exported {n} {EXPORTERS[fmt].table}", err=True)


# --- serve / report --------------------------------------------------------------------------------
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
    from provnews.serve import run_datasette

    import socket

    _open_readonly(db).conn.close()
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

    _open_readonly(db).conn.close()
    html = render(db)
    try:
        Path(out).write_text(html, encoding="utf-8")
    except OSError as e:
        raise click.ClickException(f"cannot write {out}: {e.strerror}")
    click.echo(f"report written to {out}", err=True)


# --- eval ----------------------------------------------------------------------------------------
from crawler.settings import PROVNEWS_EVAL_BASELINE as DEFAULT_BASELINE  # noqa: E402
from crawler.settings import PROVNEWS_EVAL_CORPUS as DEFAULT_CORPUS  # noqa: E402


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


from provnews.cli_clusters import clusters  # noqa: E402 - commands in their own module

cli.add_command(clusters)
from provnews.cli_sites import add_site, check_site, sites  # noqa: E402 - commands in their own module

cli.add_command(sites)
cli.add_command(check_site)
cli.add_command(add_site)


from provnews.schedule import schedule  # noqa: E402 - its own module, registered here

cli.add_command(schedule)


def main() -> None:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    cli()


if __name__ == "__main__":
    main()
