"""What the screen shows is true: live counters on a terminal, whole values in logs, schedules
that wake when they say, serve that stops cleanly, a readable report, exports that open."""
from __future__ import annotations

import csv
import io
import os
import pty
import re
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from provnews.mirror import SITES_DIR, MirrorServer
from provnews.schedule import DAY, calendar_specs, cron_lines
from tests.conftest import ROOT, run_cli
from tests.test_browse import free_port, serving
from tests.test_incremental import wait_for

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")


@pytest.fixture
def db(crawled, tmp_path):
    path = tmp_path / "news.db"
    shutil.copy(crawled[0], path)
    return path


def run_in_pty(args: list[str], timeout: float = 180) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as its stdin, stdout and stderr; everything it drew."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "provnews.cli", *args], cwd=ROOT, env={**ENV, "TERM": "xterm"},
                            stdin=slave, stdout=slave, stderr=slave, close_fds=True)
    os.close(slave)
    out = bytearray()
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                raise AssertionError("no output from the command for too long")
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(master)
        proc.wait(timeout)
    return proc.returncode, out.decode("utf-8", "replace")


def test_the_live_crawl_display_counts_pages_on_a_terminal(tmp_path):
    slow = MirrorServer(delay=0.1).start_background()  # a crawl of seconds: the display redraws 10 times a second
    try:
        code, screen = run_in_pty(["crawl", "mirror-gov", "--sites", str(SITES_DIR), "--proxy", slow.url,
                                   "--db", str(tmp_path / "t.db")])
    finally:
        slow.shutdown()
    assert code == 0, screen[-2000:]
    counts = [int(n) for n in re.findall(r"pages\s+(\d+)\s+ok", ANSI.sub("", screen))]
    assert counts and max(counts) >= 1, ANSI.sub("", screen)[-1500:]  # it used to stay at "pages 0"


