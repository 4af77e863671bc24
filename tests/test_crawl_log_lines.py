"""A crawl's log on the terminal is whole lines: a site that cannot be reached gives one ERROR line
per failure (host and cause), never Scrapy's tracebacks (`provnews crawl -v` shows Scrapy's log as it is)."""
from __future__ import annotations

import socket

from provnews.mirror import SITES_DIR
from tests.conftest import run_cli


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: connections are refused


def test_an_unreachable_site_logs_lines_not_tracebacks(tmp_path):
    proxy = f"http://127.0.0.1:{closed_port()}"
    proc = run_cli("crawl", "mirror-gov", "--sites", str(SITES_DIR), "--proxy", proxy,
                   "--db", str(tmp_path / "n.db"))
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert "Connection was refused" in proc.stderr  # the cause is still said, on its line
    assert "no list page, feed or sitemap could be read" in proc.stdout + proc.stderr
