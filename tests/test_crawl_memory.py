"""What the crawl's processes keep in memory: no decoded text held beside a response's body, no
Scrapy remote-control server, and stage workers that return freed memory (bench/
bench_crawl_speed.py --per-process measures the peaks; these check the mechanisms)."""
from __future__ import annotations

import os
import subprocess
import sys

from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list

from crawler.decoded_text import ForgetDecodedTextMiddleware
from pipelines.heap import return_freed_memory
from tests.conftest import ROOT

PAGE = ('<html><head><meta charset="gbk"><title>昆明</title></head><body><p>'
        + "滇池保护治理取得新进展。" * 400 + "</p></body></html>").encode("gbk")


def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return settings


def test_a_response_is_handed_on_without_the_text_the_meta_refresh_check_decoded():
    request = Request("http://www.km.gov.cn/c/2024-05-09/1.shtml", meta={"list_hint": {"text": "昆明"}})
    response = HtmlResponse(request.url, body=PAGE, headers={"Content-Type": "text/html"}, request=request)
    assert "滇池" in response.text[:4096]  # what MetaRefreshMiddleware reads; the response caches it all
    out = ForgetDecodedTextMiddleware().process_response(request, response)
    assert out is not response and out.body is response.body  # the same bytes, not a copy
    assert (out.url, out.status, out.headers, out.request, out.meta, out.encoding) == (
        response.url, response.status, response.headers, request, request.meta, response.encoding)
    assert out._cached_ubody is None  # the decoded text went with the old object (Scrapy's cache)
    assert out.text == response.text  # and a callback that wants it decodes it again, alike
    feed = XmlResponse("http://www.km.gov.cn/rss.xml", body=b"<rss/>", request=request)
    assert ForgetDecodedTextMiddleware().process_response(request, feed) is feed
    # a list page's callback reads its text at once: it keeps what was decoded (not decoded twice)
    listing = Request("http://www.km.gov.cn/c/index.shtml", meta={"provnews_list": "http://www.km.gov.cn/c/"})
    page = HtmlResponse(listing.url, body=PAGE, headers={"Content-Type": "text/html"}, request=listing)
    assert ForgetDecodedTextMiddleware().process_response(listing, page) is page


def test_the_middleware_runs_right_after_the_meta_refresh_check():
    """process_response goes from the highest number down: MetaRefreshMiddleware (580) decodes,
    this one (below it, above RetryMiddleware's 550) lets the text go before anything else."""
    order = build_component_list(project_settings().getwithbase("DOWNLOADER_MIDDLEWARES"))
    mine = order.index("crawler.decoded_text.ForgetDecodedTextMiddleware")
    assert order[mine + 1] == "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"


def test_a_crawl_starts_no_remote_control_server_and_does_not_import_it():
    """Scrapy 2.19 turns on, by default, an HTTP server in every crawl that runs Python sent to it
    (and leaves its token in a file in the user's home); the crawl has no use for it, as it has
    none for the telnet console. Scrapy imports every listed extension, even one set to None, and
    this one brings aiohttp (~9 MB of the main process): it is not listed at all."""
    code = ("import sys; from scrapy.settings import Settings; from scrapy.utils.conf import build_component_list; "
            "s = Settings(); s.setmodule('crawler.settings', priority='project'); "
            "names = build_component_list(s.getwithbase('EXTENSIONS')); "
            "print(s.getbool('REMOTE_CONTROL_ENABLED'), any('remote_control' in n for n in names), "
            "'scrapy.extensions.remote_control' in sys.modules, 'aiohttp' in sys.modules, "
            "'scrapy.extensions.corestats.CoreStats' in names)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.stdout.split() == ["False", "False", "False", "False", "True"], proc.stderr
    # the settings' EXTENSIONS_BASE is computed when Scrapy reads it: a CLI command reading a default does not import Scrapy
    code = "import sys, crawler.settings as s; print(s.PROVNEWS_DB, 'scrapy' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.stdout.split() == ["data/news.db", "False"], proc.stderr


def test_the_malloc_threshold_is_fixed_on_this_system():
    """pipelines/heap.py, which every stage worker (and the crawl's main process) runs at start:
    mallopt answers 1 when glibc took the setting."""
    assert return_freed_memory() is True


ARENAS = """
import ctypes, sys, threading
from pipelines.heap import limit_arenas
if sys.argv[1] == "limit":
    assert limit_arenas() is True
libc = ctypes.CDLL(None)
libc.malloc.restype = libc.fopen.restype = ctypes.c_void_p
blocks, started, hold = [], threading.Barrier(7), threading.Event()
def work():
    blocks.append(libc.malloc(4096))  # a thread's first malloc picks (or makes) its arena
    started.wait()
    hold.wait()
threads = [threading.Thread(target=work) for _ in range(6)]
for t in threads:
    t.start()
started.wait()
fp = libc.fopen(sys.argv[2].encode(), b"w")
assert fp, "fopen failed"
libc.malloc_info(0, ctypes.c_void_p(fp))
libc.fclose(ctypes.c_void_p(fp))
hold.set()
for t in threads:
    t.join()
print(open(sys.argv[2]).read().count("<heap nr="))
"""


def test_the_crawls_threads_share_two_malloc_arenas(tmp_path):
    """The crawl's main process runs the reactor, the writer and Twisted's and the pool's threads;
    glibc gives each thread that allocates its own arena (up to 8 per core), each holding freed
    memory of its own: about 7 MB of the main process at 2,000 pages. heap.limit_arenas caps them."""
    counts = {}
    env = {k: v for k, v in os.environ.items() if k not in ("MALLOC_ARENA_MAX", "GLIBC_TUNABLES")}  # glibc's own
    for mode in ("default", "limit"):
        proc = subprocess.run([sys.executable, "-c", ARENAS, mode, str(tmp_path / f"{mode}.xml")], cwd=ROOT,
                              capture_output=True, text=True, timeout=60, env=env)
        assert proc.returncode == 0, proc.stderr
        counts[mode] = int(proc.stdout)
    assert counts["default"] > 2 and counts["limit"] <= 2, counts
