"""A hostile web on 127.0.0.1: every kind of bad input a provincial crawler meets, one URL each.

Served as an HTTP proxy (like the mirror) for the host hostile.test, so the crawl runs the real
code path. KINDS lists each article-shaped URL, what the server does, and what provnews must record.
"""
from __future__ import annotations

import gzip
import socket
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOST = "hostile.test"
STORY = "记者从昆明市应急管理局获悉，全市今年已完成防汛应急演练120场次，参与群众逾三万人。"
PARAS = [STORY, "市应急管理局相关负责人表示，将进一步完善预警信息发布机制，确保信息直达村组和群众。",
         "据介绍，全市已储备防汛物资价值两千余万元，各类救援队伍随时待命。"]


def article(title: str, extra_head: str = "", date: str = "2024-05-09 10:21", paras=PARAS) -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f"<html><head><meta charset='utf-8'>{extra_head}<title>{title}_测试站</title></head><body>"
            f"<h1>{title}</h1><div class='info'>发布时间：{date} 来源：测试日报</div>"
            f"<div class='content'>{body}</div></body></html>")


def _bomb(kind: str) -> bytes:
    raw = b"<html><body>" + b"A" * (64 * 1024 * 1024) + b"</body></html>"  # 64 MB decompressed
    if kind == "gzip":
        return gzip.compress(raw, 9)
    return zlib.compress(raw, 9)


BOMBS: dict[str, bytes] = {}

# path → (what it is, expected outcome: "article" | "error:<substring>" | "status:<n>")
KINDS: dict[str, tuple[str, str]] = {
    "/a/ok.html": ("a well-formed article (control)", "article"),
    "/a/truncated.html": ("HTML cut off mid-tag", "article"),
    "/a/malformed.html": ("unclosed and misnested tags, stray end tags", "article"),
    "/a/empty.html": ("200 with an empty body", "error:empty body"),
    "/a/pdf.html": ("a PDF served as text/html", "error:binary body"),
    "/a/binary.html": ("random binary bytes served as text/html", "error:binary body"),
    "/a/octet.html": ("HTML served as application/octet-stream (sniffed as HTML)", "article"),
    "/a/csv.html": ("a CSV file served as text/csv", "error:not HTML"),
    "/a/huge.html": ("a 20 MB page (over the download limit)", "error:fetch:"),
    "/a/gzip-bomb.html": ("gzip body expanding to 64 MB", "error:fetch:"),
    "/a/deflate-bomb.html": ("deflate body expanding to 64 MB", "error:fetch:"),
    "/a/bad-gbk.html": ("GBK with invalid byte sequences", "article"),
    "/a/gb2312-is-utf8.html": ("declares gb2312, sends UTF-8", "article"),
    "/a/utf8-is-gbk.html": ("declares UTF-8 (header and meta), sends GBK", "article"),
    "/a/mixed.html": ("UTF-8 page with a GBK-encoded paragraph", "article"),
    "/a/unknown-charset.html": ("declares charset=x-klingon", "article"),
    "/a/xml-decl.html": ("XHTML with an <?xml encoding='gbk'?> declaration, UTF-8 bytes", "article"),
    "/a/links-50k.html": ("an article page with 50,000 links", "article"),
    "/a/deep.html": ("10,000 nested <div>s around the story", "article"),
    "/a/redirect-loop.html": ("redirects in a loop", "error:fetch:"),
    "/a/redirect-chain.html": ("4 redirects, then the article", "article"),
    "/a/offsite.html": ("redirects to another domain", "error:fetch:"),
    "/a/403.html": ("403 Forbidden", "status:403"),
    "/a/404.html": ("404 Not Found", "status:404"),
    "/a/410.html": ("410 Gone", "status:410"),
    "/a/429.html": ("429 with Retry-After, every time", "status:429"),
    "/a/500.html": ("500 Internal Server Error, every time", "status:500"),
    "/a/503.html": ("503 Service Unavailable, every time", "status:503"),
    "/a/stall.html": ("headers, then nothing (stalled body)", "error:fetch:"),
    "/a/reset.html": ("connection reset mid-body", "error:fetch:"),
    "/private/a/robots.html": ("disallowed by robots.txt", "error:robots"),
    "/a/dup-1.html": ("the same article under two URLs (1)", "article"),
    "/a/dup-2.html": ("the same article under two URLs (2)", "article"),
    "/a/future.html": ("a page whose printed date is in 2099", "article"),
    "/a/notext.html": ("a page with no text at all", "article"),
    "/a/cookie.html": ("sets cookies and an auth challenge header", "article"),
}


