"""Downloader middleware: a response forgets its decoded text once the meta-refresh check is done.

Scrapy's MetaRefreshMiddleware reads ``response.text`` of every HTML response (for its first 4,096
characters), and a TextResponse keeps what it decoded for as long as it lives. An article's
response lives until its page has gone through the stage workers and been committed, since Scrapy
counts it as in process until then; the crawl's main process never reads that text (the workers
decode the raw bytes themselves), yet it held each page's whole text as a str, 2 to 4 bytes a
character, beside its body: about 10 MB of the main process's peak in a 2,000-page crawl.
Handing on a copy of the response (the same body bytes, encoding, headers, request and flags)
without the cached text frees it at once; a callback that wants the text (a list page) decodes it
again, in the encoding already found.
"""
from __future__ import annotations

from scrapy.http import HtmlResponse, Response


class ForgetDecodedTextMiddleware:
    """Placed just after MetaRefreshMiddleware (crawler/settings.py), which decoded the text."""

    def process_response(self, request, response: Response, spider=None) -> Response:
        # an article's page: a list page's text is read by its callback at once, so it keeps it
        if isinstance(response, HtmlResponse) and "list_hint" in request.meta:
            return response.replace()  # its encoding passes along: found already, not inferred again
        return response