def test_piped_output_prints_whole_values(db):
    env = {k: v for k, v in ENV.items() if k != "COLUMNS"}
    for args in (["stats"], ["sql", "SELECT url, site FROM pages ORDER BY length(url) DESC, url LIMIT 3"]):
        proc = subprocess.run([sys.executable, "-m", "provnews.cli", *args, "--db", str(db)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0 and "…" not in proc.stdout, proc.stdout
    longest = [u for u, in sqlite3.connect(db).execute("SELECT url FROM pages ORDER BY length(url) DESC, url LIMIT 3")]
    assert all(u in proc.stdout for u in longest) and len(longest[0]) > 60, (longest, proc.stdout)
    for site in ("mirror-daily", "mirror-gov", "mirror-portal"):
        assert site in proc.stdout or site in subprocess.run(
            [sys.executable, "-m", "provnews.cli", "stats", "--db", str(db)], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=60).stdout


def test_crawl_due_with_nothing_due_says_so_and_succeeds(db, tmp_path):
    proc = run_cli("crawl", "--due", "--sites", str(SITES_DIR), "--db", str(db))
    assert proc.returncode == 0 and "nothing is due" in proc.stderr
    assert "error" not in (proc.stdout + proc.stderr).lower()
    typo = tmp_path / "new" / "news.db"
    proc = run_cli("crawl", "--due", "no-such-site", "--sites", str(SITES_DIR), "--db", str(typo))
    assert proc.returncode == 2 and "no site 'no-such-site'" in proc.stderr
    assert not (tmp_path / "new").exists()  # neither a database nor a lock file


def test_serve_stopped_with_sigterm_frees_its_port_and_its_temp_files(db, tmp_path):
    port, tmp = free_port(), tmp_path / "tmp"
    tmp.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "provnews.cli", "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, env={**ENV, "TMPDIR": str(tmp)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)

    try:
        wait_for(lambda: serving(port), timeout=60, step=0.2)
        assert any(tmp.iterdir())  # its metadata folder while it runs
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert not serving(port)  # nobody left serving on the port
    with socket.socket() as s:  # and nobody holding it: a new server can listen there
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen()
    assert list(tmp.iterdir()) == []


def test_serve_and_serve_mirror_on_a_busy_port_say_so_in_one_line(db):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        for args in (["serve-mirror", "--port", port], ["serve", "--db", str(db), "--port", port]):
            proc = run_cli(*args, timeout=60)
            lines = [line for line in proc.stderr.splitlines() if line.strip()]
            assert proc.returncode != 0 and len(lines) == 1 and "in use" in lines[0], proc.stderr


def wake_times(line: str) -> set[int]:
    """The minutes of a day a crontab line's minute and hour fields fire at."""
    def expand(field: str, top: int) -> set[int]:
        out: set[int] = set()
        for part in field.split(","):
            rng, _, step = part.partition("/")
            lo, hi = (0, top - 1) if rng == "*" else (int(rng.split("-")[0]), int(rng.split("-")[-1]) if "-" in rng
                                                      else (top - 1 if step else int(rng)))
            out |= set(range(lo, hi + 1, int(step or 1)))
        return out

    minute, hour, dom, month, dow = line.split()[:5]
    assert (dom, month, dow) == ("*", "*", "*")
    return {h * 60 + m for h in expand(hour, 24) for m in expand(minute, 60)}


@pytest.mark.parametrize("every,minutes", [("1m", 1), ("15m", 15), ("45m", 45), ("90m", 90), ("1h", 60),
                                           ("2h", 120), ("8h", 480), ("1d", 1440)])
def test_schedule_cron_wakes_exactly_every_interval(every, minutes):
    proc = run_cli("schedule", "--cron", "--every", every, check=True)
    lines = [line for line in proc.stdout.splitlines() if line and not line.startswith("#")]
    fired: set[int] = set()
    for line in lines:
        assert "crawl --due" in line
        fired |= wake_times(line)
    assert fired == set(range(0, DAY, minutes))
    assert [line.split(" cd ")[0] for line in lines] == cron_lines(minutes)


@pytest.mark.parametrize("every", ["7m", "5h", "2d", "30s"])
def test_schedule_refuses_intervals_cron_cannot_express(every):
    proc = run_cli("schedule", "--every", every)
    assert proc.returncode == 2 and "--every" in proc.stderr


@pytest.mark.parametrize("every,minutes", [("15m", 15), ("90m", 90), ("1d", 1440)])
def test_schedule_systemd_writes_a_service_and_a_calendar_timer(tmp_path, every, minutes):
    proc = run_cli("schedule", "--systemd", "--every", every, "--out", str(tmp_path), check=True)
    service, timer = tmp_path / "provnews-crawl.service", tmp_path / "provnews-crawl.timer"
    assert sorted(p.name for p in tmp_path.iterdir()) == [service.name, timer.name] and str(timer) in proc.stdout
    text = timer.read_text("utf-8")
    assert "Persistent=true" in text and "OnUnitActiveSec" not in text
    assert re.findall(r"^OnCalendar=(.+)$", text, re.M) == calendar_specs(minutes)
    assert "crawl --due" in service.read_text("utf-8")
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: the unit files were not verified")
    check = subprocess.run([analyze, "verify", str(timer), str(service)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stderr
    # the calendar fires exactly every interval over a day
    fired = set()
    for spec in calendar_specs(minutes):
        out = subprocess.run([analyze, "calendar", "--iterations", str(DAY // minutes + 1), spec,
                              "--base-time", "2030-01-01 00:00:00 UTC"], capture_output=True, text=True,
                             timeout=60, env={**os.environ, "TZ": "UTC"})
        assert out.returncode == 0, out.stderr
        for hh, mm in re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ 2030-01-01 (\d\d):(\d\d):00", out.stdout):
            fired.add(int(hh) * 60 + int(mm))
    assert fired >= set(range(minutes, DAY, minutes))


def test_report_shows_a_window_with_its_year_scale_name_and_totals(db, tmp_path):
    con = sqlite3.connect(db)
    with con:  # five years of older articles: the chart must not grow with them
        con.executemany("INSERT INTO articles (url, site, title, body, body_chars, published_at, fetched_at) "
                        "VALUES (?, 'mirror-gov', 't', 'b', 1, ?, '2024-06-01T00:00:00+00:00')",
                        [(f"http://old.test/{i}", f"{2019 + i % 5}-{1 + i % 12:02d}-{1 + i % 28:02d}T08:00:00+08:00")
                         for i in range(1500)])
    out = tmp_path / "r.html"
    run_cli("report", "--db", str(db), "--out", str(out), check=True)
    html = out.read_text("utf-8")
    chart = html.split('<div id="per-day">')[1].split("</div>")[0]
    assert int(re.search(r'<svg width="(\d+)"', chart).group(1)) <= 1000
    assert "2024-" in " ".join(re.findall(r"class=\"axis-date\">([^<]+)<", chart))  # the year is on the axis
    assert re.search(r'text-anchor="end">\d+</text>', chart)  # a value scale
    total = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert "news.db" in html and "generated 20" in html and f"{total} articles" in html


def test_csv_bom_for_excel(db, tmp_path):
    out = tmp_path / "a.csv"
    run_cli("export", "--db", str(db), "--format", "csv", "--bom", "--out", str(out), check=True)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "url" and len(rows) == 44
    plain = run_cli("export", "--db", str(db), "--format", "csv", check=True).stdout
    assert not plain.startswith("\ufeff")
    assert run_cli("export", "--db", str(db), "--bom").returncode == 2  # --bom is for csv


def test_next_steps_name_a_provnews_that_runs_without_an_activated_venv(tmp_path):
    readme = Path(ROOT / "README.md").read_text("utf-8")
    quick = readme.split("## Quick start")[1].split("## Command line")[0]
    assert ".venv/bin/provnews" in quick and "source .venv/bin/activate" in quick
    # the demo's own hints: PATH without the venv, as after `make demo` in a fresh shell
    probe = subprocess.run([sys.executable, "-c", "from provnews.cli.base import provnews_command; print(provnews_command())"],
                           cwd=ROOT, env={**ENV, "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60)
    command = probe.stdout.strip()
    assert command != "provnews", command
    version = subprocess.run(f"{command} --version", shell=True, cwd=ROOT, env={**ENV, "PATH": "/usr/bin:/bin"},
                             capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and "provnews" in version.stdout, version.stderr


def test_piped_sites_table_prints_whole_names():
    """`provnews sites | grep …` from a cron job or a pipe: names and ids are never cut to 80 columns."""
    from crawler.registry import load_registry

    env = {k: v for k, v in ENV.items() if k != "COLUMNS"}
    proc = subprocess.run([sys.executable, "-m", "provnews.cli", "sites"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "…" not in proc.stdout
    for site in load_registry(None).sites.values():
        assert site.id in proc.stdout and site.name in proc.stdout, site.id
