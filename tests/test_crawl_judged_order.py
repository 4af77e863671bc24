"""A discovery crawl's page fetched as an article and judged a list by the stage workers
(crawler/page_stages.py) commits (its frontier row gone, stored as "list: ...") only after the
links of that list are claimed into the frontier, with --jobs 1 and 2: a kill -9 between the two
must not lose the 专题's articles. The crawl runs in a subprocess with the writer's commit and the
spider's verdict hook wrapped to record their order (both still run as shipped)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r'''
import sys, time, tempfile, pathlib
sys.path.insert(0, sys.argv[1])

def main():
    from provnews.mirror import MirrorServer, SITES_DIR
    from tests.test_discovery import without_links, DISCOVERY_SITES
    import pipelines.batch_writer as bw
    from crawler.spiders.news import NewsSpider
    from provnews import runner
    events = []
    write = bw.BatchWriter._write
    def _write(self, db, items):
        write(self, db, items)
        for page, _ in items:
            if (page.get("error") or "").startswith("list: "):
                events.append(("commit", page["url"]))
    bw.BatchWriter._write = _write
    judged = NewsSpider.judged
    def _judged(self, page, kind, body):
        events.append(("judged", page["url"]))
        return judged(self, page, kind, body)
    NewsSpider.judged = _judged
    tmp = pathlib.Path(tempfile.mkdtemp())
    without_links(SITES_DIR, tmp)
    without_links(DISCOVERY_SITES, tmp)
    server = MirrorServer().start_background()
    try:
        runner.crawl([], tmp / "news.db", tmp, server.url, "ERROR", None, {"PROVNEWS_JOBS": int(sys.argv[2])})
    finally:
        server.shutdown()
    for kind, url in events:
        print(kind, url)

if __name__ == "__main__":
    main()
'''


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_judged_lists_links_are_claimed_before_the_page_commits(tmp_path, jobs):
    script = tmp_path / "order.py"
    script.write_text(SCRIPT, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(script), str(ROOT), str(jobs)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    events = [line.split(" ", 1) for line in proc.stdout.splitlines() if line.startswith(("commit ", "judged "))]
    committed = [url for kind, url in events if kind == "commit"]
    assert committed, proc.stdout  # the mirror's 专题 indexes were fetched as articles and judged lists
    for url in committed:
        order = [kind for kind, u in events if u == url]
        assert order.index("judged") < order.index("commit"), f"{url} committed before its links were claimed"
