"""The offline mirror: fictional Yunnan sites served on 127.0.0.1 as an HTTP proxy.

Scrapy talks to it exactly as to a proxy in production (absolute URLs in the request line), so
the demo and the tests crawl real hostnames with the real code path and never leave loopback.
Files live in data/mirror/<host>/<path>; a directory path serves its index.html; each host may
have a _routes.json: {"/path": {"status": 301, "location": "/new"} | {"status": 404} |
{"content_type": "..."}}. Files carry ETag and Last-Modified; a matching If-None-Match gets 304.
Every request is logged (method, host, path, status, conditional headers sent).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import mimetypes
import threading
import time
from email.utils import formatdate
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from crawler.settings import PROJECT_ROOT

MIRROR_DIR = PROJECT_ROOT / "data" / "mirror"
SITES_DIR = MIRROR_DIR / "sites"


@dataclass
class RequestLog:
    entries: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, entry: dict) -> None:
        with self.lock:
            self.entries.append(entry)

    def snapshot(self) -> list[dict]:
        with self.lock:
            return list(self.entries)


class MirrorHandler(BaseHTTPRequestHandler):
    server_version = "provnews-mirror/1"
    root: Path = MIRROR_DIR
    log: RequestLog

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass  # the request log below replaces stderr chatter

    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        parts = urlsplit(self.path)
        host = (parts.hostname or self.headers.get("Host", "").split(":")[0]).lower()
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        if self.server.delay:
            with self.server.one_at_a_time or contextlib.nullcontext():
                time.sleep(self.server.delay)  # a slow server, for kill and throughput tests
        status, headers, body = self._resolve(host, path)
        etag = headers.get("ETag")
        if status == 200 and etag and self.headers.get("If-None-Match") == etag:
            status, body = 304, b""
        self.server.log.add({"t": time.monotonic(), "method": self.command, "host": host, "path": path,
                             "status": status,
                             "if_none_match": self.headers.get("If-None-Match"),
                             "if_modified_since": self.headers.get("If-Modified-Since"),
                             "referer": self.headers.get("Referer")})
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client went away (a killed crawl): nothing to report

    def _resolve(self, host: str, path: str) -> tuple[int, dict, bytes]:
        site = (self.root / host).resolve()
        if not host or not site.is_dir() or self.root.resolve() not in site.parents:
            return 502, {"Content-Type": "text/plain"}, b"unknown host in mirror\n"
        routes_file = site / "_routes.json"
        routes = json.loads(routes_file.read_text("utf-8")) if routes_file.exists() else {}
        route = routes.get(path, {})
        if "location" in route:
            return route.get("status", 301), {"Location": route["location"]}, b""
        if route.get("status") and route["status"] != 200:
            return route["status"], {"Content-Type": "text/html"}, b"<h1>not here</h1>"
        rel = path.split("?")[0].lstrip("/")
        target = (site / rel).resolve()
        if site not in target.parents and target != site:
            return 403, {}, b""
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file() or target.name.startswith("_"):
            return 404, {"Content-Type": "text/html"}, b"<html><body>404 Not Found</body></html>"
        ctype = route.get("content_type") or mimetypes.guess_type(target.name)[0] or "text/html"
        if target.suffix in (".html", ".shtml", ".htm"):
            ctype = route.get("content_type", "text/html")
        body = target.read_bytes()
        headers = {"Content-Type": ctype}
        if route.get("validators", True):
            headers["ETag"] = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers["Last-Modified"] = formatdate(target.stat().st_mtime, usegmt=True)
        return 200, headers, body


class MirrorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int = 0, root: Path = MIRROR_DIR, delay: float = 0.0, serial: bool = False):
        """``delay`` seconds before each response; with ``serial`` those delays queue one behind the
        other, so the server answers at most 1/delay requests a second however many the client sends."""
        handler = type("Handler", (MirrorHandler,), {"root": root})
        super().__init__(("127.0.0.1", port), handler)
        self.log = RequestLog()
        self.delay = delay
        self.one_at_a_time = threading.Lock() if serial else None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start_background(self) -> "MirrorServer":
        threading.Thread(target=self.serve_forever, daemon=True, name="mirror").start()
        return self
