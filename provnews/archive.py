"""Archives in: local HTML files and WARC files (`provnews import`). Out: provnews/exporters.py.

Imported pages go through the same stage runner (pipelines/stage_pool.run_stages) and the same
store as crawled ones.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from pipelines.packing import decompress
from pipelines.page import new_page
from pipelines.stage_pool import run_stages
from pipelines.store import connect, save_page
from provnews.exporters import DROP_ON_EXPORT

HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc.gz")


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
        records = ArchiveIterator(f)
        while True:
            try:  # warcio raises its own, ValueError or AttributeError on what is not WARC
                record = next(records)
            except StopIteration:
                return
            except Exception as e:  # noqa: BLE001 - whatever the reader says, it is this file's fault
                raise ImportProblem(f"{path} is not a readable WARC file ({type(e).__name__}: {e}); "
                                    "the records before this point were imported") from None
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


class ImportProblem(ValueError):
    """A file that cannot be read as what its name says; ``counts`` holds what was imported."""

    counts: dict[str, int] = {}


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
    return save_page(db, run_stages((page, {})))


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
    except ImportProblem as e:
        e.counts = counts
        raise
    finally:
        db.conn.close()
    return counts
