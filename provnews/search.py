"""Ranked full-text search over articles (FTS5 + bigram index, see pipelines/fulltext.py)."""
from __future__ import annotations

from pipelines.fulltext import match_expression, snippet
from pipelines.schema import filters

# bm25 weights per FTS column: title_bi, body_bi, title_uni, body_uni
WEIGHTS = "10.0, 1.0, 10.0, 1.0"
# A query matching more rows than this is ranked among its most recent matches only: scoring every
# match of a very common term (a city name, one character) costs ~50 ms at 100,000 articles, and
# for news the newest matches are the ones people look for. Rarer queries are ranked in full.
RANK_WINDOW = 2000


def search(db, query: str, site: str | None = None, since: str | None = None, limit: int = 20) -> list[dict]:
    """[{url, title, site, published_at, snippet, rank}], best first (lower bm25 rank is better)."""
    expr = match_expression(query)
    if not expr:
        return []
    conds, params = filters(site, since, alias="a")
    if conds:  # filters apply before the limit: rank the matching rows that pass them
        sql = (f"SELECT a.url, a.title, a.site, a.published_at, a.body, bm25(articles_fts, {WEIGHTS}) AS rank "
               f"FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
               f"WHERE articles_fts MATCH ? AND {' AND '.join(conds)} ORDER BY rank LIMIT ?")
    else:  # rank inside the index first, then fetch only the top rows (bodies are large)
        floor = db.execute("SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid DESC "
                           "LIMIT 1 OFFSET ?", [expr, RANK_WINDOW - 1]).fetchone()
        params = [floor[0] if floor else 0]
        sql = (f"SELECT a.url, a.title, a.site, a.published_at, a.body, f.rank FROM "
               f"(SELECT rowid, bm25(articles_fts, {WEIGHTS}) AS rank FROM articles_fts "
               f"WHERE articles_fts MATCH ? AND rowid >= ? ORDER BY rank LIMIT ?) f "
               f"JOIN articles a ON a.rowid = f.rowid ORDER BY f.rank")
    rows = db.execute(sql, [expr, *params, limit]).fetchall()
    return [{"url": url, "title": title, "site": site_id, "published_at": published,
             "snippet": snippet(body or title or "", query), "rank": round(rank, 4)}
            for url, title, site_id, published, body, rank in rows]
