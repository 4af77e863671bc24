"""Export formats in a registry, name → writer, as Scrapy's FEED_EXPORTERS: `provnews export
--format` offers exactly the names registered here, and a new format is one writer function and
one entry in EXPORTERS.

Exports stream from a cursor (pipelines/queries.py), so an export of a large database never holds
it in memory. The article formats write every column of the articles table; `warc` writes the
stored raw pages as WARC request and response records, so the archive can leave provnews intact
(and `provnews import` reads it back).
"""
from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from typing import IO, Callable

# hop-by-hop or no longer true once the body is stored decoded
DROP_ON_EXPORT = {"content-encoding", "transfer-encoding", "content-length", "connection"}


@dataclass(frozen=True)
class Options:
    """What the command line may say about an export beside the selection."""

    gzip: bool = True  # warc: gzip each record
    bom: bool = False  # csv: start with U+FEFF, which Excel needs to read UTF-8 (else it assumes GBK)


@dataclass(frozen=True)
class Exporter:
    """``write(cursor, out, options) -> rows`` over the rows of ``table`` (articles: every column,
    pages: queries.pages_for_export's); ``binary`` writers need a byte stream."""

    write: Callable[..., int]
    table: str
    binary: bool
    help: str


def _jsonl(cur, out: IO, options: Options) -> int:
    cols = [d[0] for d in cur.description]
    n = 0
    for row in cur:
        out.write(json.dumps(dict(zip(cols, row)), ensure_ascii=False) + "\n")
        n += 1
    return n


def _csv(cur, out: IO, options: Options) -> int:
    if options.bom:
        out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([d[0] for d in cur.description])
    n = 0
    for row in cur:
        writer.writerow(row)
        n += 1
    return n


def _parquet(cur, out: IO, options: Options) -> int:
    """Typed by the column dictionary (pipelines/columns.py): INTEGER columns as int64."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise RuntimeError("parquet export needs pyarrow: pip install 'provnews[parquet]'") from None
    from pipelines.columns import sql_type

    cols = [d[0] for d in cur.description]
    sink = out.buffer if hasattr(out, "buffer") else out
    writer, n = None, 0
    while True:
        rows = cur.fetchmany(5000)
        if not rows:
            break
        table = pa.table({c: [r[i] for r in rows] for i, c in enumerate(cols)})
        if writer is None:
            schema = pa.schema([pa.field(c, pa.int64() if sql_type("articles", c) == "INTEGER" else pa.string())
                                for c in cols])
            writer = pq.ParquetWriter(sink, schema)
        writer.write_table(table.cast(writer.schema))
        n += len(rows)
    if writer is not None:
        writer.close()
    return n


REDIRECT_STATUS = "302 Found"  # the redirect's own code is not stored, only where it led
_KNOWN = {s.value for s in HTTPStatus}


def _warc(cur, out: IO, options: Options) -> int:
    """Each stored page as a request record and its response; a page reached through a redirect
    gets the 3xx (with Location) under the address asked for, then the response under its
    final_url, so a replay tool and `provnews import` see what the crawl saw."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from pipelines.packing import decompress

    sink = out.buffer if hasattr(out, "buffer") else out
    writer = WARCWriter(sink, gzip=options.gzip)
    n = 0
    for url, final_url, status, headers, body, fetched_at in cur:
        date = datetime.fromisoformat(fetched_at).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        if final_url and final_url != url:
            redirect = StatusAndHeaders(REDIRECT_STATUS, [("Location", final_url), ("Content-Length", "0")],
                                        protocol="HTTP/1.1")
            _write_exchange(writer, url, date, redirect, b"")
        raw = decompress(body)
        pairs = [(k, v) for k, v in json.loads(headers or "{}").items() if k.lower() not in DROP_ON_EXPORT]
        pairs.append(("Content-Length", str(len(raw))))
        code = status or 200
        http = StatusAndHeaders(f"{code} {HTTPStatus(code).phrase if code in _KNOWN else 'Unknown'}",
                                pairs, protocol="HTTP/1.1")
        _write_exchange(writer, final_url or url, date, http, raw)
        n += 1
    return n


def _write_exchange(writer, url: str, date: str, http, payload: bytes) -> None:
    """A request record and the response record it led to, linked by WARC-Concurrent-To."""
    from urllib.parse import urlsplit

    from warcio.statusandheaders import StatusAndHeaders

    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    response = writer.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=http,
                                         warc_headers_dict={"WARC-Date": date})
    request = writer.create_warc_record(
        url, "request", payload=io.BytesIO(b""), warc_headers_dict={
            "WARC-Date": date, "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID")},
        http_headers=StatusAndHeaders(f"GET {target} HTTP/1.1", [("Host", parts.netloc)],
                                      is_http_request=True))
    writer.write_record(request)
    writer.write_record(response)


EXPORTERS: dict[str, Exporter] = {
    "jsonl": Exporter(_jsonl, "articles", False, "articles, one JSON object per line, every column"),
    "csv": Exporter(_csv, "articles", False, "articles, a header row then one row each"),
    "parquet": Exporter(_parquet, "articles", True, "articles as a Parquet file (provnews[parquet])"),
    "warc": Exporter(_warc, "pages", True, "the stored raw pages as WARC request/response records"),
}


def export(db_path: str, fmt: str, out: IO | None = None, site=None, since=None, where=None,
           gzip: bool = True, bom: bool = False) -> int:
    """Stream the rows of format ``fmt``'s table to ``out`` (default stdout) through its writer;
    returns the row count."""
    from pipelines import queries  # here, not above: the CLI reads EXPORTERS at every start
    from pipelines.schema import connect

    if fmt not in EXPORTERS:
        raise ValueError(f"unknown format {fmt!r}")
    exporter = EXPORTERS[fmt]
    source = {"articles": queries.articles_for_export, "pages": queries.pages_for_export}[exporter.table]
    db = connect(db_path, readonly=True)
    try:
        cur = source(db, site, since, where)
        return exporter.write(cur, out or sys.stdout, Options(gzip=gzip, bom=bom))
    finally:
        db.conn.close()
