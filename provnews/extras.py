"""Optional parts of provnews and the pip extra that brings each: Datasette (`serve`), Redis and
scrapy-redis (`shared`), pyarrow (`parquet`). The core install stays light; a command that needs
an extra that is missing says which one, in one line, instead of an ImportError traceback."""
from __future__ import annotations

import importlib.util

import click

# the module a feature imports → the extra that installs it
EXTRA_OF = {"datasette": "serve", "redis": "shared", "scrapy_redis": "shared", "pyarrow": "parquet"}


def missing(*modules: str) -> list[str]:
    """The modules among these that cannot be imported here."""
    return [m for m in modules if importlib.util.find_spec(m) is None]


def require(what: str, *modules: str) -> None:
    """Stop with one line naming the extra when `what` (a command or option) lacks a module."""
    absent = missing(*modules)
    if absent:
        extras = sorted({EXTRA_OF.get(m, m) for m in absent})
        spec = ",".join(extras)
        raise click.ClickException(f"{what} needs the optional {'/'.join(extras)} dependencies: "
                                   f"pip install 'provnews[{spec}]' (or: make install)")
