"""Ranked full-text search over articles (FTS5 + bigram index, see pipelines/fulltext.py).

Order: bm25 (titles weigh more than bodies), then the newest first. bm25 is rounded before the
tie-break: a term found in most articles scores about zero for every hit, and then recency is the
only useful order. Syndicated copies of one story (same cluster_id) fold into one hit, shown as
the earliest copy that matched, with the number and sites of the other copies.
"""
from __future__ import annotations

import re
import unicodedata

from pipelines.fulltext import CJK, CJK_RE, RUN_RE, match_expression, snippet
from pipelines.schema import filters
from crawler.settings import PROVNEWS_SEARCH_RANK_WINDOW, PROVNEWS_SEARCH_WEIGHTS

# bm25 weights per FTS column and the ranking window: crawler/settings.py says why. For news the
# newest matches of a very common term are the ones people look for; rarer queries rank in full.
WEIGHTS = ", ".join(str(w) for w in PROVNEWS_SEARCH_WEIGHTS)
RANK_WINDOW = PROVNEWS_SEARCH_RANK_WINDOW
ORDER = "round(rank, 2), coalesce(a.published_at, a.fetched_at) DESC"
WORD = rf"[^\W_{CJK}]"  # a letter or digit that is not Chinese: Latin words and numbers match whole
FOLD_EXTRA = 5  # with folding, read this many times the limit: copies make room for other stories


def search(db, query: str, site: str | None = None, since: str | None = None, limit: int = 20,
           fold: bool = False) -> list[dict]:
    """[{url, title, site, published_at, snippet, rank, copies, copy_sites}], best first (lower
    bm25 rank is better). With fold, syndicated copies are one hit (copies = how many others)."""
    expr = match_expression(query)
    if not expr:
        return []
    fetch = min(limit * FOLD_EXTRA, RANK_WINDOW) if fold else limit
    cols = "a.url, a.title, a.site, a.published_at, a.body, a.cluster_id, rank"
    conds, params = filters(site, since, alias="a")
    if conds:  # filters apply before the limit: rank the matching rows that pass them
        sql = (f"SELECT {cols} FROM (SELECT rowid, bm25(articles_fts, {WEIGHTS}) AS rank FROM articles_fts "
               f"WHERE articles_fts MATCH ?) f JOIN articles a ON a.rowid = f.rowid "
               f"WHERE {' AND '.join(conds)} ORDER BY {ORDER} LIMIT ?")
    else:  # rank inside the index first, then fetch only the top rows (bodies are large)
        floor = db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC "
                           "LIMIT 1 OFFSET ?", [expr, RANK_WINDOW - 1]).fetchone()
        params = [floor[0] if floor else 0]
        sql = (f"SELECT {cols} FROM "
               f"(SELECT rowid, bm25(articles_fts, {WEIGHTS}) AS rank FROM articles_fts "
               f"WHERE articles_fts MATCH ? AND rowid >= ?) f "
               f"JOIN articles a ON a.rowid = f.rowid ORDER BY {ORDER} LIMIT ?")
    rows = db.execute(sql, [expr, *params, fetch]).fetchall()
    exact = _mixed_pieces(query)
    if exact:
        rows = [r for r in rows if _holds(exact, r[1], r[4])]
    hits = [{"url": url, "title": title, "site": site_id, "published_at": published,
             "snippet": snippet(body or title or "", query), "rank": round(rank, 4), "cluster": cluster,
             "copies": 0, "copy_sites": []}
            for url, title, site_id, published, body, cluster, rank in rows]
    if fold:
        hits = _fold(hits)
    for h in hits:
        del h["cluster"]
    return hits[:limit]


def _mixed_pieces(query: str) -> list[re.Pattern]:
    """The query's pieces that mix scripts (6号线), as patterns of the exact text: the index sees
    `G20 峰会` and `G20峰会` alike, the user asked for the latter. A number or Latin word at either
    end matches whole (8日 is not found inside 18日), as in the index."""
    text = unicodedata.normalize("NFKC", query or "").lower()
    pieces, start, end, runs = [], None, -1, 0
    for m in RUN_RE.finditer(text):
        if m.start() != end:
            if runs > 1:
                pieces.append(text[start:end])
            start, runs = m.start(), 0
        runs, end = runs + 1, m.end()
    if runs > 1:
        pieces.append(text[start:end])
    return [re.compile((f"(?<!{WORD})" if not CJK_RE.match(p[0]) else "") + re.escape(p)
                       + (f"(?!{WORD})" if not CJK_RE.match(p[-1]) else "")) for p in pieces]


def _holds(patterns: list[re.Pattern], title: str | None, body: str | None) -> bool:
    text = unicodedata.normalize("NFKC", f"{title or ''}\n{body or ''}").lower()
    return all(p.search(text) for p in patterns)


def _fold(hits: list[dict]) -> list[dict]:
    """One hit per story, at the place of its best-ranked copy, showing its earliest copy."""
    groups: dict[str, list[dict]] = {}
    for h in hits:
        groups.setdefault(h["cluster"] or h["url"], []).append(h)
    out = []
    for key, members in groups.items():
        shown = next((m for m in members if m["url"] == key),
                     min(members, key=lambda m: (m["published_at"] or "9999", m["url"])))
        others = [m for m in members if m is not shown]
        out.append({**shown, "copies": len(others), "copy_sites": sorted({m["site"] for m in others})})
    return out
