"""The mirror's link-discovery sites: built by build.py, kept apart from the three original sites.

Their site files go to sites-discovery/ and their truth to expected_discovery.jsonl, so the
original mirror (data/mirror/sites, expected.jsonl, the counts other tests rely on) is unchanged.
tests/test_discovery.py crawls them with and without their `[links]`.
"""
from __future__ import annotations

import json
import shutil

from build import HERE, site_toml

SITES_DIR = HERE / "sites-discovery"


def discovery_toml(host: str, site_id: str, name: str, kind: str, start: str, article: list[str],
                   follow: list[str]) -> None:
    """A site file with explicit [links] (build.py's form, in sites-discovery/); the tests also
    crawl it with [links] removed."""
    site_toml(host, site_id, name, kind, [start], article, follow)
    made = HERE / "sites" / f"{site_id}.toml"
    text = made.read_text(encoding="utf-8").replace("max_pages = 10", "max_pages = 20")
    made.unlink()
    SITES_DIR.mkdir(exist_ok=True)
    (SITES_DIR / f"{site_id}.toml").write_text(text, encoding="utf-8")


def truth_row(site: str, host: str, path: str, story: dict, published_at: str, source: str,
              editor: str) -> dict:
    """What a correct crawl stores for one article (the expected_discovery.jsonl line)."""
    return {"site": site, "url": f"http://{host}{path}", "final_url": f"http://{host}{path}",
            "title": story["title"], "published_at": published_at, "published_precision": "minute",
            "first": story["paras"][0], "last": story["paras"][-1], "source": source, "editor": editor,
            "author": ""}


def build_all() -> int:
    import build_hanweb
    import build_people

    for host in (build_hanweb.HOST, build_people.HOST):
        shutil.rmtree(HERE / host, ignore_errors=True)
    expected: list[dict] = []
    build_hanweb.build(expected)
    build_people.build(expected)
    with open(HERE / "expected_discovery.jsonl", "w", encoding="utf-8") as f:
        for row in expected:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return len(expected)
