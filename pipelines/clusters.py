"""Syndication clusters: which stored articles are one story, and which copy is the original.

A new article's candidates are the articles sharing one of its MinHash LSH bands (an indexed
lookup, never an all-pairs scan); those above SAME_STORY estimated similarity are *near*, and a near
candidate joins the article's cluster only once pipelines/samestory.py confirms it on the
distinguishing content (templated notices are near one another and are different documents). The
earliest published copy is the cluster's original (``cluster_id``); every later copy points at it
(``duplicate_of``) and drops out of ``latest_articles``.

The work per article is bounded whatever the site: at most CANDIDATES_PER_BAND articles are read per
band bucket, PROBES_PER_CLUSTER members of one existing cluster are compared, MAX_CONFIRM pairs are
aligned; an article that joins one cluster is settled in O(1) reads. A user's split (`provnews
clusters split URL`) is a row in ``cluster_splits`` that every later decision, re-ingest included,
respects.
"""
from __future__ import annotations

import sqlite3

import numpy as np
import sqlite_utils

from pipelines.dedup import SAME_STORY, host_of, bands, similarity
from pipelines.samestory import Comparison, compare

CLUSTER_RULE = "2"  # bump when the decision changes: re-ingest then re-evaluates every cluster
PROBES_PER_CLUSTER = 8  # members of one existing cluster compared with a new article, at most
CANDIDATES_PER_BAND = 64  # articles read per LSH band bucket (a bucket of templated pages is huge)
MAX_CONFIRM = 4  # near candidates aligned per article, the most similar first (true copies are the nearest)


def cluster_article(db: sqlite_utils.Database, url: str, sig: bytes | None, old_cluster: str | None,
                    index: bool = True) -> None:
    """Settle one article's cluster after its row was written. ``index`` (re)writes its signature
    and band hashes; re-evaluation, whose signatures are unchanged, passes False."""
    if index:
        db.execute("DELETE FROM lsh_bands WHERE url = ?", [url])
        db.execute("DELETE FROM article_minhash WHERE url = ?", [url])
    members = {url}
    if sig is not None:
        keys = bands(sig)
        if index:
            db.execute("INSERT INTO article_minhash (url, sig) VALUES (?, ?)", [url, sig])
            db.conn.executemany("INSERT INTO lsh_bands (band, hash, url) VALUES (?, ?, ?)",
                                [(b, h, url) for b, h in enumerate(keys)])
        near_clusters = _with_clusters(db, sorted(near_urls(db, url, keys)))
        matches = confirmed(db, url, _matches(db, sig, near_clusters), dict(near_clusters))
        if matches and old_cluster is None and _join_one_cluster(db, url, matches, near_clusters):
            return
        if matches:
            marks = ", ".join("?" for _ in matches)
            members |= set(matches)
            members |= {r[0] for r in db.execute(
                f"SELECT url FROM articles WHERE cluster_id IN (SELECT cluster_id FROM articles "
                f"WHERE url IN ({marks}) AND cluster_id IS NOT NULL)", matches)}
    _assign(db, members)
    if old_cluster and old_cluster not in members:  # it left a cluster: re-settle the rest
        rest = {r[0] for r in db.execute("SELECT url FROM articles WHERE cluster_id = ? AND url != ?",
                                         [old_cluster, url])}
        _assign(db, rest)
    elif old_cluster:
        rest = {r[0] for r in db.execute("SELECT url FROM articles WHERE cluster_id = ?", [old_cluster])}
        if rest - members:
            _assign(db, rest - members)


def near_urls(db: sqlite_utils.Database, url: str, keys: list[int]) -> set[str]:
    """The oldest few sharing each band: enough to meet every cluster the article could join."""
    if not keys:
        return set()
    # one statement for every band (a statement per band cost a quarter of the look-up's time);
    # each band keeps its own LIMIT, so the rows are those the per-band queries read
    sql = " UNION ALL ".join(["SELECT url FROM (SELECT url FROM lsh_bands WHERE band = ? AND hash = ? "
                              "AND url != ? LIMIT ?)"] * len(keys))
    params = [p for b, h in enumerate(keys) for p in (b, h, url, CANDIDATES_PER_BAND)]
    return {r[0] for r in db.execute(sql, params)}