# What provnews records for each URL above (docs/hostile-web.md is generated from KINDS and this,
# with cog; tests/test_docs.py fails when they differ). `expected` in KINDS is what the test asserts.
RECORDS: dict[str, str] = {
    "/a/ok.html": "article",
    "/a/truncated.html": "article (the text that arrived)",
    "/a/malformed.html": "article",
    "/a/empty.html": "`decode: StageError: empty body`",
    "/a/pdf.html": "`decode: StageError: binary body (b'%PDF') …`",
    "/a/binary.html": "`decode: StageError: binary body (control bytes)`",
    "/a/octet.html": "article (sniffed: `<html` in the first 4 KB)",
    "/a/csv.html": "`decode: StageError: not HTML: content-type text/csv`",
    "/a/huge.html": "`fetch: DownloadCancelledError: Expected to receive 20971546 bytes which is larger than download max size`",
    "/a/gzip-bomb.html": "`fetch: IgnoreRequest: … exceeded DOWNLOAD_MAXSIZE during decompression`",
    "/a/deflate-bomb.html": "the same as the gzip bomb",
    "/a/bad-gbk.html": "article; the damage is one replacement character",
    "/a/gb2312-is-utf8.html": "article (the bytes decide: they are valid UTF-8)",
    "/a/utf8-is-gbk.html": "article (decoded as gb18030)",
    "/a/mixed.html": "article, both parts right (UTF-8, invalid runs read as gb18030)",
    "/a/unknown-charset.html": "article (the unknown name is ignored)",
    "/a/xml-decl.html": "article",
    "/a/links-50k.html": "article; the link block is pruned before trafilatura (about 1 s)",
    "/a/deep.html": "article (repeated wrappers collapsed when libxml2's 256-level limit loses text)",
    "/a/redirect-loop.html": "`fetch: IgnoreRequest: max redirections reached`",
    "/a/redirect-chain.html": "article under the first URL, `final_url` the last",
    "/a/offsite.html": "`fetch: IgnoreRequest: off-site: elsewhere.test is not in allowed_domains`; never requested",
    "/a/403.html": "`http 403`; not retried (permanent)",
    "/a/404.html": "`http 404`; not retried (permanent)",
    "/a/410.html": "`http 410`; not retried (permanent)",
    "/a/429.html": "retried twice in the run, then `http 429`; retried on up to 3 later runs",
    "/a/500.html": "retried twice, then `http 500`; retried on up to 3 later runs",
    "/a/503.html": "retried twice, then `http 503`; retried on up to 3 later runs",
    "/a/stall.html": "`fetch: DownloadTimeoutError: … took longer than 3.0 seconds`",
    "/a/reset.html": "`fetch: ResponseDataLossError`",
    "/private/a/robots.html": "`fetch: IgnoreRequest: Forbidden by robots.txt`; never requested",
    "/a/dup-1.html": "article; its copy gets the same fingerprint and `cluster_id`",
    "/a/dup-2.html": "article with the same fingerprint and `cluster_id` as its copy",
    "/a/future.html": "article; the date is rejected (after `fetched_at` + 1 day)",
    "/a/notext.html": "article with an empty body (counted in `site_health.empty`)",
    "/a/cookie.html": "article; `Set-Cookie`/`Cookie`/`Authorization` headers are never stored",
}
# list pages the server also serves (not articles): what the crawl does with them
LIST_RECORDS: dict[str, tuple[str, str]] = {
    "/big-list.html": ("a list page with 50,000 article-shaped links",
                       "the first 2,000 links are read (`[limits] max_links`)"),
    "/pages/1.html": ("infinite pagination: page N links to page N+1 forever",
                      "stops at `[list] max_pages` (6 here)"),
}


