"""Re-run decode → extract → dates → dedup on stored raw pages, without fetching.

Pages stream from the database in batches by rowid (memory stays flat however many there are);
a process pool does the pure stages; the parent alone writes, one short transaction per batch,
through the same save_article the crawl uses. Unchanged articles are not written at all. When the
clustering rule has changed since the database's clusters were made (meta.cluster_rule), every
cluster is decided again at the end, once (pipelines/clusters.recluster_all), and the summary
counts the clusters split and joined.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from crawler import settings as defaults
from crawler.registry import load_registry
from pipelines import site_lines
from pipelines.clusters import recluster_all, rule_is_current
from pipelines.page import new_page
from pipelines.schema import filters
from pipelines.stage_pool import StagePool, default_jobs
from pipelines.store import article_row, connect, current_article, save_article, set_page_error

BATCH = 100


@dataclass
class Summary:
    processed: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    titles_changed: int = 0
    dates_changed: int = 0
    bodies_changed: int = 0
    newly_empty: int = 0
    errors: int = 0
    clusters_split: int = 0  # clusters re-evaluated under a new clustering rule: broken up
    clusters_joined: int = 0  # and formed
    error_samples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


# pages the crawl fetched as articles and found to hold a list or no story (crawler/learnt.py):
# their raw bytes are kept, but the stages alone would turn a 专题 index into an article
NOT_ARTICLES = "(p.error IS NULL OR (p.error NOT LIKE ? AND p.error NOT LIKE ?))"


def _selection(site: str | None, since: str | None, where: str | None) -> tuple[str, list]:
    from crawler.learnt import LIST_ERROR, OTHER_ERROR

    conds, params = filters(site, since, where, since_column="fetched_at", alias="p")
    return (" AND ".join(["p.body_size > 0", NOT_ARTICLES, *conds]),
            [LIST_ERROR + "%", OTHER_ERROR + "%", *params])


def count_pages(db_path: str, site=None, since=None, where=None) -> int:
    db = connect(db_path)
    cond, params = _selection(site, since, where)
    n = db.execute(f"SELECT count(*) FROM pages p WHERE {cond}", params).fetchone()[0]
    db.conn.close()
    return n


def iter_pages(db, site=None, since=None, where=None, batch: int = BATCH):
    """Stored pages as page dicts, a batch at a time (keyset pagination on rowid)."""
    cond, params = _selection(site, since, where)
    last = 0
    while True:
        rows = db.execute(
            f"SELECT p.rowid, p.url, p.final_url, p.site, p.status, p.headers, p.body, p.fetched_at, "
            f"p.list_hint, p.error FROM pages p WHERE {cond} AND p.rowid > ? ORDER BY p.rowid LIMIT ?",
            [*params, last, batch]).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        pages = []
        for _, url, final, site_id, status, headers, body, fetched, hint, error in rows:
            page = new_page(url, site=site_id, body=body, status=status, final_url=final,  # compressed
                            headers=json.loads(headers or "{}"), fetched_at=fetched,
                            list_hint=json.loads(hint) if hint else None)
            page["stored_error"] = error  # a processing error from before, cleared if it now succeeds
            page["_compressed"] = True  # inflated by the stage worker, so the parent only reads and writes
            pages.append(page)
        yield pages


def reingest(db_path: str, site: str | None = None, since: str | None = None, where: str | None = None,
             jobs: int | None = None, dry_run: bool = False, sites_dir: str | None = None,
             on_batch=None) -> Summary:
    from crawler.settings import PROVNEWS_SITES_DIR

    try:
        registry = load_registry(sites_dir or PROVNEWS_SITES_DIR)
        rules = {sid: s.rules() for sid, s in registry.sites.items()}
    except ValueError:
        rules = {}
    db = connect(db_path)
    _template_lines(db, rules, site, since, where, write=not dry_run)
    summary = Summary()
    pool = StagePool(jobs or default_jobs())
    try:
        # pipelined: batch N+1 is already with the workers while the parent writes batch N, so
        # neither side waits for the other (and no more than two batches are ever in memory)
        in_flight = None
        for pages in iter_pages(db, site, since, where):
            tasks = [(p, rules.get(p["site"], {})) for p in pages]
            submitted = pool.map(tasks, chunksize=4)
            if in_flight is not None:
                _flush(db, in_flight, summary, dry_run, on_batch)
            in_flight = submitted
        if in_flight is not None:
            _flush(db, in_flight, summary, dry_run, on_batch)
        if not dry_run and not rule_is_current(db):  # clusters made by an older rule: decide again
            summary.clusters_split, summary.clusters_joined = recluster_all(db)
    finally:
        pool.close()
        db.conn.close()
    return summary


def _template_lines(db, rules: dict, site, since, where, write: bool) -> None:
    """Recompute the template-line set of every site in the selection (pipelines/site_lines.py)
    before its pages are re-extracted, and hand it to the extract stage in its rules."""
    cond, params = _selection(site, since, where)
    for (sid,) in db.execute(f"SELECT DISTINCT p.site FROM pages p WHERE {cond}", params).fetchall():
        lines = site_lines.refresh(db, sid, site_lines.Limits.of(vars(defaults)), write=write)
        if lines:
            rules[sid] = {**rules.get(sid, {}), "template_lines": lines}


def _flush(db, results, summary: Summary, dry_run: bool, on_batch) -> None:
    results = list(results)
    _write(db, results, summary, dry_run)
    if on_batch:
        on_batch(len(results))


def _write(db, results: list[dict], summary: Summary, dry_run: bool) -> None:
    with db.conn:
        for page in results:
            summary.processed += 1
            old = current_article(db, page["url"])
            if page.get("error"):
                summary.errors += 1
                if len(summary.error_samples) < 5:
                    summary.error_samples.append(f"{page['url']}: {page['error']}")
                if not dry_run:
                    set_page_error(db, page["url"], page["error"])
                continue
            new = article_row(page)
            if old:
                summary.titles_changed += old["title"] != new["title"]
                summary.dates_changed += old["published_at"] != new["published_at"]
                summary.bodies_changed += old["body"] != new["body"]
                summary.newly_empty += bool(old["body"]) and not new["body"]
            if dry_run:
                outcome = "new" if old is None else ("unchanged" if old == new else "updated")
            else:
                if page.get("stored_error"):
                    set_page_error(db, page["url"], None)
                outcome = save_article(db, page, old)
            setattr(summary, outcome, getattr(summary, outcome) + 1)
