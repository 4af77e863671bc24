"""crawl_runs and sites: the one module that writes them, and the one place a run's status is decided.

A single-machine crawl opens a run when its spider opens, closes it from the crawl's Scrapy stats
when it closes, and the runner settles it once the reactor has stopped (a second Ctrl-C stops the
reactor before the spider closes: that run is *interrupted*, never ok). A shared crawl's writer
keeps one run per site and round, counts each page it stores into it and folds in each crawler
node's end-of-round report. A job that found the database locked leaves a failed run saying why.
The ``sites`` table mirrors the registry (names, provinces) for SQL and browsing.

Statuses: running, ok, failed, interrupted.
"""
from __future__ import annotations

from typing import Iterable

import sqlite_utils

from pipelines.page import utc_now_iso

INTERRUPTED = "stopped before the end (Ctrl-C or SIGTERM); the next crawl resumes its frontier"
COUNTERS = ("pages_fetched", "articles_new", "articles_updated", "errors")
_ZERO = dict.fromkeys(COUNTERS, 0)


# --- sites -------------------------------------------------------------------------------------------
def site_row(site) -> dict:
    """The sites row of a registry Site (crawler/registry.py)."""
    return {"id": site.id, "name": site.name, "province": site.province, "city": site.city,
            "kind": site.kind, "verified": int(site.verified)}


def record_sites(db: sqlite_utils.Database, sites: Iterable) -> None:
    """Keep the sites table in step with the registry, in one transaction."""
    rows = [site_row(s) for s in sites]
    if rows:
        with db.conn:
            db["sites"].upsert_all(rows, pk="id")


# --- what a run's status is -----------------------------------------------------------------------
def run_outcome(stats: dict) -> dict:
    """A site run's crawl_runs figures and status, from the Scrapy stats of its crawl."""
    errors = stats.get("provnews/articles_error", 0) + stats.get("provnews/list_errors", 0)
    reason = stats.get("finish_reason", "")
    status, message = "ok", None
    if reason and reason != "finished":
        status, message = "failed", f"crawl ended: {reason}"
    elif stats.get("provnews/list_pages", 0) + stats.get("provnews/list_not_modified", 0) == 0:
        status, message = "failed", "no list page, feed or sitemap could be read"
    return {
        "status": status, "message": message, "errors": errors,
        "pages_fetched": stats.get("provnews/pages_fetched", 0),
        "articles_new": stats.get("provnews/articles_new", 0),
        "articles_updated": stats.get("provnews/articles_updated", 0),
    }


def node_finished(reason: str, service: bool = False) -> bool:
    """A shared crawl's node ended its part normally: finished, or a service node (no idle exit)
    stopped by SIGTERM/SIGINT ("shutdown")."""
    return reason == "finished" or (service and reason == "shutdown")


# --- a single-machine run ---------------------------------------------------------------------------
def open_run(db: sqlite_utils.Database, site_id: str) -> int:
    """A new run, running, with every counter at zero; returns its id."""
    return db["crawl_runs"].insert({"site": site_id, "started_at": utc_now_iso(), "status": "running",
                                    **_ZERO}).last_pk


def close_run(db: sqlite_utils.Database, run_id: int, stats: dict) -> None:
    """The spider closed: finish_reason is set only after pipelines close, so a run that gets here
    finished its crawl."""
    stats = {"finish_reason": "finished", **stats}
    db["crawl_runs"].update(run_id, {"finished_at": utc_now_iso(), **run_outcome(stats)})


