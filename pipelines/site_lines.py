"""The per-site template-line set: lines seen on most of a site's stored pages.

Pages of one site share their chrome: a banner above every story, a hotline, a follow-us line or
a slogan under it. No general rule knows those strings, but the site's own pages do. This module
reads a bounded sample of a site's latest stored pages (Limits.sample), takes each page's
visible text lines (the raw page, not the extracted body: computed from already-cleaned bodies
the set would drop lines it then no longer sees, and flip back next time), and keeps the lines
found on at least Limits.share of the pages and on at least Limits.min_pages of them.
A site with fewer sampled pages gets no set at all, so a small site loses nothing.

The set lives in the ``site_lines`` table; `provnews reingest` recomputes it for the sites it
re-extracts before their pages go through the stages, and the crawl recomputes it when a site's
crawl ends, if a tenth of its sample is new since (``stale``). The extract stage receives it as
``rules["template_lines"]`` and drops such a line only in the opening or closing run of a body
(pipelines/extract/lines.drop_template_lines), never in the middle of a story. `provnews extract` on a single page has no set and needs none.
"""
from __future__ import annotations

import json
from collections import Counter
from typing import NamedTuple

from pipelines.decode import apply_decode
from pipelines.extract.dom import block_lines, norm, parse_html
from pipelines.packing import decompress
from pipelines.page import utc_now_iso


def page_lines(html: str) -> set[str]:
    """A page's distinct visible text lines, whitespace removed (as body lines are compared)."""
    if not html:
        return set()
    tree = parse_html(html)
    root = tree.find(".//body")
    return {n for n in (norm(line) for line in block_lines(root if root is not None else tree)) if n}


class Limits(NamedTuple):
    """How the set is sampled (defaults: PROVNEWS_SITE_LINES_* in crawler/settings.py; the core
    takes them as arguments and imports no crawler)."""

    sample: int  # latest pages read per site
    share: float  # a line on at least this share of them is template
    min_pages: int  # ... and on at least this many; a site with fewer pages gets no set
    refresh: float  # a crawl recomputes the set once this share of its sample is new

    @classmethod
    def of(cls, settings) -> "Limits":
        """From Scrapy settings or any mapping of the PROVNEWS_SITE_LINES_* names; a value that is
        no number is a ValueError naming its setting."""
        values = []
        for field, kind in (("sample", int), ("share", float), ("min_pages", int), ("refresh", float)):
            name = f"PROVNEWS_SITE_LINES_{field.upper()}"
            try:
                values.append(kind(settings.get(name)))
            except (TypeError, ValueError):
                raise ValueError(f"{name} must be {'a whole number' if kind is int else 'a number'}, "
                                 f"not {settings.get(name)!r}") from None
        return cls(*values)


SAMPLED = "site = ? AND body_size > 0 AND (status IS NULL OR status < 400)"  # the pages a set reads


def compute(db, site: str, limits: Limits) -> dict[str, int]:
    """line → number of sampled pages carrying it, for the lines on most of ``site``'s pages;
    empty when the site has fewer than ``limits.min_pages`` stored pages."""
    rows = db.execute(f"SELECT body, headers FROM pages WHERE {SAMPLED} ORDER BY fetched_at DESC LIMIT ?",
                      [site, limits.sample]).fetchall()
    if len(rows) < limits.min_pages:
        return {}
    counts: Counter[str] = Counter()
    for body, headers in rows:
        page = {"body": decompress(body), "headers": json.loads(headers or "{}")}
        try:
            apply_decode(page)
            counts.update(page_lines(page["html"]))
        except Exception:  # noqa: BLE001 - an undecodable page only leaves the sample
            continue
    need = max(limits.min_pages, limits.share * len(rows))
    return {line: n for line, n in counts.items() if n >= need}


def stale(db, site: str, limits: Limits) -> bool:
    """True when ``site``'s stored set may have moved: none is stored (never computed, or the
    site was too small), or at least ``limits.refresh`` of its sample (its latest pages, at most
    ``limits.sample``) was fetched after the set was computed. Both counts stop at the sample
    size, so this reads at most two index ranges of ``limits.sample`` rows."""
    row = db.execute("SELECT max(updated_at) FROM site_lines WHERE site = ?", [site]).fetchone()
    if not row or row[0] is None:
        return True
    bounded = "SELECT count(*) FROM (SELECT 1 FROM pages WHERE {} LIMIT ?)"
    sampled = db.execute(bounded.format(SAMPLED), [site, limits.sample]).fetchone()[0]
    # both in utc_now_iso's form; a set stored before it took that form ("…Z") compares alike but
    # within its own second, where the pages were fetched before the set anyway
    newer = db.execute(bounded.format(SAMPLED + " AND fetched_at > ?"),
                       [site, row[0], limits.sample]).fetchone()[0]
    return newer >= max(1, limits.refresh * sampled)


def refresh(db, site: str, limits: Limits, write: bool = True) -> frozenset[str]:
    """Recompute ``site``'s set, replace its rows in site_lines (unless ``write`` is false) and
    return it as the extract stage wants it."""
    lines = compute(db, site, limits)
    if write:
        now = utc_now_iso()
        with db.conn:
            db.execute("DELETE FROM site_lines WHERE site = ?", [site])
            db["site_lines"].insert_all(({"site": site, "line": line, "pages": n, "updated_at": now}
                                         for line, n in lines.items()), pk=("site", "line"))
    return frozenset(lines)


def load(db, site: str) -> frozenset[str]:
    """The stored set of ``site`` (empty when never computed or the site is small)."""
    return frozenset(r[0] for r in db.execute("SELECT line FROM site_lines WHERE site = ?", [site]).fetchall())
