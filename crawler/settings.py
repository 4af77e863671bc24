"""Every default of provnews in one place: Scrapy's settings and our own (PROVNEWS_*).

The CLI overrides these per run (database path, sites directory, proxy); it never restates them.
`scrapy crawl news -a site=ID` from the repo root reads this module through scrapy.cfg.
"""
from pathlib import Path

BOT_NAME = "provnews"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# --- provnews ---------------------------------------------------------------------------------
# relative to the working directory, like every CLI path; a Scrapyd job refuses a relative one
# (it would land in Scrapyd's own directory): schedule with -d setting=PROVNEWS_DB=/abs/path.db
PROVNEWS_DB = "data/news.db"
# "": the site files shipped in the package (crawler/sites, read with importlib.resources, so a
# Scrapyd egg works too); a directory: your own registry instead
PROVNEWS_SITES_DIR = ""
PROVNEWS_MAX_LIST_PAGES = 5  # list/column pages followed per site per run (site TOML may override)
PROVNEWS_REFRESH = False  # True (`provnews crawl --refresh`): fetch stored articles again
PROVNEWS_DEFAULT_EVERY = "1h"  # interval for `provnews crawl --due` when a site sets no `every`
PROVNEWS_PROXY = ""  # "http://127.0.0.1:PORT" routes every request (robots.txt included) via a proxy
PROVNEWS_MAX_LINKS_PER_PAGE = 2000  # links read from one list page; the rest are ignored
# link discovery (a site without [links] article regexes; see crawler/link_classes.py)
PROVNEWS_DISCOVERY_MAX_LIST_PAGES = 50  # list pages per run when the site sets no [list] max_pages
PROVNEWS_DISCOVERY_DEPTH = 2  # columns are followed from start pages and the columns they link
PROVNEWS_DISCOVERY_COLUMNS_PER_PAGE = 12  # columns without a sign of news in them, per list page
# search (`provnews search`, Datasette's search page): bm25 weights of title_bi, body_bi, title_uni,
# body_uni; a query matching more rows than the window is ranked among its newest matches only
# (scoring every match of a city name costs ~50 ms at 100,000 articles); rows on Datasette's page
PROVNEWS_SEARCH_WEIGHTS = (10.0, 1.0, 10.0, 1.0)
PROVNEWS_SEARCH_RANK_WINDOW = 2000
PROVNEWS_SEARCH_PAGE_ROWS = 50
# `provnews eval`: the evaluation corpus (dev split, never copied into the repo) and the CI floors
PROVNEWS_EVAL_CORPUS = str(PROJECT_ROOT.parent / "shared" / "corpus" / "zh-news")
PROVNEWS_EVAL_BASELINE = str(PROJECT_ROOT / "bench" / "eval_baseline.json")
# the per-site template-line set (pipelines/site_lines.py): lines on at least this share of a
# site's latest SAMPLE stored pages, and on at least MIN_PAGES of them; a smaller site gets none
PROVNEWS_SITE_LINES_SAMPLE = 200
PROVNEWS_SITE_LINES_SHARE = 0.5
PROVNEWS_SITE_LINES_MIN_PAGES = 8
# a crawl recomputes a site's set when it ends only once this share of the set's sample (the
# site's latest pages, at least one) was fetched after it: a run that stored nothing new costs
# no re-read of 200 pages (about 1.2 s of CPU per site, in the reactor). Re-ingest always recomputes.
PROVNEWS_SITE_LINES_REFRESH = 0.1

# --- shared crawl (several nodes, one frontier in Redis; see crawler/shared_frontier.py) ---------
PROVNEWS_REDIS_URL = ""  # "redis://host:6379/0": this crawl is one node of a shared crawl
PROVNEWS_IDLE_EXIT = None  # seconds a shared round must stay quiet before a node exits; None: a service
PROVNEWS_MAX_BACKLOG = 50_000  # pages waiting for the writer (~1 GiB in Redis): nodes pause above it
PROVNEWS_INGEST_BATCH = 32  # stream entries the ingest worker reads (and acknowledges) at a time
PROVNEWS_INGEST_CLAIM_AFTER = 60  # s: another consumer's unacknowledged entries are taken over
PROVNEWS_INGEST_DEAD_AFTER = 3  # deliveries of one entry, each ended by the writer dying: then dead-lettered

