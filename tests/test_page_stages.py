"""The crawl's stage function judges what a page fetched as an article is, in the stage workers
(crawler/page_stages.py), and gives an article exactly what the stages alone give it."""
from __future__ import annotations

from pathlib import Path

from crawler.link_classes import LIST, OTHER, page_kind, page_tree
from crawler.page_stages import CLASSIFY, crawl_stages
from pipelines.page import new_page
from pipelines.stage_pool import run_stages
from pipelines.packing import decompress

MIRROR = Path(__file__).resolve().parent.parent / "data" / "mirror"
TOPIC = MIRROR / "www.cangshan.gov.test/art/2024/5/11/art_1207_45603.html"   # a 专题 index
VIDEO = MIRROR / "yn.minsheng.test/n2/2024/0512/c378442-40837999.html"       # no sentence of text
STORY = MIRROR / "yn.minsheng.test/n2/2024/0512/c378440-40837432.html"


def page_of(path: Path) -> dict:
    host = path.relative_to(MIRROR).parts[0]
    url = f"http://{host}/" + "/".join(path.relative_to(MIRROR).parts[1:])
    return new_page(url, site="t", body=path.read_bytes(), status=200, final_url=url,
                    headers={"Content-Type": "text/html"}, fetched_at="2024-05-13T00:00:00+00:00")


def test_a_topic_index_and_a_video_page_are_judged_and_kept_raw():
    for path, kind, prefix in ((TOPIC, LIST, "list: "), (VIDEO, OTHER, "not an article: ")):
        page = page_of(path)
        assert page_kind(page_tree(page["body"], page["headers"], page["url"]), page["url"]) == kind
        out = crawl_stages((page, {CLASSIFY: True}))
        assert out["page_kind"] == kind and out["error"].startswith(prefix)
        assert "article" not in out or not out["article"].get("body")
        assert decompress(out["_body_z"]) == path.read_bytes()  # the raw page is stored
        assert "_tree" not in out and "html" not in out  # nothing unpicklable or large goes back


def test_an_article_gets_what_the_stages_alone_give():
    judged = crawl_stages((page_of(STORY), {CLASSIFY: True}))
    plain = run_stages((page_of(STORY), {}))
    assert "page_kind" not in judged and not judged.get("error")
    assert judged["article"] == plain["article"] and judged["article"]["body"]
    assert judged["minhash"] == plain["minhash"] and judged["fts"] == plain["fts"]


def test_without_the_flag_nothing_is_judged():
    out = crawl_stages((page_of(TOPIC), {}))
    assert "page_kind" not in out  # a site with [links] patterns: its article pages are articles


def test_the_verdict_decodes_once_and_the_stages_use_its_text():
    """The verdict leaves html and encoding on the page; the decode stage does not decode again
    (a page read back differently would show: its html is kept as the verdict left it)."""
    from crawler.page_stages import verdict
    from pipelines.decode import apply_decode

    page = page_of(STORY)
    verdict(page, {})
    html = page["html"]
    apply_decode(page, {})
    assert page["html"] is html and page["encoding"]
    fresh = page_of(STORY)
    apply_decode(fresh, {})
    assert fresh["html"] == html
