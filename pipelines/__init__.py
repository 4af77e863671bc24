"""The product's core: decode → extract → dates → dedup → store, one module per stage.

Each stage is a pure function on plain data (bytes, str, dicts), so the crawl, the re-ingest and
`provnews extract` run one code path. The small classes at the bottom of each module are the only
Scrapy-facing parts: they call the function and record a failure on the item instead of dropping it.
"""
from __future__ import annotations

from typing import Callable

EXTRACTOR_VERSION = "0.3.0"  # bump when extract/dates rules change: re-ingest compares it


class StageError(Exception):
    """A page that a stage cannot handle (not HTML, no text...). Stored with its message."""


def run_stage(page: dict, stage: str, fn: Callable[[dict], None]) -> dict:
    """Run one stage on a page dict unless an earlier stage failed; keep any error on the page."""
    if page.get("error"):
        return page
    try:
        fn(page)
    except Exception as e:  # noqa: BLE001 - a bad page must never stop the crawl
        page["error"] = f"{stage}: {type(e).__name__}: {e}"[:1000]
    return page


class StagePipeline:
    """Base of the thin Scrapy adapters: ``process_item`` runs ``stage`` on the item dict."""

    stage = ""

    def __init__(self, crawler=None):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def site_rules(self) -> dict:
        site = getattr(getattr(self.crawler, "spider", None), "site", None)
        return site.rules() if site is not None else {}

    def apply(self, page: dict, rules: dict) -> None:
        raise NotImplementedError

    def process_item(self, item):
        rules = self.site_rules()
        return run_stage(item, self.stage, lambda p: self.apply(p, rules))


def process_page(page: dict, rules: dict | None = None) -> dict:
    """decode → extract → dates → dedup on one page dict, as the crawl does, without storing."""
    from pipelines.dates import apply_dates
    from pipelines.decode import apply_decode
    from pipelines.dedup import apply_dedup
    from pipelines.extract import apply_extract

    rules = rules or {}
    run_stage(page, "decode", lambda p: apply_decode(p, rules))
    run_stage(page, "extract", lambda p: apply_extract(p, rules))
    run_stage(page, "dates", lambda p: apply_dates(p, rules))
    run_stage(page, "dedup", apply_dedup)
    return page