# --- politeness -------------------------------------------------------------------------------
# A real browser-like UA: several provincial portals reject the default "Scrapy/x.y" agent.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0 Safari/537.36 provnews/0.1 (+https://github.com/provnews/provnews)"
)
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.0  # site TOML [politeness] delay overrides
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2  # site TOML [politeness] concurrency overrides
# Outputs of one response handled at once. Scrapy starts this many asyncio tasks per response
# (default 100), yet an article yields one item and a list page's requests are scheduled at once:
# 8 cut the reactor thread's CPU by about 1 ms per article (bench_crawl_speed, 1,000 pages)
CONCURRENT_ITEMS = 8
# Scrapy's lint of callbacks ("a generator with a return value") re-reads each callback's source
# (inspect.getsource) on most responses: its cache is keyed by short-lived bound methods
WARN_ON_GENERATOR_RETURN_VALUE = False
# AutoThrottle stays on (measured, bench/bench_crawl_speed.py; README "Crawl speed"): it never goes
# below the delay above, so at the default 1 s it costs a real crawl nothing, and it backs off a
# server whose answers slow down (delay -> latency, up to 30 s), which a fixed delay cannot. Its
# cost shows only at zero delay and latency (a mirror, the bench): there, turn it off.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# --- robustness -------------------------------------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024  # bytes, after decompression as well
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False  # nothing we crawl needs a session; nothing credential-like is kept
HTTPCACHE_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's remote control (on by default) serves an HTTP endpoint that runs Python sent to it
# and writes its token under ~/.local/state/scrapy: not wanted in a crawl. Scrapy imports every
# extension listed in EXTENSIONS, None or not, so it leaves EXTENSIONS_BASE instead (aiohttp cost
# the crawl's main process ~9 MB): see __getattr__ at the bottom.
REMOTE_CONTROL_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

DOWNLOADER_MIDDLEWARES = {
    # first: a request (a redirect included) outside the site's domains goes nowhere
    "crawler.middlewares.StayOnSiteMiddleware": 50,
    # before HttpProxyMiddleware (750) so that robots.txt requests use the proxy too
    "crawler.middlewares.ProxyMiddleware": 740,
    # right after MetaRefreshMiddleware (580) decoded the text: the response lets it go (main memory)
    "crawler.decoded_text.ForgetDecodedTextMiddleware": 575,
}

# decode → extract → dates → dedup in worker processes, then store in batches by one writer thread
# (crawler/crawl_pipeline.py). The one-stage adapters (pipelines.decode.DecodePipeline, ...,
# pipelines.store.StorePipeline at 100..500) still compose the same flow in the reactor thread.
ITEM_PIPELINES = {"crawler.crawl_pipeline.CrawlPipeline": 100}
PROVNEWS_JOBS = 0  # stage worker processes (`provnews crawl --jobs N`); 0: every core; 1: in-process
PROVNEWS_STORE_BATCH = 32  # pages committed per transaction at most (fewer when fewer are waiting)
# seconds a batch waits for pages still in the stage pool (never when none is). Bench, 2,000 pages:
# 0 s took ~1,760 commits and 3.1-3.8 ms of writer CPU per page, 0.05 s 510-720 and 2.7, 0.5 s 92
# and 2.1; but the longer a batch gathers, the more a kill -9 costs in pages fetched again (none
# is lost), and at 0.2 s tests/test_crash_safety.py's kills no longer land six times mid-crawl
PROVNEWS_STORE_LINGER = 0.05
# Backpressure: a page counts as "in process" until its transaction commits; above this many bytes
# of such responses Scrapy stops scheduling downloads (Scrapy's own default, stated here)
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 5_000_000


def __getattr__(name: str):
    """EXTENSIONS_BASE: Scrapy's own, without the remote control. Computed when Scrapy reads this
    module (getattr for each name of dir()), so that importing the settings for a default, as
    every CLI command does, does not import Scrapy."""
    if name == "EXTENSIONS_BASE":
        from scrapy.settings import default_settings

        return {path: order for path, order in default_settings.EXTENSIONS_BASE.items()
                if not path.startswith("scrapy.extensions.remote_control.")}
    raise AttributeError(name)


def __dir__() -> list[str]:
    return [*globals(), "EXTENSIONS_BASE"]
