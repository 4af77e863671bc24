"""The site registry: one TOML file per source, validated against a declared schema.

Site knowledge lives in TOML, not code, and people write these files by hand; so every error
names the file and the dotted key (``links.article[1]``) and never stops other sites loading.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class SiteConfigError(ValueError):
    """A site file that cannot be used; the message names the file and the key."""

    def __init__(self, path: Path | str, key: str, problem: str):
        self.path, self.key, self.problem = str(path), key, problem
        where = f"{self.path}: {key}: " if key else f"{self.path}: "
        super().__init__(where + problem)


# key -> (type, required, description). Types: str, bool, int, float, "regexes", "xpaths",
# "urls", "strs", or a nested dict (a TOML table).
SCHEMA: dict[str, Any] = {
    "id": (str, True, "short unique id matching [a-z0-9-] and the file name"),
    "name": (str, True, "human name of the source"),
    "province": (str, True, "province, e.g. 云南"),
    "city": (str, False, "city or prefecture, e.g. 昆明"),
    "kind": (str, False, "gov, news or portal"),
    "verified": (bool, False, "true once `provnews check-site ID` said ok (shipped entries are false)"),
    "notes": (str, False, "free text"),
    "start_urls": ("urls", False, "home page or list/column pages the crawl starts from (optional when [discovery] gives sitemaps or feeds)"),
    "every": ("duration", False, "how often `provnews crawl --due` crawls it: 30m, 2h, 1d, 1h30m (default PROVNEWS_DEFAULT_EVERY, 1h)"),
    "refresh_after": ("duration", False, "re-fetch stored articles older than this, e.g. 7d"),
    "allowed_domains": ("strs", True, "bare domains the crawl may fetch, subdomains included; redirects elsewhere are dropped"),
    "encoding": (str, False, "charset override when the site lies about it"),
    "links": {
        "article": ("regexes", False, "URL regexes of article pages (searched, not anchored); absent: link discovery (crawler/link_classes.py)"),
        "deny": ("regexes", False, "URL regexes never followed"),
        "follow": ("regexes", False, "URL regexes of further list pages (pagination, columns)"),
        "restrict_xpaths": ("xpaths", False, "only read links inside these list-page regions"),
    },
    "discovery": {
        "sitemaps": ("urls", False, "XML sitemaps or sitemap indexes (news sitemaps' publication dates become date candidates)"),
        "feeds": ("urls", False, "RSS or Atom feeds (item dates become date candidates)"),
        "robots_sitemaps": (bool, False, "read Sitemap: lines from the robots.txt of the site's hosts"),
    },
    "list": {
        "max_pages": (int, False, "list pages followed per run (default PROVNEWS_MAX_LIST_PAGES; with link discovery PROVNEWS_DISCOVERY_MAX_LIST_PAGES)"),
        "trs_pager": (bool, False, "follow TRS createPageHTML(count, cur, 'index', 'html') pagers (default true)"),
    },
    "extract": {
        "prune": ("xpaths", False, "extra elements removed before extraction (the general rules come first)"),
        "date_xpath": ("xpaths", False, "where the visible publication date is"),
        "title_xpath": ("xpaths", False, "where the headline is"),
    },
    "limits": {
        "timeout": (float, False, "seconds per request (default DOWNLOAD_TIMEOUT)"),
        "max_bytes": (int, False, "largest response, after decompression (default DOWNLOAD_MAXSIZE)"),
        "max_links": (int, False, "links read from one list page (default PROVNEWS_MAX_LINKS_PER_PAGE)"),
    },
    "politeness": {
        "delay": (float, False, "seconds between requests to this site"),
        "concurrency": (int, False, "parallel requests to this site"),
    },
}

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
DURATION_RE = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$")


def parse_duration(text: str) -> int | None:
    """"30m" → 1800 seconds; "1h30m", "2d", "45s"; None when it is not a duration."""
    m = DURATION_RE.match(text or "")
    if not m or not any(m.groups()):
        return None
    d, h, mi, s = (int(x or 0) for x in m.groups())
    return ((d * 24 + h) * 60 + mi) * 60 + s


def default_every(settings) -> int:
    """PROVNEWS_DEFAULT_EVERY in seconds: the interval of a site whose file sets no `every`."""
    text = settings.get("PROVNEWS_DEFAULT_EVERY")
    seconds = parse_duration(text)
    if seconds is None:
        raise ValueError(f"PROVNEWS_DEFAULT_EVERY: not a duration (30m, 2h, 1d): {text!r}")
    return seconds


@dataclass(frozen=True)
class Site:
    """One validated source. Field names mirror the TOML keys."""

    id: str
    name: str
    province: str
    start_urls: tuple[str, ...]
    allowed_domains: tuple[str, ...]
    article_patterns: tuple[str, ...]
    path: str = ""
    city: str = ""
    kind: str = ""
    verified: bool = False
    encoding: str = ""
    deny_patterns: tuple[str, ...] = ()
    follow_patterns: tuple[str, ...] = ()
    restrict_xpaths: tuple[str, ...] = ()
    max_list_pages: int | None = None
    trs_pager: bool = True
    prune_xpaths: tuple[str, ...] = ()
    date_xpaths: tuple[str, ...] = ()
    title_xpaths: tuple[str, ...] = ()
    delay: float | None = None
    concurrency: int | None = None
    every: int | None = None  # seconds
    refresh_after: int | None = None  # seconds
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    robots_sitemaps: bool = False
    timeout: float | None = None
    max_bytes: int | None = None
    max_links: int | None = None
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    def allows(self, url: str) -> bool:
        """The URL's host is one of allowed_domains or a subdomain of one (the spider's links, the
        off-site middleware and check-site all ask this)."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)

    def rules(self) -> dict:
        """The per-site knobs the pure pipeline functions take (plain data, no Scrapy)."""
        return {
            "encoding": self.encoding,
            "prune_xpaths": list(self.prune_xpaths),
            "date_xpaths": list(self.date_xpaths),
            "title_xpaths": list(self.title_xpaths),
        }


