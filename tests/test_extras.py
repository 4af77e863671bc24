"""Optional dependencies: a command whose extra is missing names the extra in one line."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

HIDE_AND_RUN = """
import sys
for name in {hidden!r}:
    sys.modules[name] = None  # what an install without the extra looks like to the import system
from provnews.cli import main
sys.argv = ["provnews", *{argv!r}]
main()
"""


def run_without(hidden: list[str], *argv: str) -> subprocess.CompletedProcess:
    code = HIDE_AND_RUN.format(hidden=hidden, argv=list(argv))
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("hidden, argv, extra", [
    (["datasette"], ["serve", "--db", "{db}"], "serve"),
    (["redis", "scrapy_redis"], ["shared-status", "--redis", "redis://127.0.0.1:1/0"], "shared"),
    (["redis", "scrapy_redis"], ["crawl", "--redis", "redis://127.0.0.1:1/0", "x"], "shared"),
])
def test_missing_extra_is_one_line(tmp_path, hidden, argv, extra):
    from pipelines.schema import connect

    db = tmp_path / "news.db"
    connect(db).conn.close()
    proc = run_without(hidden, *[a.format(db=db) for a in argv])
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"provnews[{extra}]" in lines[0], proc.stderr


def test_core_modules_import_without_extras():
    """The crawl, the stages and the CLI load with none of the optional packages present."""
    code = ("import sys\nfor n in ('datasette', 'redis', 'scrapy_redis', 'pyarrow'): sys.modules[n] = None\n"
            "import provnews.cli, pipelines.store, crawler.spiders.news, provnews.runner\nprint('ok')")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "ok", proc.stderr
