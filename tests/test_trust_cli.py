"""Every mistake gets one clear line and the right exit code: bad --db, read-only databases,
usage errors; nothing is changed on the way."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from provnews.mirror import SITES_DIR
from tests.conftest import ROOT, run_cli

COMMANDS = {
    "stats": [], "search": ["昆明"], "report": ["--out", "{tmp}/r.html"], "import": ["{tmp}/p.html"],
    "crawl": ["--sites", str(SITES_DIR)], "serve": ["--port", "1"], "export": [], "reingest": [],
    "sql": ["SELECT 1"], "clusters": ["show", "http://x.test/a.html"], "sites": [],
}


def one_line_error(proc) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert "Traceback" not in proc.stderr and len(lines) == 1, proc.stderr
    return lines[0]


def args_for(command: str, tmp) -> list[str]:
    (tmp / "p.html").write_text("<html><body><p>x</p></body></html>", "utf-8")
    return [command, *(a.format(tmp=tmp) for a in COMMANDS[command])]


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", ["not-sqlite", "directory"])
def test_a_bad_db_is_one_line_exit_2_and_left_untouched(tmp_path, command, kind):
    db = tmp_path / "news.db"
    if kind == "directory":
        db.mkdir()
    else:
        db.write_text("id,title\n1,昆明\n", "utf-8")
    args = args_for(command, tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = run_cli(*args, "--db", str(db))
    line = one_line_error(proc)
    assert proc.returncode == 2 and str(db) in line, (proc.returncode, line)
    assert ("directory" if kind == "directory" else "not an SQLite database") in line
    assert "--where" not in line
    if kind == "not-sqlite":
        assert db.read_text("utf-8") == "id,title\n1,昆明\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no -wal, -shm or .lock


def test_reingest_and_export_blame_where_only_when_it_is_wrong(crawled, tmp_path):
    db = tmp_path / "n.db"
    shutil.copy(crawled[0], db)
    for command in ("reingest", "export"):
        proc = run_cli(command, "--db", str(db), "--where", "no_such_column = 1")
        assert proc.returncode == 2 and "--where" in proc.stderr and "no_such_column" in proc.stderr


def _read_only_runner(folder):
    """Run the CLI so that `folder` is read-only to it: a read-only bind mount when we are root
    (root ignores file modes), the directory's mode otherwise."""
    if os.geteuid() != 0:
        os.chmod(folder, 0o555)
        return lambda *args: run_cli(*args)
    view = folder.parent / "ro-view"
    view.mkdir()
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("running as root without mount namespaces: cannot make a read-only directory")

    def run(*args):
        inner = " ".join(f"'{a}'" for a in [sys.executable, "-m", "provnews.cli", *args])
        script = (f"mount --bind '{folder}' '{view}' && mount -o remount,bind,ro '{view}' && "
                  f"cd '{ROOT}' && PYTHONPATH='{ROOT}' COLUMNS=200 exec {inner}")
        return subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True,
                              timeout=120)

    run.view = view
    return run


def test_a_read_only_database_is_readable_and_writers_say_why_not(crawled, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copy(crawled[0], folder / "news.db")
    (tmp_path / "p.html").write_text("<html><body><p>x</p></body></html>", "utf-8")
    run = _read_only_runner(folder)
    db = str(getattr(run, "view", folder) / "news.db")
    try:
        for args in (["stats"], ["search", "昆明"], ["sql", "SELECT count(*) FROM articles"],
                     ["export", "--out", str(tmp_path / "a.jsonl")], ["report", "--out", str(tmp_path / "r.html")]):
            proc = run(*args, "--db", db)
            assert proc.returncode == 0 and "Traceback" not in proc.stderr, (args, proc.stderr)
        assert len((tmp_path / "a.jsonl").read_text("utf-8").splitlines()) == 43
        for args in (["import", str(tmp_path / "p.html")], ["reingest"], ["crawl", "--sites", str(SITES_DIR)]):
            proc = run(*args, "--db", db)
            assert proc.returncode == 2 and "read-only" in one_line_error(proc), (args, proc.stderr)
    finally:
        os.chmod(folder, 0o755)
    assert sorted(p.name for p in folder.iterdir()) == ["news.db"]
