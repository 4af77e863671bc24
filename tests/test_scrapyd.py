"""Scrapyd for real: deploy this checkout's egg to a running Scrapyd, schedule jobs, read what
they stored.

Scrapyd and scrapyd-client run from their own virtualenv with provnews's dependencies but not
provnews (`provnews/scrapyd_env.py`; `.ci/run` builds it, the fixture builds it when missing),
so the deployed zipped egg is the only copy of the project the jobs can import. Scrapyd listens
on a free loopback port with its own configuration and working directory in a temporary folder;
the egg is built from a temporary copy of the checkout, which stays untouched.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from crawler.registry import load_site
from provnews import scrapyd_env
from provnews.lock import crawl_lock
from provnews.mirror import SITES_DIR
from tests.conftest import ROOT
from tests.test_incremental import wait_for

# what scrapyd-deploy needs to build the egg (pyproject.toml names README.md as the readme)
EGG_SOURCES = ("setup.py", "pyproject.toml", "scrapy.cfg", "README.md", "crawler", "pipelines", "provnews")
SITE = "mirror-gov"


@pytest.fixture(scope="module")
def scrapyd_venv() -> Path:
    try:
        return scrapyd_env.build()
    except (subprocess.CalledProcessError, OSError) as e:
        message = f"Scrapyd's virtualenv could not be built ({e}); `python3 -m provnews.scrapyd_env` builds it"
        if os.environ.get("PROVNEWS_REQUIRE_SERVICES"):  # set by .ci/run: a skip would hide it
            pytest.fail(message)
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


class Scrapyd:
    """A Scrapyd daemon in its own folder (config, eggs, logs, queue), killed with its jobs."""

    def __init__(self, venv: Path, workdir: Path):
        self.venv, self.dir = venv, workdir
        self.port, self.proc = 0, None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, attempts: int = 3) -> "Scrapyd":
        # no PYTHONPATH and a working directory outside the checkout: jobs see the egg only
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE")}
        env["NO_PROXY"] = "127.0.0.1,localhost"
        for _ in range(attempts):  # a free port can be taken between probe and bind: try another
            self.port = _free_port()
            (self.dir / "scrapyd.conf").write_text(
                "[scrapyd]\nbind_address = 127.0.0.1\n"
                f"http_port = {self.port}\npoll_interval = 0.1\nmax_proc = 4\n"
                "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\n", encoding="utf-8")
            with open(self.dir / "scrapyd.out", "ab") as out:
                self.proc = subprocess.Popen([str(self.venv / "bin" / "scrapyd")], cwd=self.dir, env=env,
                                             stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                wait_for(self.up, timeout=30, step=0.1)
                return self
            except AssertionError:
                self.stop()
        raise RuntimeError(f"scrapyd did not start:\n{self.output()}")

    def up(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError("scrapyd exited")
        try:
            return _get(self.url + "daemonstatus.json")["status"] == "ok"
        except OSError:
            return False

    def output(self) -> str:
        return (self.dir / "scrapyd.out").read_text(encoding="utf-8", errors="replace")[-3000:]

    def schedule(self, site: str | None, **settings: str) -> str:
        form = [("project", "provnews"), ("spider", "news")]
        form += [("site", site)] if site is not None else []
        form += [("setting", f"{k}={v}") for k, v in settings.items()]
        req = urllib.request.Request(self.url + "schedule.json", data=urllib.parse.urlencode(form).encode())
        with urllib.request.urlopen(req, timeout=60) as r:  # the first call lists the egg's spiders
            answer = json.loads(r.read())
        assert answer["status"] == "ok", answer
        return answer["jobid"]

    def wait(self, *jobs: str, timeout: float = 240) -> None:
        def done() -> bool:
            return all(_get(f"{self.url}status.json?job={job}")["currstate"] == "finished" for job in jobs)

        wait_for(done, timeout=timeout, step=0.2)

    def log(self, job: str) -> str:
        return (self.dir / "logs" / "provnews" / "news" / f"{job}.log").read_text(encoding="utf-8")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the daemon and any job it still runs
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


@pytest.fixture(scope="module")
def deployed(scrapyd_venv, tmp_path_factory):
    """Scrapyd running, with this checkout's egg deployed by scrapyd-deploy from a copy."""
    work = tmp_path_factory.mktemp("scrapyd")
    src = work / "src"
    src.mkdir()
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in EGG_SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=skip)
        else:
            shutil.copy2(ROOT / name, src / name)
    daemon_dir = work / "daemon"
    daemon_dir.mkdir()
    daemon = Scrapyd(scrapyd_venv, daemon_dir).start()
    try:
        cfg = (src / "scrapy.cfg").read_text(encoding="utf-8")
        (src / "scrapy.cfg").write_text(cfg.replace("url = http://localhost:6800/", f"url = {daemon.url}"),
                                        encoding="utf-8")
        before = {p.name for p in src.iterdir()}
        setup_py = (src / "setup.py").read_text(encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["NO_PROXY"] = "127.0.0.1,localhost"
        proc = subprocess.run([str(scrapyd_venv / "bin" / "scrapyd-deploy"), "-v", "t1"], cwd=src, env=env,
                              capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        yield daemon, {"stdout": proc.stdout, "added": {p.name for p in src.iterdir()} - before,
                       "setup_py_kept": (src / "setup.py").read_text(encoding="utf-8") == setup_py}, work
    finally:
        daemon.stop()


def test_shipped_sites_load_from_a_zipped_package(tmp_path):
    """What Scrapyd does with an egg, without Scrapyd: the package imported from a zip file."""
    archive = tmp_path / "crawler.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in sorted((ROOT / "crawler").rglob("*")):
            if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
                z.write(path, path.relative_to(ROOT).as_posix())
    code = ("import sys, crawler.registry as r; reg = r.load_registry(''); "
            "print(len(reg.sites), len(reg.errors), reg.get('km-gov').path, r.__file__)")
    proc = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(archive)!r}); {code}"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    n, errors, km_gov, module = proc.stdout.split()
    shipped = len(list((ROOT / "crawler" / "sites").glob("*.toml")))
    assert (int(n), int(errors)) == (shipped, 0)
    assert km_gov == f"{archive}/crawler/sites/km-gov.toml" and module.startswith(str(archive))


