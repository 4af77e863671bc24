"""Is this --db usable for this command? Checked before a command touches the file.

A typo in --db must not create a database; a file that is not SQLite, a directory, or a file we
cannot read must give one line naming the file and the problem (exit 2), never a traceback and
never a -wal file written next to somebody's data. A read-only database stays readable: the
reading commands open it read-only; the writing ones say in one line that they cannot write.
"""
from __future__ import annotations

import os
from pathlib import Path

import click

SQLITE_MAGIC = b"SQLite format 3\x00"


class DatabaseProblem(click.ClickException):
    """A --db that cannot be used: printed as one line, exit 2 (a usage error)."""

    exit_code = 2


def _existing_parent(path: Path) -> Path:
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    return parent


def writable(path: Path) -> bool:
    """True when SQLite can write the database: the file, and its directory (journal, -wal,
    -shm and our .lock file live beside it)."""
    return os.access(path, os.W_OK) and os.access(path.absolute().parent, os.W_OK)


def check_db(db: str | os.PathLike, *, write: bool, must_exist: bool = True) -> None:
    """Raise DatabaseProblem when --db cannot serve the command.

    write: the command writes (crawl, import, reingest); must_exist: it reads what is there
    (every command but crawl and import, which create a new database)."""
    path = Path(db)
    if path.is_dir():
        raise DatabaseProblem(f"--db {db} is a directory, not an SQLite database file")
    if not path.exists():
        if must_exist:
            raise DatabaseProblem(f"no database at {db}")
        parent = _existing_parent(path)
        if write and not os.access(parent, os.W_OK):
            raise DatabaseProblem(f"cannot create {db}: {parent} is read-only")
        return
    if not path.is_file():
        raise DatabaseProblem(f"--db {db} is not a regular file")
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise DatabaseProblem(f"cannot read {db}: {e.strerror.lower()}") from None
    if head and head != SQLITE_MAGIC:
        raise DatabaseProblem(f"{db} is not an SQLite database (its first bytes are {head[:8]!r}); "
                              "nothing was changed")
    if not head and must_exist and not write:
        raise DatabaseProblem(f"{db} is empty, not a provnews database")
    if write and not writable(path):
        raise DatabaseProblem(f"{db} is read-only here: this command writes to it (the reading ones, "
                              "stats, search, sql, export, serve and report, work)")