def settle_run(db: sqlite_utils.Database, run_id: int | None, stats: dict) -> dict | None:
    """After the reactor stopped: the run's final outcome (run_outcome's keys), recorded; None when
    the crawl never opened a run. A run still running, or stopped by a shutdown, is interrupted."""
    row = db["crawl_runs"].get(run_id) if run_id else None
    if row is None:
        return None
    outcome = run_outcome(stats)  # finish_reason is known now
    update = {"status": outcome["status"], "message": outcome["message"]}
    if row["status"] == "running" or stats.get("finish_reason") in (None, "shutdown"):
        # a second Ctrl-C stops the reactor before the spider closes: the store never recorded
        # the run's end, and it must not count as a success for --due
        update = {"status": "interrupted", "message": INTERRUPTED,
                  "finished_at": row["finished_at"] or utc_now_iso(), **{k: outcome[k] for k in COUNTERS}}
        outcome.update(update)
    if update["status"] != row["status"] or "finished_at" in update:
        db["crawl_runs"].update(run_id, update)
    return outcome


def record_locked(db: sqlite_utils.Database, site_id: str, why: str) -> None:
    """A job that found the database locked leaves a finished, failed run saying why."""
    now = utc_now_iso()
    with db.conn:
        db["crawl_runs"].insert({"site": site_id, "started_at": now, "finished_at": now, "status": "failed",
                                 **_ZERO, "message": f"locked: {why}"})


def close_interrupted_runs(db: sqlite_utils.Database) -> int:
    """Runs still marked running belong to a crawl that died (the caller holds the lock)."""
    with db.conn:
        return db.execute("UPDATE crawl_runs SET status = 'interrupted', finished_at = ? "
                          "WHERE status = 'running'", [utc_now_iso()]).rowcount


def last_ok_start(db: sqlite_utils.Database, site_id: str) -> str | None:
    """When the site's latest successful run started (ISO), or None."""
    row = db.execute("SELECT max(started_at) FROM crawl_runs WHERE site = ? AND status = 'ok'",
                     [site_id]).fetchone()
    return row[0] if row else None


# --- a shared crawl's round ---------------------------------------------------------------------------
def round_run(db: sqlite_utils.Database, site: str, round_id: str, started_at: str | None) -> int:
    """The run of a site's round, opened on its first page or report (caller holds the transaction)."""
    row = db.execute("SELECT id FROM crawl_runs WHERE site = ? AND round = ?", [site, round_id]).fetchone()
    if row:
        return row[0]
    # a site's new round means its earlier ones are over (service nodes never say so)
    db.execute("UPDATE crawl_runs SET status = 'ok', finished_at = coalesce(finished_at, ?) "
               "WHERE site = ? AND round IS NOT NULL AND status = 'running'", [utc_now_iso(), site])
    return db["crawl_runs"].insert({"site": site, "round": round_id, "started_at": started_at,
                                    "status": "running", **_ZERO, "nodes": 0}).last_pk


def tally_page(db: sqlite_utils.Database, site: str, round_id: str, fetched_at: str | None,
               outcome: str) -> None:
    """Add one stored page (its store outcome) to its site and round's run."""
    with db.conn:
        run_id = round_run(db, site, round_id, fetched_at)
        db.execute("UPDATE crawl_runs SET pages_fetched = pages_fetched + 1, "
                   "articles_new = articles_new + ?, articles_updated = articles_updated + ?, "
                   "errors = errors + ? WHERE id = ?",
                   [outcome == "new", outcome == "updated", outcome == "error", run_id])


def fold_node_report(db: sqlite_utils.Database, rec: dict) -> None:
    """A crawler node finished its part of a round (crawler/shared_node.py's report): fold it into
    the round's run. One failed node fails the round."""
    ok = node_finished(rec["reason"], bool(rec.get("service")))
    with db.conn:
        run_id = round_run(db, rec["site"], rec["round"], rec["started_at"])
        old = db["crawl_runs"].get(run_id)
        status = "failed" if (not ok or old["status"] == "failed") else "ok"
        message = old["message"] if ok else f"node {rec['node']}: crawl ended: {rec['reason']}"
        db["crawl_runs"].update(run_id, {
            "finished_at": rec["finished_at"], "status": status, "message": message,
            "nodes": (old["nodes"] or 0) + 1,
            "errors": (old["errors"] or 0) + rec.get("list_errors", 0),
            "started_at": min(filter(None, [old["started_at"], rec["started_at"]])),
        })