def _check(path: Path, key: str, value: Any, kind: Any) -> Any:
    def fail(problem: str) -> SiteConfigError:
        return SiteConfigError(path, key, problem)

    if kind in (str, bool, int):
        # bool is an int subclass in Python; TOML keeps them apart, so do we
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise fail(f"expected {kind.__name__}, got {type(value).__name__} {value!r}")
        return value
    if kind == "duration":
        if not isinstance(value, str) or parse_duration(value) is None:
            raise fail(f"expected a duration such as 30m, 2h, 1d or 1h30m, got {value!r}")
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise fail(f"expected a non-negative number, got {value!r}")
        return float(value)
    if isinstance(value, str):
        value = [value]  # a single pattern is a list of one; forgiving for hand-written files
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(f"expected a list of strings, got {value!r}")
    for i, v in enumerate(value):
        if kind == "regexes":
            try:
                re.compile(v)
            except re.error as e:
                raise SiteConfigError(path, f"{key}[{i}]", f"bad regex {v!r}: {e}") from None
        elif kind == "xpaths":
            from lxml import etree

            try:
                etree.XPath(v)
            except etree.XPathSyntaxError as e:
                raise SiteConfigError(path, f"{key}[{i}]", f"bad XPath {v!r}: {e}") from None
        elif kind == "urls" and not re.match(r"^https?://[^/\s]+", v):
            raise SiteConfigError(path, f"{key}[{i}]", f"not an http(s) URL: {v!r}")
    return tuple(value)


def _validate(path: Path, data: dict, schema: dict, prefix: str = "") -> dict:
    out: dict[str, Any] = {}
    for key in data:
        if key not in schema:
            known = ", ".join(sorted(schema))
            raise SiteConfigError(path, prefix + key, f"unknown key (known here: {known})")
    for key, spec in schema.items():
        dotted = prefix + key
        if isinstance(spec, dict):
            sub = data.get(key, {})
            if not isinstance(sub, dict):
                raise SiteConfigError(path, dotted, "expected a table")
            required = [k for k, s in spec.items() if isinstance(s, tuple) and s[1]]
            if key not in data and required:
                raise SiteConfigError(path, dotted + "." + required[0], "missing required key")
            out[key] = _validate(path, sub, spec, dotted + ".")
            continue
        kind, required, _ = spec
        if key not in data:
            if required:
                raise SiteConfigError(path, dotted, "missing required key")
            continue
        out[key] = _check(path, dotted, data[key], kind)
    return out


