"""Article discovery beyond list pages: XML sitemaps (indexes, news sitemaps) and RSS/Atom feeds.

Pure functions over response bytes, so they are tested without a crawl. Each entry keeps the
date the sitemap or feed gives it: the dates stage uses it as a candidate (source sitemap/feed).
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from scrapy.utils.gz import gunzip

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemap protocol's own limit, after decompression
_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class Entry:
    url: str
    title: str = ""
    date: str = ""


def _root(body: bytes):
    if body[:2] == b"\x1f\x8b":
        body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
    try:
        return etree.fromstring(body.lstrip(), parser=_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _first(el, *names: str) -> str:
    for node in el.iter():
        if _local(node) in names and (node.text or "").strip():
            return node.text.strip()
    return ""


def parse_sitemap(body: bytes) -> tuple[list[str], list[Entry]]:
    """(child sitemap URLs of an index, article entries of a urlset)."""
    root = _root(body)
    if root is None:
        return [], []
    if _local(root) == "sitemapindex":
        return [_first(sm, "loc") for sm in root if _local(sm) == "sitemap" and _first(sm, "loc")], []
    entries = []
    for url in root:
        if _local(url) != "url":
            continue
        loc = _first(url, "loc")
        if loc:
            entries.append(Entry(loc, _first(url, "title"),
                                 _first(url, "publication_date") or _first(url, "lastmod")))
    return [], entries


def parse_feed(body: bytes) -> list[Entry]:
    """Entries of an RSS 2.0, RSS 1.0 or Atom feed."""
    root = _root(body)
    if root is None:
        return []
    entries = []
    for item in root.iter():
        name = _local(item)
        if name == "item":  # RSS
            link = _first(item, "link") or (item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about") or "")
            date = _first(item, "pubDate", "date", "published", "updated")
        elif name == "entry":  # Atom
            links = [ln for ln in item if _local(ln) == "link"]
            best = next((ln for ln in links if ln.get("rel", "alternate") == "alternate"), None)
            link = (best.get("href") if best is not None else "") or ""
            date = _first(item, "published", "updated")
        else:
            continue
        if link.strip():
            entries.append(Entry(link.strip(), _first(item, "title"), date))
    return entries