def split_from(db: sqlite_utils.Database, url: str) -> set[str]:
    """The URLs a user split this article from."""
    try:
        return {r[0] for r in db.execute("SELECT other FROM cluster_splits WHERE url = ? UNION "
                                         "SELECT url FROM cluster_splits WHERE other = ?", [url, url])}
    except sqlite3.OperationalError:  # an older schema being migrated: no splits yet
        return set()


def texts(db: sqlite_utils.Database, urls: list[str]) -> dict[str, tuple[tuple[str, str], str, str]]:
    """((site, host), title, body) of each URL; a government document's 文号 as extracted from its
    信息公开 table (articles.doc_number, where the schema has it) goes with the title."""
    out = {}
    for start in range(0, len(urls), 500):
        chunk = urls[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        try:  # (not columns_dict, a PRAGMA per call: this runs for most articles a crawl stores)
            found = db.execute(f"SELECT url, site, title, body, doc_number FROM articles WHERE url IN ({marks})",
                               chunk).fetchall()
        except sqlite3.OperationalError:  # an older schema being migrated: no doc_number yet
            found = db.execute(f"SELECT url, site, title, body, '' FROM articles WHERE url IN ({marks})",
                               chunk).fetchall()
        for u, site, title, body, number in found:
            out[u] = ((site, host_of(u)), "\n".join(filter(None, [title, number])), body or "")
    return out


def same_publisher(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """One site: the same site id, and not two different hosts (an import filed under one site id
    may hold pages of many hosts: those are syndication across sites all the same)."""
    return a[0] == b[0] and not (a[1] and b[1] and a[1] != b[1])


def judge(mine: tuple, theirs: tuple, explain: bool = True) -> Comparison:
    """samestory.compare on two ((site, host), title, body) rows."""
    return compare(mine[2], theirs[2], mine[1], theirs[1], same_site=same_publisher(mine[0], theirs[0]),
                   explain=explain)


def confirmed(db: sqlite_utils.Database, url: str, near: list[tuple[str, float]],
              cluster_of: dict[str, str | None]) -> list[str]:
    """The near candidates that are the same story as ``url``: not split from it by a user, not in
    a cluster holding an article split from it, and confirmed on the distinguishing content."""
    if not near:
        return []
    splits = split_from(db, url)
    if splits:
        banned = {c for _, c in _with_clusters(db, sorted(splits)) if c}
        near = [(u, s) for u, s in near if u not in splits and cluster_of.get(u) not in banned]
    near = sorted(near, key=lambda p: (-p[1], p[0]))[:MAX_CONFIRM]
    rows = texts(db, [url] + [u for u, _ in near])
    if url not in rows:
        return []
    return [u for u, _ in near if u in rows and _same_story(rows[url], rows[u])]


def _same_story(mine: tuple, theirs: tuple) -> bool:
    """judge's verdict; an exact copy (the same headline and text) is one story by every rule of
    samestory.compare, so its alignment (the clustering's largest cost) is skipped."""
    return mine[1:] == theirs[1:] or judge(mine, theirs, explain=False).same


def _join_one_cluster(db: sqlite_utils.Database, url: str, matches: list[str],
                      near: list[tuple[str, str | None]]) -> bool:
    """The common case, in O(1) reads: an article that was in no cluster matches members of
    exactly one existing cluster. It becomes that cluster's original only if it was published
    earlier than the current one. False when the general path (_assign) must settle it."""
    cluster_of = dict(near)
    clusters = {cluster_of.get(m) for m in matches}
    if len(clusters) != 1 or None in clusters:
        return False
    original = clusters.pop()
    rows = dict((u, (p or f or "9999", u)) for u, p, f in db.execute(
        "SELECT url, published_at, fetched_at FROM articles WHERE url IN (?, ?)", [url, original]))
    if original not in rows:
        return False
    if rows[url] < rows[original]:  # an earlier copy: the whole cluster now points to it
        db.execute("UPDATE articles SET cluster_id = ?, duplicate_of = ? WHERE cluster_id = ?",
                   [url, url, original])
        db.execute("UPDATE articles SET cluster_id = ?, duplicate_of = NULL WHERE url = ?", [url, url])
    else:
        db.execute("UPDATE articles SET cluster_id = ?, duplicate_of = ? WHERE url = ?",
                   [original, original, url])
    return True


def _with_clusters(db: sqlite_utils.Database, urls: list[str]) -> list[tuple[str, str | None]]:
    out = []
    for start in range(0, len(urls), 500):  # SQLite's variable limit
        chunk = urls[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        out += db.execute(f"SELECT url, cluster_id FROM articles WHERE url IN ({marks}) ORDER BY rowid",
                          chunk).fetchall()
    return out


def _matches(db: sqlite_utils.Database, sig: bytes,
             candidates: list[tuple[str, str | None]]) -> list[tuple[str, float]]:
    """(candidate, similarity) of the candidates above SAME_STORY. Members of one cluster are near
    each other by construction, so a few of them stand for the cluster: a site of templated
    notices, thousands alike, must not cost a comparison with every one of them per insert."""
    probes: list[str] = []
    per_cluster: dict[str, int] = {}
    for cand, cluster in candidates:
        if cluster is not None:
            if per_cluster.get(cluster, 0) >= PROBES_PER_CLUSTER:
                continue
            per_cluster[cluster] = per_cluster.get(cluster, 0) + 1
        probes.append(cand)
    matches = []
    mine = np.frombuffer(sig, dtype="<u8")
    for start in range(0, len(probes), 500):  # SQLite's variable limit
        chunk = probes[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        rows = [(u, s) for u, s in db.execute(f"SELECT url, sig FROM article_minhash WHERE url IN ({marks})", chunk)
                if s and len(s) == len(sig)]
        if not rows:
            continue
        # one vectorised comparison for the whole chunk (similarity() pair by pair cost 60 µs each)
        sims = (np.frombuffer(b"".join(s for _, s in rows), dtype="<u8").reshape(len(rows), -1) == mine).mean(axis=1)
        matches += [(u, float(x)) for (u, _), x in zip(rows, sims) if x >= SAME_STORY]
    return matches


def _assign(db: sqlite_utils.Database, members: set[str]) -> None:
    """The earliest published copy is the original; the others are its duplicates."""
    if not members:
        return
    marks = ", ".join("?" for _ in members)
    rows = db.execute(f"SELECT url, published_at, fetched_at, cluster_id, duplicate_of FROM articles "
                      f"WHERE url IN ({marks})", list(members)).fetchall()
    if len(rows) == 1:
        url, _, _, cluster, dup = rows[0]
        if cluster is not None or dup is not None:
            db.execute("UPDATE articles SET cluster_id = NULL, duplicate_of = NULL WHERE url = ?", [url])
        return
    original = min(rows, key=lambda r: (r[1] or r[2] or "9999", r[0]))[0]
    for url, _, _, cluster, dup in rows:
        want_dup = None if url == original else original
        if cluster != original or dup != want_dup:  # write only what changes
            db.execute("UPDATE articles SET cluster_id = ?, duplicate_of = ? WHERE url = ?",
                       [original, want_dup, url])


# --- a user's split, re-evaluation, explanation -----------------------------------------------------
def split_article(db: sqlite_utils.Database, url: str) -> list[str]:
    """Take an article out of its cluster for good (caller holds the transaction): it is recorded
    as split from every other member, so no later decision joins them again. Returns those members."""
    row = db.execute("SELECT cluster_id FROM articles WHERE url = ?", [url]).fetchone()
    if row is None or row[0] is None:
        return []
    others = [r[0] for r in db.execute("SELECT url FROM articles WHERE cluster_id = ? AND url != ? "
                                       "ORDER BY url", [row[0], url])]
    db.conn.executemany("INSERT OR IGNORE INTO cluster_splits (url, other) VALUES (?, ?)",
                        [tuple(sorted((url, o))) for o in others])
    db.execute("UPDATE articles SET cluster_id = NULL, duplicate_of = NULL WHERE url = ?", [url])
    _assign(db, set(others))
    return others


def _partition(db: sqlite_utils.Database) -> dict[str, frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for url, cluster in db.execute("SELECT url, cluster_id FROM articles WHERE cluster_id IS NOT NULL"):
        groups.setdefault(cluster, set()).add(url)
    return {c: frozenset(m) for c, m in groups.items()}


def recluster_all(db: sqlite_utils.Database) -> tuple[int, int]:
    """Decide every cluster again with the current rule, from scratch, in rowid order (so the
    result depends on the data alone and a second run changes nothing); record the rule in meta.
    Returns (clusters split, clusters joined): old clusters whose members no longer all stay
    together, and new clusters that were not one before."""
    before = _partition(db)
    with db.conn:
        db.execute("UPDATE articles SET cluster_id = NULL, duplicate_of = NULL "
                   "WHERE cluster_id IS NOT NULL OR duplicate_of IS NOT NULL")
        rows = db.execute("SELECT a.url, m.sig FROM articles a JOIN article_minhash m ON m.url = a.url "
                          "ORDER BY a.rowid").fetchall()
        for url, sig in rows:
            current = db.execute("SELECT cluster_id FROM articles WHERE url = ?", [url]).fetchone()[0]
            cluster_article(db, url, sig, current, index=False)
        db["meta"].upsert({"key": "cluster_rule", "value": CLUSTER_RULE}, pk="key")
    after = set(_partition(db).values())
    old = set(before.values())
    split = [m for m in old if not any(m <= n for n in after)]
    joined = [n for n in after if not any(n <= m for m in old)]
    return len(split), len(joined)


def rule_is_current(db: sqlite_utils.Database) -> bool:
    row = db.execute("SELECT value FROM meta WHERE key = 'cluster_rule'").fetchone()
    return bool(row) and row[0] == CLUSTER_RULE


def explain(db: sqlite_utils.Database, url: str) -> dict | None:
    """What `provnews clusters show` prints: the article's cluster, each member with its similarity
    to the original and the comparison behind it, and the near articles kept apart, with why."""
    row = db.execute("SELECT cluster_id FROM articles WHERE url = ?", [url]).fetchone()
    if row is None:
        return None
    cluster = row[0]
    members = [r[0] for r in db.execute("SELECT url FROM articles WHERE cluster_id = ? ORDER BY "
                                        "coalesce(published_at, fetched_at), url", [cluster])] if cluster else [url]
    original = cluster or url
    sigs = dict(db.execute(f"SELECT url, sig FROM article_minhash WHERE url IN "
                           f"({', '.join('?' for _ in members)})", members).fetchall())
    near: list[str] = []
    if sigs.get(url) is not None:
        near = sorted(u for u in near_urls(db, url, bands(sigs[url])) if u not in members)
        sigs.update(db.execute(f"SELECT url, sig FROM article_minhash WHERE url IN "
                               f"({', '.join('?' for _ in near)})", near).fetchall())
        near = [u for u in near if sigs.get(u) and similarity(sigs[url], sigs[u]) >= SAME_STORY]
    rows = texts(db, members + near)
    info = {u: db.execute("SELECT site, title, published_at, duplicate_of FROM articles WHERE url = ?",
                          [u]).fetchone() for u in members + near}
    splits = split_from(db, url)

    def entry(u: str, against: str) -> dict:
        site, title, published, dup = info[u]
        out = {"url": u, "site": site, "title": title, "published_at": published, "duplicate_of": dup}
        if u != against:
            sim = similarity(sigs[u], sigs[against]) if sigs.get(u) and sigs.get(against) else None
            verdict = judge(rows[against], rows[u])  # tokens read: the one shown ≠ this one
            out.update(similarity=sim, same=verdict.same, reason=verdict.reason, shared=verdict.shared,
                       differing=[list(d) for d in verdict.differing])
            if u in splits or against in split_from(db, u):
                out["reason"] = "split by a user (provnews clusters split): kept apart"
            elif u in members and not verdict.same:  # joined through another copy
                out["reason"] = f"joined through another copy of the cluster; against the original: {verdict.reason}"
        return out

    return {"url": url, "cluster_id": cluster, "original": original,
            "members": [entry(u, original) for u in members],
            "kept_apart": [entry(u, url) for u in near[:20]]}
