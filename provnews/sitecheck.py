"""A live dry run of one site, writing nothing: what `provnews check-site` and `add-site` show.

It fetches only what the user named — the site's start pages (and sitemaps/feeds), its robots.txt
and a few sample articles — through the given proxy when there is one, obeying robots.txt and
never leaving the site's domains, not even by a redirect. Links are classed by the crawl's own
code (the site's regexes when it has them, crawler/link_classes.py when not) and samples go
through the same pure stages as a crawl (pipelines.process_page), so the verdict predicts what a
crawl would store.
"""
from __future__ import annotations

import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from crawler import settings as defaults
from crawler.link_classes import (ARTICLE, LIST, OTHER, Classified, Link, classify, page_kind, page_links,
                                  page_tree, template)
from crawler.registry import Site

SAMPLES = 3  # sample articles fetched
TRIES = 8  # candidates tried to find them (some turn out to be lists or fail)
EXAMPLES = 3  # example links shown per class


@dataclass
class Fetched:
    url: str
    status: int | None = None
    headers: dict | None = None
    body: bytes = b""
    error: str = ""
    final_url: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # redirects are followed by hand, so an off-site one is caught, not taken


class Fetcher:
    """urllib through the user's proxy (or none: environment proxies are ignored too)."""

    def __init__(self, site: Site, proxy: str = "", timeout: float | None = None):
        self.site = site
        handlers = [urllib.request.ProxyHandler({"http": proxy, "https": proxy} if proxy else {}), _NoRedirect()]
        self.opener = urllib.request.build_opener(*handlers)
        self.timeout = timeout or site.timeout or defaults.DOWNLOAD_TIMEOUT
        self.robots: dict[str, RobotFileParser] = {}

    def _raw(self, url: str) -> Fetched:
        request = urllib.request.Request(url, headers={"User-Agent": defaults.USER_AGENT})
        try:
            with self.opener.open(request, timeout=self.timeout) as resp:
                body = resp.read(self.site.max_bytes or defaults.DOWNLOAD_MAXSIZE)
                return Fetched(url, resp.status, dict(resp.headers.items()), body, final_url=url)
        except urllib.error.HTTPError as e:
            return Fetched(url, e.code, dict(e.headers.items()) if e.headers else {}, final_url=url,
                           error="" if 300 <= e.code < 400 else f"http {e.code}")
        except (urllib.error.URLError, OSError, ValueError) as e:
            reason = getattr(e, "reason", e)
            return Fetched(url, error=f"unreachable: {reason}", final_url=url)

    def robots_allow(self, url: str) -> bool:
        root = urljoin(url, "/robots.txt")
        if root not in self.robots:
            parser = RobotFileParser()
            got = self._raw(root)
            if got.status == 200:
                parser.parse(got.body.decode("utf-8", "replace").splitlines())
            else:
                parser.parse([])  # no robots.txt (or an error): everything allowed, as Scrapy does
            self.robots[root] = parser
        return self.robots[root].can_fetch(defaults.USER_AGENT, url)

    def get(self, url: str) -> Fetched:
        """GET with robots.txt obeyed and redirects followed only within the site's domains."""
        for _ in range(defaults.REDIRECT_MAX_TIMES):
            if not self.robots_allow(url):
                return Fetched(url, error="blocked by robots.txt", final_url=url)
            got = self._raw(url)
            location = (got.headers or {}).get("Location") if got.status and 300 <= got.status < 400 else None
            if not location:
                return got
            target = urljoin(url, location)
            if not self.site.allows(target):
                return Fetched(url, got.status, error=f"redirects off-site to {urlsplit(target).hostname}",
                               final_url=target)
            url = target
        return Fetched(url, error="too many redirects", final_url=url)


def _classes(site: Site, links: list[Link]) -> list[Classified]:
    """The crawl's own decision: explicit regexes win when the site has them."""
    if not site.article_patterns:
        return classify(links)
    import re

    article, follow, deny = ([re.compile(p) for p in ps] for ps in
                             (site.article_patterns, site.follow_patterns, site.deny_patterns))
    out = []
    for link in links:
        if any(p.search(link.url) for p in deny):
            kind = OTHER
        else:
            kind = ARTICLE if any(p.search(link.url) for p in article) else \
                LIST if any(p.search(link.url) for p in follow) else OTHER
        out.append(Classified(link.url, kind, template(link.url), "site regexes"))
    return out


