"""Choosing the publication date among a page's candidates, and the stage's entry points.

Rules, in order:
1. Publication over modification; dates merely found in the text ("text") and clock times alone
   ("clock") date a page only when nothing else does (after htmldate's fallback guess).
2. Agreement with the URL date: candidates of the URL's day are preferred.
3. Source priority: JSON-LD, meta, visible line, URL, list page / feed / sitemap.
4. Government-CMS regeneration: a meta date (PubDate, others) more than a day away from a
   labelled visible publication date (发布日期/发布时间 line or open-information table cell)
   loses to it, unless the URL agrees with the meta date (rule 2 already kept only those).
5. Printed time over meta time: when a visible date line gives the winner's day with a time, the
   printed time is kept (portals' article:published_time is often a later edit).
6. A day-precision winner takes the time of day of another candidate of the same day.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from pipelines.dates.clock import PRECISIONS
from pipelines.dates.normalise import CST, format_iso, normalize_date

SOURCE_RANK = {"jsonld": 0, "meta": 1, "visible": 2, "url": 3, "feed": 4, "sitemap": 4, "listpage": 4,
               "text": 5, "fallback": 6, "clock": 7}
PUBLIC_SOURCE = {"text": "visible", "clock": "visible"}  # both are printed on the page
WEAK = ("text", "clock")


def _finer(a: dict, b: dict) -> bool:
    return PRECISIONS.index(a["precision"]) > PRECISIONS.index(b["precision"])


def choose(cands: list[dict], fallback=None) -> dict | None:
    """The publication date among ``cands`` (see the module docstring for the rules)."""
    primary = [c for c in cands if c["source"] not in WEAK]
    weak = [c for c in cands if c["source"] == "text"]
    pool = [c for c in primary if c["kind"] == "published"] or primary
    if not pool:
        guess = fallback() if fallback else None
        if guess is not None:
            pool = [guess]
        elif weak:
            timed = [c for c in weak if PRECISIONS.index(c["precision"]) >= PRECISIONS.index("minute")]
            return (timed or weak)[0]
        else:
            return next((c for c in cands if c["source"] == "clock"), None)
    url_c = next((c for c in pool if c["source"] == "url"), None)
    if url_c:
        agree = [c for c in pool if c["dt"].date() == url_c["dt"].date()]
        if agree:
            pool = agree
    pool = sorted(pool, key=lambda c: SOURCE_RANK[c["source"]])
    best = pool[0]
    if best["source"] == "meta":
        shown = next((c for c in pool if c["labelled"] and c["source"] == "visible"), None)
        if shown and abs(shown["dt"] - best["dt"]) > timedelta(days=1):
            best = shown
    if best["source"] in ("meta", "jsonld") and PRECISIONS.index(best["precision"]) >= PRECISIONS.index("minute"):
        printed = next((c for c in pool if c["source"] == "visible" and c["dt"].date() == best["dt"].date()
                        and PRECISIONS.index(c["precision"]) >= PRECISIONS.index("minute")
                        and c["dt"].replace(second=0) != best["dt"].replace(second=0)), None)
        if printed:
            return printed
    if PRECISIONS.index(best["precision"]) < PRECISIONS.index("minute"):
        for c in pool + weak:
            if c is not best and c["dt"].date() == best["dt"].date() and _finer(c, best):
                return c
    return best


def _fallback(tree, url: str, base: datetime) -> dict | None:
    """htmldate's guess when the page offers nothing we read: a fallback, never the authority."""
    try:
        from htmldate import find_date
    except ImportError:
        return None
    try:
        found = find_date(tree, url=url or None, original_date=True, extensive_search=False,
                          outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - a guesser failing is no reason to fail the page
        return None
    if not found:
        return None
    dt, prec = normalize_date(found, base)
    if dt is None:
        return None
    return {"dt": dt, "precision": prec, "source": "fallback", "kind": "published", "text": found,
            "labelled": False}


def parse_iso(value: str) -> datetime:
    """An ISO 8601 time; a naive one is China Standard Time (as every naive page time is)."""
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return dt if dt.tzinfo else dt.replace(tzinfo=CST)


def find_published(tree, url: str, fetched_at: str | datetime | None, list_hint: dict | None = None,
                   rules: dict | None = None, use_fallback: bool = True, title: str = "",
                   normalizer=None, text: str | None = None) -> dict:
    """{"published_at", "published_precision", "published_source"} (values None when no date).

    ``text``: the body's text, spaces collapsed, if the caller has it already (see
    collect_candidates)."""
    from pipelines.dates.candidates import collect_candidates

    base = parse_iso(fetched_at) if isinstance(fetched_at, str) else (fetched_at or datetime.now(CST))
    cands = collect_candidates(tree, url, base, list_hint, (rules or {}).get("date_xpaths"), title,
                               normalizer, text)
    guess = (lambda: _fallback(tree, url, base)) if use_fallback and tree is not None else None
    best = choose(cands, guess)
    if best is None:
        return {"published_at": None, "published_precision": None, "published_source": None}
    return {"published_at": format_iso(best["dt"], best["precision"]),
            "published_precision": best["precision"],
            "published_source": PUBLIC_SOURCE.get(best["source"], best["source"])}
