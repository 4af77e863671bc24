"""Downloader middleware: route every request through PROVNEWS_PROXY when it is set.

Scrapy's own HttpProxyMiddleware only reads ``meta['proxy']`` or the environment; setting the meta
key here (before it runs) also covers the robots.txt requests Scrapy makes on its own. The offline
mirror is served this way, so the demo crawls exactly like a real crawl, real hostnames included.
"""
from __future__ import annotations

from scrapy import Request


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
