"""Archives in and out: local HTML files and WARC files in; JSONL, CSV, Parquet and WARC out.

Imported pages go through the same pure stages and the same store as crawled ones. Exports
stream from a cursor, so an export of a large database never holds it in memory; `--format warc`
writes the stored raw pages as WARC response records, so the archive can leave provnews intact.
"""
from __future__ import annotations

import csv
import io
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Iterator

from crawler.items import new_page
from pipelines import process_page
from pipelines.schema import filters
from pipelines.store import connect, decompress, save_page

HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc.gz")
# hop-by-hop or no longer true once the body is stored decoded
DROP_ON_EXPORT = {"content-encoding", "transfer-encoding", "content-length", "connection"}


# --- in ---------------------------------------------------------------------------------------------
def _sidecar_urls(folder: Path) -> dict[str, dict]:
    """urls.jsonl beside the files: lines of {"path", "url", "fetched_at"?} (paths relative)."""
    side = folder / "urls.jsonl"
    out: dict[str, dict] = {}
    if side.exists():
        for line in side.read_text(encoding="utf-8").splitlines():
            if line.strip():
                spec = json.loads(line)
                out[str((folder / spec["path"]).resolve())] = spec
    return out


def _canonical_link(body: bytes) -> str:
    import re

    m = re.search(rb"<link[^>]+rel=[\"']?canonical[\"']?[^>]*>", body[:50000], re.I)
    if m:
        href = re.search(rb"href=[\"']([^\"']+)", m.group(0))
        if href:
            return href.group(1).decode("utf-8", "replace")
    return ""


def iter_html(paths: list[Path]) -> Iterator[dict]:
    for root in paths:
        files = sorted(p for p in root.rglob("*") if p.suffix.lower() in HTML_SUFFIXES) if root.is_dir() else [root]
        sidecars = _sidecar_urls(root) if root.is_dir() else _sidecar_urls(root.parent)
        for f in files:
            body = f.read_bytes()
            spec = sidecars.get(str(f.resolve()), {})
            url = spec.get("url") or _canonical_link(body) or f.resolve().as_uri()
            mtime = datetime.fromtimestamp(f.stat().st_mtime, timezone.utc).replace(microsecond=0)
            yield {"url": url, "body": body, "status": 200, "headers": {"Content-Type": "text/html"},
                   "fetched_at": spec.get("fetched_at") or mtime.isoformat()}


def iter_warc(path: Path) -> Iterator[dict]:
    from warcio.archiveiterator import ArchiveIterator

    with open(path, "rb") as f:
        for record in ArchiveIterator(f):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            date = record.rec_headers.get_header("WARC-Date") or ""
            status = int(record.http_headers.get_statuscode() or 0) or None
            headers = {k: v for k, v in record.http_headers.headers if k.lower() not in DROP_ON_EXPORT}
            body = record.content_stream().read()
            yield {"url": url, "body": body, "status": status, "headers": headers,
                   "fetched_at": date.replace("Z", "+00:00") if date else None}


def import_paths(paths: list[str], db_path: str, site: str = "import", on_page=None) -> dict:
    """Ingest HTML files/folders and WARC files through the pipeline. Returns outcome counts."""
    db = connect(db_path)
    counts: dict[str, int] = {}
    try:
        for raw in paths:
            path = Path(raw)
            if not path.exists():
                raise FileNotFoundError(f"no such file or folder: {path}")
            source = iter_warc(path) if path.name.endswith(WARC_SUFFIXES) else iter_html([path])
            for rec in source:
                page = new_page(rec["url"], site=site, body=rec["body"], status=rec["status"],
                                headers=rec["headers"], fetched_at=rec["fetched_at"])
                if rec["status"] and not 200 <= rec["status"] < 300:
                    page["error"] = f"http {rec['status']}"
                process_page(page)
                outcome = save_page(db, page)
                counts[outcome] = counts.get(outcome, 0) + 1
                if on_page:
                    on_page(outcome)
    finally:
        db.conn.close()
    return counts


# --- out --------------------------------------------------------------------------------------------
def _select(site: str | None, since: str | None, where: str | None, table: str = "articles"):
    conds, params = filters(site, since, where, "published_at" if table == "articles" else "fetched_at")
    return (" WHERE " + " AND ".join(conds)) if conds else "", params


def export(db_path: str, fmt: str, out: IO | None = None, site=None, since=None, where=None) -> int:
    """Stream articles (jsonl/csv/parquet) or raw pages (warc) to ``out``; returns the row count."""
    db = connect(db_path, readonly=True)
    out = out or sys.stdout
    try:
        if fmt == "warc":
            return _export_warc(db, out, site, since, where)
        clause, params = _select(site, since, where)
        cur = db.execute(f"SELECT * FROM articles{clause} ORDER BY rowid", params)
        cols = [d[0] for d in cur.description]
        if fmt == "jsonl":
            n = 0
            for row in cur:
                out.write(json.dumps(dict(zip(cols, row)), ensure_ascii=False) + "\n")
                n += 1
            return n
        if fmt == "csv":
            writer = csv.writer(out)
            writer.writerow(cols)
            n = 0
            for row in cur:
                writer.writerow(row)
                n += 1
            return n
        if fmt == "parquet":
            return _export_parquet(cur, cols, out)
        raise ValueError(f"unknown format {fmt!r}")
    finally:
        db.conn.close()


def _export_parquet(cur, cols: list[str], out) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise RuntimeError("parquet export needs pyarrow: pip install 'provnews[parquet]'") from None
    sink = out.buffer if hasattr(out, "buffer") else out
    writer, n = None, 0
    while True:
        rows = cur.fetchmany(5000)
        if not rows:
            break
        table = pa.table({c: [r[i] for r in rows] for i, c in enumerate(cols)})
        if writer is None:
            schema = pa.schema([pa.field(c, pa.int64() if c == "body_chars" else pa.string()) for c in cols])
            writer = pq.ParquetWriter(sink, schema)
        writer.write_table(table.cast(writer.schema))
        n += len(rows)
    if writer is not None:
        writer.close()
    return n


def _export_warc(db, out, site, since, where) -> int:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    sink = out.buffer if hasattr(out, "buffer") else out
    writer = WARCWriter(sink, gzip=True)
    clause, params = _select(site, since, where, table="pages")
    clause = (clause + " AND " if clause else " WHERE ") + "body_size > 0"
    n = 0
    for url, status, headers, body, fetched_at in db.execute(
            f"SELECT url, status, headers, body, fetched_at FROM pages{clause} ORDER BY rowid", params):
        raw = decompress(body)
        pairs = [(k, v) for k, v in json.loads(headers or "{}").items() if k.lower() not in DROP_ON_EXPORT]
        pairs.append(("Content-Length", str(len(raw))))
        http = StatusAndHeaders(f"{status or 200} OK", pairs, protocol="HTTP/1.1")
        date = datetime.fromisoformat(fetched_at).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(raw), http_headers=http,
                                           warc_headers_dict={"WARC-Date": date})
        writer.write_record(record)
        n += 1
    return n
