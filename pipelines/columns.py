"""The column dictionary: every stored table's columns, their SQL type and what they mean, once.

It feeds the README's column tables (generated with cog, checked by a test), Datasette's metadata
(`provnews serve`) and the Parquet export's types. The migrations in schema.py stay frozen history:
a test opens a fresh database and requires this dictionary to list exactly the columns it has, so
adding a column is a migration plus a line here.
"""
from __future__ import annotations

from typing import NamedTuple


class Column(NamedTuple):
    name: str
    type: str  # SQLite declared type: TEXT, INTEGER, BLOB
    meaning: str


def _cols(*rows: tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(*r) for r in rows)


TABLES: dict[str, dict] = {
    "articles": {
        "description": "one row per article URL; a re-crawl updates it",
        "columns": _cols(
            ("url", "TEXT", "the address requested (before redirects); primary key"),
            ("canonical_url", "TEXT", "normalised address (tracking parameters stripped; same-site rel=canonical followed)"),
            ("site", "TEXT", "site id from the registry (crawler/sites/ID.toml)"),
            ("title", "TEXT", "the headline"),
            ("body", "TEXT", "plain text, one paragraph per line"),
            ("author", "TEXT", "作者 / 记者 (empty when absent)"),
            ("source", "TEXT", "来源 / 稿源 / ContentSource (empty when absent)"),
            ("editor", "TEXT", "责任编辑 / 责编 (empty when absent)"),
            ("published_at", "TEXT", "publication time, ISO 8601 in +08:00"),
            ("published_precision", "TEXT", "second, minute, hour, day or month"),
            ("published_source", "TEXT", "where the date came from: jsonld, meta, visible, url, feed, sitemap, listpage, fallback"),
            ("fetched_at", "TEXT", "when the page was fetched (UTC)"),
            ("list_title", "TEXT", "the link text on the list page the article was found on"),
            ("fingerprint", "TEXT", "sha1 of the body with whitespace and punctuation removed (exact duplicates share it)"),
            ("body_chars", "INTEGER", "length of body in characters"),
            ("extractor_version", "TEXT", "version of the extract/dates rules that produced the row"),
            ("cluster_id", "TEXT", "for a story published by several sources: the URL of its earliest published copy (null when no other copy is known)"),
            ("duplicate_of", "TEXT", "the earliest published copy, on every later copy (null on the original)"),
            ("published_day", "TEXT", "publication day in China Standard Time, YYYY-MM-DD (date(published_at) in SQLite would give the UTC day)"),
            ("kicker", "TEXT", "引题: the line printed above the headline (empty when absent)"),
            ("subtitle", "TEXT", "副题: the line printed below the headline, often led by —— (empty when absent)"),
            ("original_title", "TEXT", "原标题 of a syndicated copy, from its （原标题：…） line, kept out of body (empty when absent)"),
            ("doc_number", "TEXT", "文号 / 发文字号 of a government document, from the 信息公开 table (empty when absent)"),
            ("issuer", "TEXT", "发文机关 / 发布机构 of a government document, from the 信息公开 table (empty when absent)"),
        ),
    },
    "pages": {
        "description": "every URL tried, fetched or not",
        "columns": _cols(
            ("url", "TEXT", "the address requested; primary key"),
            ("final_url", "TEXT", "the address after redirects"),
            ("site", "TEXT", "site id"),
            ("status", "INTEGER", "HTTP status (null when nothing came back)"),
            ("fetched_at", "TEXT", "when it was fetched (UTC)"),
            ("headers", "TEXT", "response headers as JSON (cookies and auth headers are never stored)"),
            ("body", "BLOB", "raw response bytes, zlib-compressed"),
            ("body_size", "INTEGER", "uncompressed size of body in bytes"),
            ("encoding", "TEXT", "charset the body was decoded with"),
            ("error", "TEXT", "why the page has no article: http 404, decode: StageError: binary body …, fetch: …"),
            ("list_hint", "TEXT", "JSON: the link text and date printed beside the link (list page, feed or sitemap); a date candidate, kept for re-ingest"),
        ),
    },
    "crawl_runs": {
        "description": "one row per site per run (per site and round in a shared crawl)",
        "columns": _cols(
            ("id", "INTEGER", "run row id"),
            ("site", "TEXT", "site id"),
            ("started_at", "TEXT", "when the run started (UTC)"),
            ("finished_at", "TEXT", "when it ended (null while running or when it never finished)"),
            ("status", "TEXT", "running, ok, failed or interrupted"),
            ("pages_fetched", "INTEGER", "pages fetched in the run"),
            ("articles_new", "INTEGER", "articles stored for the first time"),
            ("articles_updated", "INTEGER", "stored articles that changed"),
            ("errors", "INTEGER", "pages stored with an error"),
            ("message", "TEXT", "why a run failed or what it noted"),
            ("round", "TEXT", "shared crawl: the round id (null for single-machine runs)"),
            ("nodes", "INTEGER", "shared crawl: how many crawler nodes reported (null for single-machine runs)"),
        ),
    },
    "frontier": {
        "description": "article URLs discovered but not yet stored (a killed run's work is here)",
        "columns": _cols(
            ("url", "TEXT", "the article URL; primary key"),
            ("site", "TEXT", "site id"),
            ("list_hint", "TEXT", "JSON: link text and date from the list page, feed or sitemap"),
            ("via", "TEXT", "list, feed or sitemap"),
            ("discovered_at", "TEXT", "when it was found (UTC)"),
            ("attempts", "INTEGER", "transient failures so far (timeouts, 5xx, 429 are retried on up to 3 runs)"),
        ),
    },
    "validators": {
        "description": "ETag / Last-Modified of list pages, feeds and sitemaps, for conditional requests",
        "columns": _cols(
            ("url", "TEXT", "list page, feed or sitemap URL; primary key"),
            ("site", "TEXT", "site id"),
            ("etag", "TEXT", "the last ETag"),
            ("last_modified", "TEXT", "the last Last-Modified"),
            ("checked_at", "TEXT", "when it was last requested (UTC)"),
        ),
    },
    "sites": {
        "description": "the site registry as of the last crawl",
        "columns": _cols(
            ("id", "TEXT", "site id; primary key"),
            ("name", "TEXT", "the site's name"),
            ("province", "TEXT", "province, autonomous region or municipality"),
            ("city", "TEXT", "city or prefecture (empty for provincial sites)"),
            ("kind", "TEXT", "gov, news or portal"),
            ("verified", "INTEGER", "1 once a live check confirmed the site works"),
        ),
    },
    "cluster_splits": {
        "description": "pairs of articles a user split apart (`provnews clusters split`); every later clustering decision, re-ingest included, keeps them apart",
        "columns": _cols(("url", "TEXT", "one article of the pair"), ("other", "TEXT", "the article it must not be clustered with")),
    },
    "site_lines": {
        "description": "per site, the text lines seen on most of its latest stored pages (its chrome); re-ingest drops them at the opening or closing of a body (pipelines/site_lines.py)",
        "columns": _cols(
            ("site", "TEXT", "site id"),
            ("line", "TEXT", "the line, whitespace removed"),
            ("pages", "INTEGER", "sampled pages carrying it"),
            ("updated_at", "TEXT", "when the set was computed (UTC)"),
        ),
    },
    "site_templates": {
        "description": "URL templates link discovery learnt per site from what their pages turned out to be (crawler/learnt.py; `provnews sites show ID`)",
        "columns": _cols(
            ("site", "TEXT", "site id"),
            ("template", "TEXT", "the URL template (`provnews sites show` prints it as a [links] regex to pin)"),
            ("kind", "TEXT", "article, list, other, or empty while the evidence is thin"),
            ("articles", "INTEGER", "pages of this template that were articles (headline, date, body)"),
            ("lists", "INTEGER", "pages of this template that held a list"),
            ("fetched", "INTEGER", "pages of this template fetched"),
            ("example", "TEXT", "one URL of this template"),
            ("updated_at", "TEXT", "when it was last recounted (UTC)"),
        ),
    },
    "article_minhash": {
        "description": "MinHash signature of each article's 4-character shingles",
        "columns": _cols(("url", "TEXT", "article URL; primary key"),
                         ("sig", "BLOB", "64 unsigned 32-bit hash minima")),
    },
    "lsh_bands": {
        "description": "the LSH band hashes of each signature: candidates share a band",
        "columns": _cols(("band", "INTEGER", "band number"), ("hash", "INTEGER", "the band's hash"),
                         ("url", "TEXT", "article URL")),
    },
    "cluster_splits": {
        "description": "pairs of articles a user split apart (`provnews clusters split`): never clustered together again",
        "columns": _cols(("url", "TEXT", "one article URL"), ("other", "TEXT", "the article it was split from")),
    },
    "meta": {
        "description": "schema_version, views_digest and cluster_rule: connect() upgrades older databases in place; "
                       "re-ingest re-decides clusters made by an older cluster_rule",
        "columns": _cols(("key", "TEXT", "name; primary key"), ("value", "TEXT", "value")),
    },
}

# tables whose columns are an implementation detail, not part of the dictionary
INTERNAL_PREFIXES = ("articles_fts",)


def columns(table: str) -> tuple[Column, ...]:
    return TABLES[table]["columns"]


def meanings(table: str) -> dict[str, str]:
    """{column: meaning}, e.g. for Datasette's metadata."""
    return {c.name: c.meaning for c in columns(table)}


def sql_type(table: str, column: str) -> str:
    """The declared SQLite type of a column ("TEXT" for computed columns not in the table)."""
    for c in TABLES.get(table, {}).get("columns", ()):
        if c.name == column:
            return c.type
    return "TEXT"
