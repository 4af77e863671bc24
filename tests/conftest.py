"""Shared fixtures: the offline mirror on a free loopback port, and one real crawl of it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from provnews.mirror import MIRROR_DIR, SITES_DIR, MirrorServer

ROOT = Path(__file__).resolve().parent.parent

# `make test-fast` deselects these: whole crawls, killed processes, services, the browser and the eval
SLOW_MODULES = {"test_crawl_e2e", "test_crash_safety", "test_shared_crawl", "test_browse",
                "test_eval_gate", "test_hostile", "test_incremental", "test_scrapyd",
                "test_crawl_judged_order"}
SLOW_FIXTURES = {"crawled", "mirror", "redis_server"}


def pytest_collection_modifyitems(config, items):
    """Mark the slow tests in one place, by module and by the fixtures that start real crawls or
    services, so a new test of that kind is slow without anyone remembering to say so."""
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if module in SLOW_MODULES or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
PROVNEWS = [sys.executable, "-m", "provnews.cli"]


def run_cli(*args: str, check: bool = False, timeout: int = 240, **kw) -> subprocess.CompletedProcess:
    """Run the provnews CLI as a user would (a subprocess), from the repo root."""
    # crawls run their stages in-process (--jobs 1) unless a test says otherwise: spawning stage
    # workers for each of ~60 short crawls was a third of the suite's CPU; test_crawl_pool, the
    # crash tests and the shared crawl keep the default pool
    env = {"PROVNEWS_JOBS": "1", **os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    proc = subprocess.run([*PROVNEWS, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(f"provnews {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def mirror():
    server = MirrorServer().start_background()
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def crawled(mirror, tmp_path_factory):
    """One full crawl of the mirror into a fresh SQLite file: (db path, process, request log)."""
    db = tmp_path_factory.mktemp("crawl") / "news.db"
    before = len(mirror.log.snapshot())
    from pipelines.stage_pool import default_jobs

    jobs = str(default_jobs())  # the product's default: a stage worker per core
    proc = run_cli("crawl", "--jobs", jobs, "--sites", str(SITES_DIR), "--proxy", mirror.url, "--db", str(db))
    return db, proc, mirror.log.snapshot()[before:]


@pytest.fixture(scope="session")
def expected() -> list[dict]:
    with open(MIRROR_DIR / "expected.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def sidebar_headlines() -> list[str]:
    return json.loads((MIRROR_DIR / "sidebar_headlines.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def redis_server():
    """A real redis-server on a free loopback port (the project's .ci/run installs it)."""
    from provnews.local_redis import REDIS_SERVER, RedisServer

    if REDIS_SERVER is None:
        message = "redis-server is not installed (Debian: apt-get install redis-server; .ci/run does)"
        if os.environ.get("PROVNEWS_REQUIRE_SERVICES"):  # set by .ci/run: a skip would hide it
            pytest.fail(message)
        pytest.skip(message)
    server = RedisServer().start()
    yield server
    server.stop()
