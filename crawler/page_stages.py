"""The crawl's stage function: what a page fetched as an article really is, then its stages.

A site crawled by discovery (no `[links]` patterns) may hand us a 专题 index or a video page where
an article was expected. Telling them apart needs the parsed page, so it is done here, in the
stage workers beside the parse the extract stage needs anyway, not in the reactor thread (where
it cost a decode, a parse, a link walk, and on unclear pages a whole extraction, per article).
A page that is no article keeps its raw bytes and its verdict (``page_kind``), and skips the
stages; the crawl pipeline then follows a list's links in the reactor (crawler/crawl_pipeline.py).
"""
from __future__ import annotations

from crawler import learnt
from crawler.link_classes import ARTICLE, page_kind
from pipelines import StageError
from pipelines.decode import apply_decode
from pipelines.extract import parse_html
from pipelines.stage_pool import run_stages

CLASSIFY = "classify_pages"  # the rules flag: this site is crawled by discovery


def verdict(page: dict, rules: dict) -> str:
    """ARTICLE, LIST or OTHER for a fetched page; leaves the decoded text and its parse on the page
    for the stages. A page that does not decode is left to the decode stage (it records why)."""
    try:
        apply_decode(page, rules)
        page["_tree"] = parse_html(page["html"])
    except (StageError, ValueError):
        page.pop("html", None)
        return ARTICLE
    return page_kind(page["_tree"], page.get("final_url") or page["url"])


def crawl_stages(args: tuple[dict, dict]) -> dict:
    """run_stages, after the page's verdict when the site is crawled by discovery."""
    page, rules = args
    if rules.get(CLASSIFY) and not page.get("error") and page.get("body"):
        kind = verdict(page, rules)
        if kind != ARTICLE:
            page["page_kind"] = kind
            page["error"] = learnt.VERDICT_ERRORS[kind]
    return run_stages((page, rules))
