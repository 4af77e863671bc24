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
from http import HTTPStatus
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
    """Local files: the URL from the sidecar or rel=canonical; no headers (a file has none)."""
    for root in paths:
        files = sorted(p for p in root.rglob("*") if p.suffix.lower() in HTML_SUFFIXES) if root.is_dir() else [root]
        sidecars = _sidecar_urls(root) if root.is_dir() else _sidecar_urls(root.parent)
        for f in files:
            body = f.read_bytes()
            spec = sidecars.get(str(f.resolve()), {})
            url = spec.get("url") or _canonical_link(body) or f.resolve().as_uri()
            mtime = datetime.fromtimestamp(f.stat().st_mtime, timezone.utc).replace(microsecond=0)
            yield {"url": url, "body": body, "status": 200, "headers": None,
                   "fetched_at": spec.get("fetched_at") or mtime.isoformat()}


def iter_warc(path: Path) -> Iterator[dict]:
    """Response records, gzipped or not. A 3xx response is the redirect in front of a page: the
    response for its Location is yielded under the address first asked for, with its final_url
    (the shape a crawl stores). Request and other records are skipped."""
    from urllib.parse import urljoin

    from warcio.archiveiterator import ArchiveIterator

    redirected_from: dict[str, str] = {}  # Location -> the URL first asked for
    with open(path, "rb") as f:
        for record in ArchiveIterator(f):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            status = int(record.http_headers.get_statuscode() or 0) or None
            location = record.http_headers.get_header("Location")
            if status and 300 <= status < 400 and location:
                target = urljoin(url, location)
                redirected_from[target] = redirected_from.get(url, url)
                continue
            date = record.rec_headers.get_header("WARC-Date") or ""
            headers = {k: v for k, v in record.http_headers.headers if k.lower() not in DROP_ON_EXPORT}
            body = record.content_stream().read()
            first = redirected_from.pop(url, url)
            yield {"url": first, "final_url": url, "body": body, "status": status, "headers": headers,
                   "fetched_at": date.replace("Z", "+00:00") if date else None}


def site_for_url(url: str, sites: dict[str, tuple[str, ...]]) -> str | None:
    """The registry site whose allowed_domains hold the URL's host (the most specific domain wins)."""
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    best = None
    for site_id, domains in sites.items():
        for d in domains:
            if (host == d or host.endswith("." + d)) and (best is None or len(d) > best[0]):
                best = (len(d), site_id)
    return best[1] if best else None


def _registry_domains(sites_dir: str | Path | None) -> dict[str, tuple[str, ...]]:
    from crawler import settings
    from crawler.registry import SiteConfigError, load_registry

    try:
        registry = load_registry(sites_dir or settings.PROVNEWS_SITES_DIR)
    except SiteConfigError:
        return {}
    return {s.id: tuple(d.lower() for d in s.allowed_domains) for s in registry.sites.values()}


def _stored_page(db, url: str) -> dict | None:
    row = db.execute("SELECT site, final_url, status, headers, body, list_hint FROM pages WHERE url = ?",
                     [url]).fetchone()
    if row is None:
        return None
    site, final_url, status, headers, body, list_hint = row
    return {"site": site, "final_url": final_url, "status": status, "headers": json.loads(headers or "{}"),
            "body": decompress(body), "list_hint": json.loads(list_hint) if list_hint else {}}


def import_page(db, rec: dict, site: str | None, domains: dict[str, tuple[str, ...]]) -> str:
    """Store one imported page: new / updated / unchanged / error.

    An import never loses what a crawl stored: a page already in the database keeps its site
    (unless --site forces one), its list hint (and so the article's list_title and list date),
    its final_url and the headers the import does not carry. An identical page (same status and
    bytes) is not written at all."""
    old = _stored_page(db, rec["url"])
    final_url = rec.get("final_url") if rec.get("final_url") not in (None, rec["url"]) else None
    if old is not None and old["body"] == rec["body"] and old["status"] == rec["status"] \
            and (site is None or site == old["site"]) and (final_url is None or final_url == old["final_url"]):
        return "unchanged"
    site_id = site or (old and old["site"]) or site_for_url(rec["url"], domains) or "import"
    headers = dict(old["headers"]) if old else {}
    headers.update(rec.get("headers") or ({} if old else {"Content-Type": "text/html"}))
    page = new_page(rec["url"], site=site_id, body=rec["body"], status=rec["status"], headers=headers,
                    fetched_at=rec["fetched_at"], final_url=final_url or (old and old["final_url"]),
                    list_hint=old["list_hint"] if old else None)
    if rec["status"] and not 200 <= rec["status"] < 300:
        page["error"] = f"http {rec['status']}"
    process_page(page)
    return save_page(db, page)


def import_paths(paths: list[str], db_path: str, site: str | None = None, on_page=None,
                 sites_dir: str | Path | None = None) -> dict:
    """Ingest HTML files/folders and WARC files through the pipeline. Returns outcome counts.

    ``site`` forces the site id; otherwise a stored page keeps its own, and a new one goes to the
    registry site whose allowed_domains match its host, or to "import"."""
    domains = {} if site else _registry_domains(sites_dir)
    db = connect(db_path)
    counts: dict[str, int] = {}
    try:
        for raw in paths:
            path = Path(raw)
            if not path.exists():
                raise FileNotFoundError(f"no such file or folder: {path}")
            source = iter_warc(path) if path.name.endswith(WARC_SUFFIXES) else iter_html([path])
            for rec in source:
                outcome = import_page(db, rec, site, domains)
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


def export(db_path: str, fmt: str, out: IO | None = None, site=None, since=None, where=None,
           gzip: bool = True, bom: bool = False) -> int:
    """Stream articles (jsonl/csv/parquet) or raw pages (warc, gzipped per record unless
    ``gzip`` is False) to ``out``; returns the row count. ``bom`` starts a CSV with U+FEFF, which
    Excel needs to read UTF-8 (on Chinese Windows it otherwise assumes GBK)."""
    db = connect(db_path, readonly=True)
    out = out or sys.stdout
    try:
        if fmt == "warc":
            return _export_warc(db, out, site, since, where, gzip)
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
            if bom:
                out.write("\ufeff")
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


REDIRECT_STATUS = "302 Found"  # the redirect's own code is not stored, only where it led


def _export_warc(db, out, site, since, where, gzip: bool = True) -> int:
    """Each stored page as a request record and its response; a page reached through a redirect
    gets the 3xx (with Location) under the address asked for, then the response under its
    final_url, so a replay tool and `provnews import` see what the crawl saw."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    sink = out.buffer if hasattr(out, "buffer") else out
    writer = WARCWriter(sink, gzip=gzip)
    clause, params = _select(site, since, where, table="pages")
    clause = (clause + " AND " if clause else " WHERE ") + "body_size > 0"
    n = 0
    for url, final_url, status, headers, body, fetched_at in db.execute(
            f"SELECT url, final_url, status, headers, body, fetched_at FROM pages{clause} ORDER BY rowid",
            params):
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


_KNOWN = {s.value for s in HTTPStatus}


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
