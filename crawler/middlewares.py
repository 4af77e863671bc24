"""Downloader middleware: route every request through PROVNEWS_PROXY when it is set.

Scrapy's own HttpProxyMiddleware only reads ``meta['proxy']`` or the environment; setting the meta
key here (before it runs) also covers the robots.txt requests Scrapy makes on its own. The offline
mirror is served this way, so the demo crawls exactly like a real crawl, real hostnames included.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest


class ProxyMiddleware:
    def __init__(self, proxy: str):
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("PROVNEWS_PROXY") or "")

    def process_request(self, request: Request, spider=None):
        if self.proxy and "proxy" not in request.meta:
            request.meta["proxy"] = self.proxy
        return None


class StayOnSiteMiddleware:
    """Refuse any request outside the site's allowed domains, redirects included.

    Scrapy's own offsite check lets dont_filter requests through; ours does not, so a redirect to
    another domain ends as an error recorded against the page that redirected."""

    def __init__(self, crawler=None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request, spider=None):
        site = getattr(getattr(self.crawler, "spider", None), "site", None)
        if site is None or request.meta.get("dont_obey_robotstxt") and request.url.endswith("/robots.txt"):
            return None
        if not site.allows(request.url):
            host = (urlsplit(request.url).hostname or "").lower()
            raise IgnoreRequest(f"off-site: {host} is not in allowed_domains")
        return None


class SharedDelayMiddleware:
    """A site's delay kept across every node of a shared crawl (`provnews crawl --redis`).

    Scrapy's DOWNLOAD_DELAY is per process: three nodes would hit a site three times as often.
    Here a request leaves only when it wins the site's gate key in Redis (SET NX PX delay), so
    all nodes together start at most one request per delay; the others wait for the key to
    expire. Concurrency per domain stays a per-node setting."""

    def __init__(self, crawler, delay: float):
        self.crawler = crawler
        self.delay_ms = int(delay * 1000)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getfloat("PROVNEWS_SHARED_DELAY"))

    async def process_request(self, request: Request, spider=None):
        import asyncio

        state = getattr(self.crawler.spider, "state", None)
        if self.delay_ms <= 0 or state is None:
            return None
        gate = state.k["gate"]
        while not state.r.set(gate, state.node, nx=True, px=self.delay_ms):
            wait_ms = state.r.pttl(gate)
            await asyncio.sleep(max(wait_ms, 1) / 1000)
        return None