def test_deploy_builds_the_egg_from_the_committed_setup_py_and_adds_only_ignored_files(deployed):
    daemon, deploy, _ = deployed
    answer = json.loads(deploy["stdout"])
    assert answer["status"] == "ok" and answer["project"] == "provnews" and answer["spiders"] == 1
    assert _get(daemon.url + "listspiders.json?project=provnews")["spiders"] == ["news"]
    assert deploy["setup_py_kept"]  # scrapyd-deploy did not write a setup.py of its own
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert deploy["added"] <= {"build", "provnews.egg-info"}
    assert "build/" in ignored and "*.egg-info/" in ignored


def test_a_scheduled_job_crawls_into_the_absolute_database_with_its_run_and_site_rows(deployed, mirror, expected):
    daemon, _, work = deployed
    db = work / "jobs" / "news.db"
    job = daemon.schedule(SITE, PROVNEWS_DB=str(db), PROVNEWS_PROXY=mirror.url,
                          PROVNEWS_SITES_DIR=str(SITES_DIR), LOG_LEVEL="INFO")
    daemon.wait(job)
    log = daemon.log(job)
    assert "Traceback" not in log and "Spider closed (finished)" in log, log[-3000:]
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    stored = {row[0] for row in con.execute("SELECT url FROM articles WHERE site = ?", [SITE])}
    assert stored == {e["url"] for e in expected if e["site"] == SITE}
    runs = con.execute("SELECT site, status, articles_new, finished_at, message FROM crawl_runs").fetchall()
    assert len(runs) == 1
    site, status, new, finished, message = runs[0]
    assert (site, status, new, message) == (SITE, "ok", len(stored), None) and finished
    toml = load_site(SITES_DIR / f"{SITE}.toml")
    assert con.execute("SELECT id, name, province, city, kind FROM sites").fetchall() == [
        (toml.id, toml.name, toml.province, toml.city, toml.kind)]
    con.close()
    # nothing written into Scrapyd's own folder but its own queue (dbs/)
    assert [p.name for p in daemon.dir.rglob("*.db*") if p.parent.name != "dbs"] == []


def test_jobs_that_cannot_run_say_why_in_one_line_and_fetch_nothing(deployed, mirror):
    daemon, _, work = deployed
    held = work / "held" / "news.db"
    fetched = len(mirror.log.snapshot())
    with crawl_lock(held):  # as a running `provnews crawl` would
        jobs = {
            # no PROVNEWS_SITES_DIR: the site files shipped inside the zipped egg are read
            "bad_site": daemon.schedule("nope", PROVNEWS_DB=str(work / "x.db")),
            "no_site": daemon.schedule(None, PROVNEWS_DB=str(work / "x.db")),
            "relative_db": daemon.schedule(SITE, PROVNEWS_DB="relative.db", PROVNEWS_SITES_DIR=str(SITES_DIR),
                                           PROVNEWS_PROXY=mirror.url),
            "locked": daemon.schedule(SITE, PROVNEWS_DB=str(held), PROVNEWS_SITES_DIR=str(SITES_DIR),
                                      PROVNEWS_PROXY=mirror.url),
            "bad_setting": daemon.schedule(SITE, PROVNEWS_DB=str(work / "y.db"), PROVNEWS_SITES_DIR=str(SITES_DIR),
                                           PROVNEWS_PROXY=mirror.url, PROVNEWS_SITE_LINES_REFRESH="abc"),
        }
        daemon.wait(*jobs.values())
    logs = {reason: daemon.log(job) for reason, job in jobs.items()}
    for reason, log in logs.items():
        errors = [line for line in log.splitlines() if " ERROR: " in line]
        assert len(errors) == 1 and "Traceback" not in log, log[-3000:]
        assert f"Spider closed ({reason})" in log
    assert "no site 'nope' (known: " in logs["bad_site"] and "km-gov" in logs["bad_site"]
    assert "needs a site: -a site=ID" in logs["no_site"] and "yn-gov" in logs["no_site"]
    assert "PROVNEWS_DB 'relative.db' is relative" in logs["relative_db"]
    assert not list(daemon.dir.glob("**/relative.db*"))
    assert "PROVNEWS_SITE_LINES_REFRESH must be a number, not 'abc'" in logs["bad_setting"]
    assert not (work / "x.db").exists() and not (work / "y.db").exists()  # refused before any database was opened
    con = sqlite3.connect(f"file:{held}?mode=ro", uri=True)
    runs = con.execute("SELECT site, status, pages_fetched, message FROM crawl_runs").fetchall()
    con.close()
    assert len(runs) == 1 and runs[0][:3] == (SITE, "failed", 0) and runs[0][3].startswith("locked: ")
    assert len(mirror.log.snapshot()) == fetched  # not one request
