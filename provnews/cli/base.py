"""What every command shares: the `cli` group, the --db option, the Redis URL type, consoles that
never cut a value when piped, and the checks that turn a bad --db, an unknown --site, a bad
--since or a held lock into one line and the right exit code before any work starts."""
from __future__ import annotations

import sqlite3
import sys
from datetime import datetime
from pathlib import Path

import click

from crawler.settings import PROVNEWS_DB
from provnews import __version__
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


def registry_has(site_ids, sites_dir) -> None:
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


def require_new_or_writable(db: str) -> None:
    """Commands that write (and create) the database: it may be missing, but if it is there it
    must be an SQLite file this user can write."""
    from provnews.dbfile import check_db

    check_db(db, write=True, must_exist=False)


def locked(db: str, job) -> int:
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


def require_db(db: str, write: bool = False) -> None:
    """Commands that read an existing database refuse a missing one (a typo must not create one),
    a directory, a file that is not SQLite or cannot be read: one line, exit 2."""
    from provnews.dbfile import check_db

    check_db(db, write=write)


def open_readonly(db: str):
    """The database opened read-only (a read-only file or directory included), after the checks
    above; a SQLite file that is not a provnews database is refused in one line too."""
    from provnews.dbfile import DatabaseProblem

    require_db(db)
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


def jsonable(row):
    return [f"<{len(v)} bytes>" if isinstance(v, bytes) else v for v in row]


def check_since(ctx, param, value):
    """--since must be a date or time in ISO form; a typo must not silently match nothing."""
    if value is None:
        return value
    try:
        datetime.fromisoformat(value if len(value) > 7 else value + "-01")  # 2024-05 is a month
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date: use YYYY-MM-DD (or an ISO time)") from None
    return value


SINCE_HELP = "on or after this date (YYYY-MM-DD or ISO time)"


def known_site(con, db: str, site: str | None) -> None:
    """--site must name a site the database holds (a typo would print an empty result)."""
    from pipelines.queries import has_site, stored_sites

    if site is None or has_site(con, site):
        return
    known = stored_sites(con, 30)
    raise click.UsageError(f"--site: no site {site!r} in {db} (it has: {', '.join(known) or 'none'})")
