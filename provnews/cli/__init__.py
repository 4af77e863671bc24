"""The provnews command line: a package of thin command modules, grouped as the README groups them.

    base.py       the `cli` group and what every command shares (--db checks, lock, consoles)
    crawling.py   crawl, demo                         (crawl & schedule; provnews/schedule.py: schedule)
    shared.py     ingest-worker, shared-status        (the shared crawl's writer and status)
    database.py   stats, sql, reingest, import, export
    browsing.py   search, serve, report               (search & browse; clusters.py: clusters show/split)
    sites.py      sites, sites show, check-site, add-site
    tools.py      extract, parse-date, eval, serve-mirror

Commands call functions of pipelines/, crawler/ and provnews/; they hold no SQL of their own.
"""
from __future__ import annotations

import os

from provnews.cli import browsing, clusters, crawling, database, shared, sites, tools
from provnews.cli.base import cli
from provnews.schedule import schedule

# importing a module registers its @cli.command()s; these hold their own groups and commands
COMMAND_MODULES = (crawling, shared, database, browsing, tools, sites, clusters)

cli.add_command(clusters.clusters)
cli.add_command(sites.sites)
cli.add_command(sites.check_site)
cli.add_command(sites.add_site)
cli.add_command(schedule)


def main() -> None:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    cli()


__all__ = ["cli", "main"]
