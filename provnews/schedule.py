"""`provnews schedule`: the crontab lines or the systemd service + timer for this install.

A wake-up interval becomes the exact set of times of day it stands for (90m: 00:00, 01:30, 03:00,
…), grouped by minute, one crontab line (or one OnCalendar=) per group: cron's `*/90` does not
exist and `0 */1` is hourly, so the obvious one-liner would be wrong. An interval that does not
divide a day (7m, 5h, 2d) has no exact cron or calendar form and is refused. The timer uses
OnCalendar=, so Persistent=true catches up a wake-up missed while the machine was off.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from crawler.settings import PROVNEWS_DB

DAY = 24 * 60
UNIT = "provnews-crawl"


class NoExactSchedule(ValueError):
    """The interval does not divide a day: cron and OnCalendar cannot express it exactly."""


def day_groups(minutes: int) -> list[tuple[int, list[int]]]:
    """[(minute of the hour, [hours])] of the wake-ups in one day, every `minutes` from 00:00."""
    if minutes < 1 or DAY % minutes:
        raise NoExactSchedule(f"every {minutes} minutes does not divide a day, so cron and systemd "
                              "calendars cannot wake at that interval exactly; use one that does (5m, "
                              "10m, 15m, 20m, 30m, 1h, 90m, 2h, 3h, 4h, 6h, 8h, 12h, 1d): each site "
                              "still waits for its own `every`")
    groups: dict[int, list[int]] = {}
    for t in range(0, DAY, minutes):
        groups.setdefault(t % 60, []).append(t // 60)
    return sorted(groups.items(), key=lambda g: (g[1][0], g[0]))


def _hours(hours: list[int], cron: bool) -> str:
    """A list of hours as a cron field or a calendar hour spec: every hour, a/k steps, or a list."""
    if hours == list(range(24)):
        return "*"
    step = hours[1] - hours[0] if len(hours) > 1 else 24
    if len(hours) > 1 and hours == list(range(hours[0], 24, step)):
        if cron:
            return f"*/{step}" if hours[0] == 0 else f"{hours[0]}-23/{step}"
        return f"{hours[0]:02d}/{step}"
    return ",".join(f"{h}" if cron else f"{h:02d}" for h in hours)


def cron_lines(minutes: int) -> list[str]:
    """The crontab time fields (minute hour dom month dow), one line per minute group."""
    if minutes < 60 and 60 % minutes == 0:
        return ["* * * * *" if minutes == 1 else f"*/{minutes} * * * *"]
    return [f"{minute} {_hours(hours, True)} * * *" for minute, hours in day_groups(minutes)]


def calendar_specs(minutes: int) -> list[str]:
    """systemd OnCalendar= values, one per minute group."""
    if minutes < 60 and 60 % minutes == 0:
        return [f"*-*-* *:00/{minutes}:00"]
    return [f"*-*-* {_hours(hours, False)}:{minute:02d}:00" for minute, hours in day_groups(minutes)]


def units(command: str, workdir: Path, log_path: Path, every: str, minutes: int) -> dict[str, str]:
    """{file name: text} of the service and its timer."""
    calendars = "\n".join(f"OnCalendar={c}" for c in calendar_specs(minutes))
    return {
        f"{UNIT}.service": f"""[Unit]
Description=provnews: crawl the sites that are due
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
WorkingDirectory={workdir}
ExecStart={command}
StandardOutput=append:{log_path}
StandardError=append:{log_path}
# 75 = another crawl holds the database: not a failure of this start
SuccessExitStatus=75
""",
        f"{UNIT}.timer": f"""[Unit]
Description=provnews: wake every {every}

[Timer]
{calendars}
# a wake-up missed while the machine was off runs at boot
Persistent=true
Unit={UNIT}.service

[Install]
WantedBy=timers.target
""",
    }


@click.command()
@click.option("--cron", "fmt", flag_value="cron", default=True, help="Print crontab lines (default).")
@click.option("--systemd", "fmt", flag_value="systemd", help="A systemd service and timer (OnCalendar=).")
@click.option("--db", "db", default=PROVNEWS_DB, show_default=True, type=click.Path(), help="SQLite database file.")
@click.option("--every", default="15m", show_default=True,
              help="How often the scheduler wakes provnews (must divide a day: 15m, 90m, 2h, 1d); "
              "each site still waits for its own `every`.")
@click.option("--log", "log_file", default="data/provnews.log", show_default=True,
              help="Where the crawl's output goes.")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="With --systemd: write provnews-crawl.service and .timer into this directory "
              "(e.g. /etc/systemd/system) instead of printing them.")
def schedule(fmt, db, every, log_file, out_dir):
    """Print ready-to-install crontab lines, or write a systemd service + timer, for this install.

    The job runs `provnews crawl --due`: each wake-up crawls only the sites that are due, and a
    wake-up during a running crawl exits 75 at once instead of overlapping it.
    """
    from crawler.registry import parse_duration

    seconds = parse_duration(every)
    if not seconds or seconds < 60 or seconds % 60:
        raise click.UsageError("--every must be a whole number of minutes, at least 1m, e.g. 15m or 1h")
    if out_dir and fmt != "systemd":
        raise click.UsageError("--out is for --systemd (cron reads its lines from `crontab -e`)")
    try:
        day_groups(seconds // 60)
    except NoExactSchedule as e:
        raise click.UsageError(f"--every {every}: {e}") from None
    exe = Path(sys.argv[0]).resolve()
    command = f"{exe} crawl --due --db {Path(db).resolve()}" if exe.name == "provnews" else \
        f"{sys.executable} -m provnews.cli crawl --due --db {Path(db).resolve()}"
    workdir, log_path = Path.cwd().resolve(), Path(log_file).resolve()
    if fmt == "cron":
        click.echo(f"# provnews: crawl due sites every {every} (install with `crontab -e`)")
        for when in cron_lines(seconds // 60):
            click.echo(f"{when} cd {workdir} && {command} >> {log_path} 2>&1")
        return
    files = units(command, workdir, log_path, every, seconds // 60)
    if out_dir is None:
        for name, text in files.items():
            click.echo(f"# /etc/systemd/system/{name}\n{text}")
        click.echo(f"# then: systemctl daemon-reload && systemctl enable --now {UNIT}.timer")
        return
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (out / name).write_text(text, encoding="utf-8")
    except OSError as e:
        raise click.ClickException(f"cannot write units into {out}: {e.strerror}") from None
    click.echo(f"wrote {out / (UNIT + '.service')} and {out / (UNIT + '.timer')}\n"
               f"then: systemctl daemon-reload && systemctl enable --now {UNIT}.timer")
