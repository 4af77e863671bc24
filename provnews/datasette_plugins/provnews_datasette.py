"""Datasette plugin loaded by `provnews serve` (--plugins-dir): Chinese search and readable bodies.

- SQL functions provnews_match(q) (our FTS5 expression: bigram phrases, 1-character terms) and
  provnews_snippet(body, q) (the highlighted passage), used by the canned query `search`.
- Datasette's own table search box (`/DB/articles?_search=…`, metadata fts_table) quotes the text
  with escape_fts() for a word-per-token index; ours is bigrams, so escape_fts is replaced by
  provnews_match here, and what the box shows is what `provnews search` finds.
- An empty or unsearchable query (no q, `"`, `(`) matches nothing instead of an FTS5 syntax error:
  the canned search page opens as an empty form.
- Article bodies render as paragraphs, one per stored line, instead of one long cell.
"""
from __future__ import annotations

from html import escape

from datasette import hookimpl
from markupsafe import Markup

from pipelines.fulltext import match_expression, snippet


def _match(q):
    return match_expression(q or "") or '""'  # an empty phrase: valid FTS5, matches nothing


def _snippet(body, q):
    return snippet(body or "", q or "", mark=("【", "】"))


@hookimpl(trylast=True)  # after Datasette's own, so our escape_fts is the one left registered
def prepare_connection(conn):
    conn.create_function("provnews_match", 1, _match, deterministic=True)
    conn.create_function("escape_fts", 1, _match, deterministic=True)
    conn.create_function("provnews_snippet", 2, _snippet, deterministic=True)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    is_body = column == "body" or (column == "value" and row is not None and "field" in row.keys()
                                   and row["field"] == "body")
    if is_body and isinstance(value, str) and value:
        paras = "".join(f"<p>{escape(line)}</p>" for line in value.splitlines() if line.strip())
        return Markup(f'<div class="provnews-body" style="min-width:30em;max-width:42em;white-space:normal;line-height:1.7">{paras}</div>')
    if column == "snippet" and isinstance(value, str):
        return Markup(escape(value).replace("【", "<mark>").replace("】", "</mark>"))
    if column == "article" and isinstance(value, str):  # search results link to the article page
        from urllib.parse import quote

        href = datasette.urls.database(database) + "/article?url=" + quote(value, safe="")
        return Markup(f'<a class="open-article" href="{escape(href)}">open</a>')
    return None
