"""Docs that could drift from the code are generated from it: the README's command table (click),
site-key table (crawler/registry.py SCHEMA) and column tables (pipelines/columns.py), and the
table of docs/hostile-web.md (tests/hostile.py), with cog.
`make docs` regenerates them; this test fails when someone changed the code and not the README."""
from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_generated_sections_are_current():
    proc = subprocess.run([sys.executable, "-m", "cogapp", "--check", "README.md", "docs/hostile-web.md"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"stale docs: run `make docs`\n{proc.stdout}{proc.stderr}"


def test_hostile_doc_covers_every_kind_the_server_serves():
    from tests.hostile import KINDS, RECORDS

    assert list(RECORDS) == list(KINDS)


def test_every_command_and_column_is_in_the_readme():
    from pipelines import columns
    from provnews.cli import cli

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"`provnews {name}" in readme, name
    for table in ("articles", "pages", "crawl_runs", "frontier", "validators"):
        for c in columns.columns(table):
            assert f"| `{c.name}` |" in readme, f"{table}.{c.name}"