def site_from_dict(data: dict, path: Path | str = "<dict>") -> Site:
    """Validate a parsed TOML document and build a Site; raise SiteConfigError naming the key."""
    path = Path(path)
    v = _validate(path, data, SCHEMA)
    if not ID_RE.match(v["id"]):
        raise SiteConfigError(path, "id", f"must match {ID_RE.pattern}, got {v['id']!r}")
    for i, d in enumerate(v["allowed_domains"]):
        if "/" in d or ":" in d:
            raise SiteConfigError(path, f"allowed_domains[{i}]", f"a bare domain, not a URL: {d!r}")
    if v.get("encoding"):
        import codecs

        try:
            codecs.lookup(v["encoding"])
        except LookupError:
            raise SiteConfigError(path, "encoding", f"unknown encoding {v['encoding']!r}") from None
    links, lst, ext, pol, disc = v["links"], v["list"], v["extract"], v["politeness"], v["discovery"]
    lim = v["limits"]
    if not (v.get("start_urls") or disc.get("sitemaps") or disc.get("feeds")):
        raise SiteConfigError(path, "start_urls", "missing: give start_urls, discovery.sitemaps or "
                              "discovery.feeds (robots_sitemaps reads the robots.txt of their hosts)")
    return Site(
        id=v["id"], name=v["name"], province=v["province"], city=v.get("city", ""),
        kind=v.get("kind", ""), verified=v.get("verified", False), path=str(path),
        start_urls=v.get("start_urls", ()), allowed_domains=v["allowed_domains"],
        encoding=v.get("encoding", ""),
        article_patterns=links.get("article", ()), deny_patterns=links.get("deny", ()),
        follow_patterns=links.get("follow", ()), restrict_xpaths=links.get("restrict_xpaths", ()),
        max_list_pages=lst.get("max_pages"), trs_pager=lst.get("trs_pager", True),
        prune_xpaths=ext.get("prune", ()), date_xpaths=ext.get("date_xpath", ()),
        title_xpaths=ext.get("title_xpath", ()),
        delay=pol.get("delay"), concurrency=pol.get("concurrency"),
        every=parse_duration(v["every"]) if v.get("every") else None,
        refresh_after=parse_duration(v["refresh_after"]) if v.get("refresh_after") else None,
        sitemaps=disc.get("sitemaps", ()), feeds=disc.get("feeds", ()),
        robots_sitemaps=disc.get("robots_sitemaps", False),
        timeout=lim.get("timeout"), max_bytes=lim.get("max_bytes"), max_links=lim.get("max_links"),
        raw=data,
    )


def load_site(path: Path | str | Traversable) -> Site:
    """One site file: a path, or a file inside the package (a zipped egg's included)."""
    path = Path(path) if isinstance(path, str) else path
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as e:
        raise SiteConfigError(path, "", f"not valid TOML: {e}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise SiteConfigError(path, "", f"cannot read: {e}") from None
    site = site_from_dict(data, str(path))
    if site.id != path.stem:
        raise SiteConfigError(path, "id", f"must equal the file name {path.stem!r}, got {site.id!r}")
    return site


@dataclass
class Registry:
    """All sites of a directory; broken files are kept as errors, never fatal for the others."""

    sites: dict[str, Site]
    errors: list[SiteConfigError]

    def get(self, site_id: str) -> Site:
        if site_id in self.sites:
            return self.sites[site_id]
        for err in self.errors:
            if Path(err.path).stem == site_id:
                raise err
        raise KeyError(f"no site {site_id!r} (known: {', '.join(sorted(self.sites)) or 'none'})")


def shipped_sites() -> Traversable:
    """The site files shipped in the package (crawler/sites), through importlib.resources: a
    Scrapyd job imports provnews from a zipped egg, where they are no directory on disk."""
    return resources.files("crawler") / "sites"


def load_registry(directory: Path | str | None = None) -> Registry:
    """The sites of a directory; none or "" (PROVNEWS_SITES_DIR's default): the shipped ones."""
    directory = Path(directory) if directory else shipped_sites()
    if not directory.is_dir():
        raise SiteConfigError(directory, "", "sites directory does not exist")
    sites: dict[str, Site] = {}
    errors: list[SiteConfigError] = []
    for path in sorted((p for p in directory.iterdir() if p.name.endswith(".toml")), key=lambda p: p.name):
        try:
            site = load_site(path)
        except SiteConfigError as e:
            errors.append(e)
            continue
        sites[site.id] = site
    return Registry(sites, errors)