def _sample(fetcher: Fetcher, site: Site, url: str, hint: Link | None) -> dict:
    from pipelines.page import new_page
    from pipelines import process_page

    got = fetcher.get(url)
    out = {"url": url, "title": "", "published_at": None, "published_source": None, "author": "",
           "source": "", "body_chars": 0, "first_line": "", "kind": ARTICLE, "error": got.error}
    if got.error:
        return out
    tree = page_tree(got.body, got.headers or {}, url, site.encoding)
    if tree is not None and not site.article_patterns:
        out["kind"] = page_kind(tree, url)
    page = new_page(url, site=site.id, body=got.body, status=got.status, headers=got.headers or {},
                    list_hint={"text": hint.text, "date": hint.date} if hint else {})
    process_page(page, site.rules())
    if page.get("error"):
        out["error"] = page["error"]
        return out
    a = page["article"]
    body = a.get("body") or ""
    out.update(title=a.get("title") or "", published_at=a.get("published_at"),
               published_source=a.get("published_source"), author=a.get("author") or "",
               source=a.get("source") or "", body_chars=len(body),
               first_line=(body.splitlines() or [""])[0][:80])
    return out


def check(site: Site, proxy: str = "", samples: int = SAMPLES) -> dict:
    """The dry run's report (plain data: printed as a table or as JSON)."""
    from crawler.discovery import parse_feed, parse_sitemap

    fetcher = Fetcher(site, proxy)
    report: dict = {"site": site.id, "links": "explicit" if site.article_patterns else "discovered",
                    "start_pages": [], "counts": {ARTICLE: 0, LIST: 0, OTHER: 0},
                    "examples": {ARTICLE: [], LIST: [], OTHER: []}, "templates": [], "samples": [],
                    "problems": []}
    candidates: dict[str, Link] = {}
    tpl_count: Counter = Counter()
    for url in (*site.start_urls, *site.sitemaps, *site.feeds):
        got = fetcher.get(url)
        report["start_pages"].append({"url": url, "status": got.status, "error": got.error})
        if got.error:
            report["problems"].append(f"{url}: {got.error}")
            continue
        if url in site.start_urls:
            tree = page_tree(got.body, got.headers or {}, url, site.encoding)
            links = [link for link in page_links(tree, url) if fetcher.site.allows(link.url)] if tree is not None else []
        else:
            entries = parse_sitemap(got.body)[1] if url in site.sitemaps else parse_feed(got.body)
            links = [Link(e.url, e.title, e.date) for e in entries]
        by_url = {link.url: link for link in links}
        for c in _classes(site, links):
            report["counts"][c.kind] += 1
            if len(report["examples"][c.kind]) < EXAMPLES:
                report["examples"][c.kind].append({"url": c.url, "why": c.why})
            if c.kind == ARTICLE and c.url not in candidates:
                candidates[c.url] = by_url.get(c.url) or Link(c.url)
                tpl_count[c.template] += 1
    report["templates"] = [{"template": t, "links": n} for t, n in tpl_count.most_common()]
    fetched_any = any(not p["error"] for p in report["start_pages"])
    if fetched_any and not candidates:
        report["problems"].append("no articles found")
    for url in _spread(candidates, tpl_count)[:TRIES]:
        if sum(s["kind"] == ARTICLE and not s["error"] for s in report["samples"]) >= samples:
            break
        report["samples"].append(_sample(fetcher, site, url, candidates[url]))
    good = [s for s in report["samples"] if s["kind"] == ARTICLE and not s["error"]]
    for s in report["samples"]:
        if s["error"]:
            report["problems"].append(f"{s['url']}: {s['error']}")
        elif s["kind"] != ARTICLE:
            report["problems"].append(f"{s['url']}: a {s['kind']} page, not an article")
    for key, problem in (("title", "titles missing"), ("published_at", "dates missing"),
                         ("body_chars", "bodies empty")):
        if any(not s[key] for s in good):
            report["problems"].append(problem)
    report["ok"] = bool(good) and all(s["title"] and s["published_at"] and s["body_chars"] for s in good)
    report["verdict"] = "ok" if report["ok"] else "; ".join(dict.fromkeys(report["problems"])) or "no sample article"
    return report


def _spread(candidates: dict[str, Link], tpl_count: Counter) -> list[str]:
    """Candidates ordered so the samples come from the most common templates, one each first."""
    by_tpl: dict[str, list[str]] = {}
    for url in candidates:
        by_tpl.setdefault(template(url), []).append(url)
    order = [t for t, _ in tpl_count.most_common()]
    out: list[str] = []
    for rank in range(max((len(v) for v in by_tpl.values()), default=0)):
        out += [by_tpl[t][rank] for t in order if rank < len(by_tpl[t])]
    return out