def doc_table() -> str:
    """The table of docs/hostile-web.md: every URL, what the server does, what provnews records."""
    rows = ["| URL | what the server does | what provnews records |", "|---|---|---|"]
    rows += [f"| `{path}` | {what} | {RECORDS[path]} |" for path, (what, _) in KINDS.items()]
    rows += [f"| `{path}` | {what} | {record} |" for path, (what, record) in LIST_RECORDS.items()]
    return "\n".join(rows) + "\n"


class HostileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002
        pass

    def do_GET(self):  # noqa: C901 - one branch per kind, on purpose
        parts = urlsplit(self.path)
        host = (parts.hostname or self.headers.get("Host", "").split(":")[0]).lower()
        path = parts.path
        self.server.log.append((host, path))
        try:
            self._route(host, path, parts.query)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", **headers):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status: int = 302):
        self.send(status, b"", Location=location)

    def _route(self, host: str, path: str, query: str):
        if host != HOST:
            return self.send(200, article("外站页面").encode())
        if path == "/robots.txt":
            return self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/list.html":
            links = "".join(f'<li><a href="{p}">{k[0]}</a></li>' for p, k in KINDS.items())
            return self.send(200, f"<html><body><ul>{links}</ul><a href='/pages/1.html'>更多</a>"
                                  f"<a href='/big-list.html'>全部</a></body></html>".encode())
        if path.startswith("/pages/"):  # infinite pagination: page N links to page N+1, forever
            n = int(path.split("/")[-1].split(".")[0])
            return self.send(200, f"<html><body><a href='/pages/{n + 1}.html'>下一页</a></body></html>".encode())
        if path == "/big-list.html":  # a list page with 50,000 article-shaped links
            links = "".join(f"<a href='/gen/{i}.html'>第{i}条</a>" for i in range(50_000))
            return self.send(200, f"<html><body>{links}</body></html>".encode())
        name = path
        if name == "/a/ok.html":
            return self.send(200, article("应急演练全面铺开").encode())
        if name == "/a/truncated.html":
            return self.send(200, article("演练截断页").encode()[:-60])
        if name == "/a/malformed.html":
            html = ("<html><head><title>错乱标签页_测试站</title><body><h1>错乱标签页<div><p>" + PARAS[0] +
                    "<p>" + PARAS[1] + "</span></div></div><table><p>" + PARAS[2] + "</td></b></html></html>")
            return self.send(200, html.encode())
        if name == "/a/empty.html":
            return self.send(200, b"")
        if name == "/a/pdf.html":
            return self.send(200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n")
        if name == "/a/binary.html":
            return self.send(200, bytes(range(256)) * 64)
        if name == "/a/octet.html":
            return self.send(200, article("二进制类型").encode(), "application/octet-stream")
        if name == "/a/csv.html":
            return self.send(200, "标题,日期\n昆明,2024-05-09\n".encode() * 50, "text/csv; charset=utf-8")
        if name == "/a/huge.html":
            filler = ("<p>" + STORY * 10 + "</p>").encode() * 20000  # about 20 MB
            return self.send(200, b"<html><body>" + filler[: 20 * 1024 * 1024] + b"</body></html>")
        if name in ("/a/gzip-bomb.html", "/a/deflate-bomb.html"):
            kind = "gzip" if "gzip" in name else "deflate"
            body = BOMBS.setdefault(kind, _bomb(kind))
            return self.send(200, body, Content_Encoding=kind)
        if name == "/a/bad-gbk.html":
            good = article("编码损坏页", paras=PARAS).replace("charset='utf-8'", "charset='gbk'").encode("gbk")
            at = good.index("全市今年".encode("gbk"))
            return self.send(200, good[:at] + b"\xd6\x20" + good[at:], "text/html")  # a truncated character
        if name == "/a/gb2312-is-utf8.html":
            return self.send(200, article("声明GB2312实为UTF8").replace("charset='utf-8'", "charset='gb2312'").encode())
        if name == "/a/utf8-is-gbk.html":
            return self.send(200, article("声明UTF8实为GBK").encode("gbk"), "text/html; charset=utf-8")
        if name == "/a/mixed.html":
            html = article("混合编码页", paras=PARAS[:2] + ["@@GBK@@"]).encode()
            return self.send(200, html.replace(b"@@GBK@@", PARAS[2].encode("gbk")))
        if name == "/a/unknown-charset.html":
            return self.send(200, article("未知字符集").encode(), "text/html; charset=x-klingon")
        if name == "/a/xml-decl.html":
            return self.send(200, ("<?xml version='1.0' encoding='gbk'?>\n" + article("XML声明页")).encode())
        if name == "/a/links-50k.html":
            links = "".join(f"<a href='/x/{i}.html'>链接{i}</a>" for i in range(50_000))
            return self.send(200, article("五万链接页").replace("</body>", f"<div>{links}</div></body>").encode())
        if name == "/a/deep.html":
            html = article("深层嵌套页")
            return self.send(200, html.replace("<div class='content'>", "<div>" * 10_000 + "<div class='content'>")
                             .replace("</body>", "</div>" * 10_000 + "</body>").encode())
        if name == "/a/redirect-loop.html":
            return self.redirect("/a/redirect-loop-2.html")
        if name == "/a/redirect-loop-2.html":
            return self.redirect("/a/redirect-loop.html")
        if name.startswith("/a/redirect-chain"):
            step = int(query.split("=")[1]) if query else 0
            if step < 4:
                return self.redirect(f"/a/redirect-chain.html?step={step + 1}", 301)
            return self.send(200, article("多次跳转后的文章").encode())
        if name == "/a/offsite.html":
            return self.redirect("http://elsewhere.test/a/stolen.html")
        if name in ("/a/403.html", "/a/404.html", "/a/410.html", "/a/500.html", "/a/503.html"):
            return self.send(int(name[3:6]), b"<html><body>error</body></html>")
        if name == "/a/429.html":
            return self.send(429, b"slow down", "text/plain", Retry_After="1")
        if name == "/a/stall.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"<html><body><p>")
            self.wfile.flush()
            self.server.stop.wait(30)  # until the test ends; the crawler's timeout fires first
            return
        if name == "/a/reset.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "50000")
            self.end_headers()
            self.wfile.write(article("连接重置页").encode()[:200])
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.wfile.close()
            self.rfile.close()
            self.connection.close()  # with linger 0: RST, not FIN
            return
        if name in ("/a/dup-1.html", "/a/dup-2.html"):
            return self.send(200, article("同一篇文章两个地址").encode())
        if name == "/a/future.html":
            return self.send(200, article("日期在未来的文章", date="2099-01-01 08:00").encode())
        if name == "/a/notext.html":
            return self.send(200, b"<html><head><title></title></head><body><img src='a.png'></body></html>")
        if name == "/a/cookie.html":
            return self.send(200, article("设置Cookie的页面").encode(), Set_Cookie="session=secret123; Path=/",
                             WWW_Authenticate='Basic realm="x"')
        return self.send(404, b"not here")


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), HostileHandler)
        self.log: list[tuple[str, str]] = []
        self.stop = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request, client_address):
        pass  # resets and stalls are the point here; no tracebacks on stderr

    def start_background(self) -> "HostileServer":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        self.stop.set()
        self.shutdown()


SITE_TOML = f"""id = "hostile"
name = "敌对网站"
province = "云南"
start_urls = ["http://{HOST}/list.html"]
allowed_domains = ["{HOST}"]

[links]
article = ['/a/[\\w-]+\\.html$']
follow = ['/pages/\\d+\\.html$', '/big-list\\.html$']

[list]
max_pages = 6

[limits]
timeout = 3
max_bytes = 8000000

[politeness]
delay = 0.0
concurrency = 8
"""

if __name__ == "__main__":  # serve it by hand: python -m tests.hostile
    server = HostileServer()
    print(f"hostile web on {server.url} (proxy for http://{HOST}/list.html)")
    time.sleep(3600)
