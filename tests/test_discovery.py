"""Link discovery: every mirror site crawled with its [links] removed stores the same articles as
with them, and nothing that is a list or not an article; what a run learns steers the next."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import tomllib

import pytest

from crawler.link_classes import (ARTICLE, LIST, OTHER, Link, classify, clean_url, page_kind, page_tree, split,
                                  template)
from provnews.mirror import MIRROR_DIR, SITES_DIR
from tests.conftest import run_cli

DISCOVERY_SITES = MIRROR_DIR / "sites-discovery"
LINKS_TABLE = re.compile(r"\n\[links\]\n(?:[^\[\n][^\n]*\n)*")


def without_links(src, dst) -> list[str]:
    """Copy every site file of ``src`` into ``dst`` with its [links] table cut out."""
    ids = []
    for path in sorted(src.glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        assert "[links]" in text
        (dst / path.name).write_text(LINKS_TABLE.sub("\n", text), encoding="utf-8")
        ids.append(path.stem)
    return ids


def truth(name: str) -> list[dict]:
    with open(MIRROR_DIR / name, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@pytest.fixture(scope="module")
def discovered(mirror, tmp_path_factory):
    """One crawl of all five mirror sites from their start pages, without any [links]."""
    sites = tmp_path_factory.mktemp("nolinks")
    without_links(SITES_DIR, sites)
    without_links(DISCOVERY_SITES, sites)
    assert "[links]" not in "".join(p.read_text(encoding="utf-8") for p in sites.glob("*.toml"))
    db = sites / "news.db"
    before = len(mirror.log.snapshot())
    proc = run_cli("crawl", "--sites", str(sites), "--proxy", mirror.url, "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    return sites, db, mirror.log.snapshot()[before:]


@pytest.fixture(scope="module")
def explicit_new_sites(mirror, tmp_path_factory):
    """The two discovery sites crawled with their explicit [links], the way they ship."""
    db = tmp_path_factory.mktemp("explicit") / "news.db"
    proc = run_cli("crawl", "--sites", str(DISCOVERY_SITES), "--proxy", mirror.url, "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    return db


def stored(db) -> dict[str, dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = {r["url"]: dict(r) for r in con.execute("SELECT * FROM articles")}
    con.close()
    return rows


def test_explicit_links_of_the_new_sites_store_their_truth_exactly(explicit_new_sites):
    rows = stored(explicit_new_sites)
    want = truth("expected_discovery.jsonl")
    assert sorted(rows) == sorted(e["url"] for e in want)
    for e in want:
        a = rows[e["url"]]
        lines = a["body"].splitlines()
        got = {"title": a["title"], "published_at": a["published_at"], "source": a["source"],
               "editor": a["editor"], "first": lines[0], "last": lines[-1]}
        assert got == {k: e[k] for k in got}, e["url"]


def test_without_links_every_site_stores_the_same_articles(discovered, crawled, explicit_new_sites):
    _, db, _ = discovered
    got = stored(db)
    with_links = {**stored(crawled[0]), **stored(explicit_new_sites)}
    want = truth("expected.jsonl") + truth("expected_discovery.jsonl")
    assert set(with_links) == {e["url"] for e in want}
    for site in sorted({e["site"] for e in want}):
        urls = {e["url"] for e in want if e["site"] == site}
        found = {u for u, a in got.items() if a["site"] == site}
        assert len(found & urls) / len(urls) >= 0.95, (site, sorted(urls - found))
        assert found <= urls, (site, sorted(found - urls))  # no list, video or sidebar 404 as an article
    for e in want:  # and the same extraction
        if e["url"] in got:
            assert got[e["url"]]["title"] == with_links[e["url"]]["title"]
            assert got[e["url"]]["published_at"] == with_links[e["url"]]["published_at"]


def test_lists_at_article_addresses_are_recorded_and_followed(discovered):
    _, db, log = discovered
    con = sqlite3.connect(db)
    recorded = dict(con.execute("SELECT url, error FROM pages WHERE error LIKE 'list: %' "
                                "OR error LIKE 'not an article: %'").fetchall())
    runs = con.execute("SELECT site, status, errors FROM crawl_runs").fetchall()
    con.close()
    topics = {u for u in recorded if recorded[u].startswith("list: ")}
    assert "http://www.cangshan.gov.test/art/2024/5/11/art_1207_45603.html" in topics
    assert "http://yn.minsheng.test/n2/2024/0510/c378450-40837402.html" in topics
    assert recorded["http://yn.minsheng.test/n2/2024/0512/c378442-40837999.html"].startswith("not an article")
    # the 专题's own articles are reachable only through it
    only_in_topic = [e["url"] for e in truth("expected_discovery.jsonl") if "art_1208_" in e["url"]
                     or "c378451-" in e["url"]]
    assert len(only_in_topic) == 4 and set(only_in_topic) <= set(stored(db))
    # fetched from the 专题 that links them, as a spider-yielded request would be (Referer)
    topic_of = {e["path"]: e["referer"] for e in log}
    for url in only_in_topic:
        path = url.split("/", 3)[3]
        assert (topic_of.get("/" + path) or "") in topics, (url, topic_of.get("/" + path))
    assert all(status == "ok" for _, status, _ in runs)
    for site, _, errors in runs:
        if site in ("mirror-hanweb", "mirror-people"):
            assert errors == 0, site  # a list recorded is no error
    paths = [e["path"] for e in log]
    assert not [p for p in paths if re.search(r"\.(pdf|docx|jpg|mp4)$|filename=", p)]  # attachments
    assert not [p for p in paths if "utm_" in p or "tt_from" in p or "spm=" in p]  # tracking twins
    assert not [e for e in log if "live." in e["host"]]  # the off-site 直播 links
    fetched = [(e["host"], e["path"]) for e in log]
    assert len(fetched) == len(set(fetched))  # nothing fetched twice


def test_learnt_templates_steer_the_next_run(discovered, mirror):
    sites, db, _ = discovered
    con = sqlite3.connect(db)
    kinds = dict(con.execute("SELECT template, kind FROM site_templates WHERE site = 'mirror-portal'"))
    con.close()
    # the portal's sidebars link addresses that answer 404: learnt as no articles
    assert kinds[r"/news/hot/detail-[0-9a-z]+\.shtml$"] == OTHER
    assert kinds[r"/news/m/\d+-\d+-\d+/detail-[0-9a-z]+\.shtml$"] == ARTICLE
    shutil.copy(db, sites / "again.db")
    before = len(mirror.log.snapshot())
    proc = run_cli("crawl", "mirror-portal", "--sites", str(sites), "--proxy", mirror.url,
                   "--db", str(sites / "again.db"), "--refresh")
    assert proc.returncode == 0, proc.stderr
    paths = [e["path"] for e in mirror.log.snapshot()[before:]]
    assert [p for p in paths if "/news/m/" in p]  # articles fetched again (--refresh)
    assert not [p for p in paths if "/hot/" in p or "/ent/" in p or "/live/" in p]


def test_a_site_from_its_sitemap_alone(mirror, tmp_path):
    """No start page and no [links]: a sitemap index and its news sitemap give the articles."""
    text = (SITES_DIR / "mirror-daily.toml").read_text(encoding="utf-8")
    text = LINKS_TABLE.sub("\n", text).replace('start_urls = ["http://www.qicai-daily.test/kunming/index.shtml"]',
                                               "start_urls = []")
    text += '[discovery]\nsitemaps = ["http://www.qicai-daily.test/sitemap_index.xml"]\n'
    (tmp_path / "mirror-daily.toml").write_text(text, encoding="utf-8")
    db = tmp_path / "news.db"
    run_cli("crawl", "--sites", str(tmp_path), "--proxy", mirror.url, "--db", str(db), check=True)
    want = {e["url"] for e in truth("expected.jsonl") if e["site"] == "mirror-daily"}
    assert set(stored(db)) == want


def test_sites_show_prints_learnt_templates_to_pin(discovered):
    sites, db, _ = discovered
    out = json.loads(run_cli("sites", "show", "mirror-people", "--sites", str(sites), "--db", str(db),
                             "--json", check=True).stdout)
    assert out["links"] == "discovered"
    kinds = {t["template"]: (t["kind"], t["articles"]) for t in out["learnt"]}
    con = sqlite3.connect(db)
    good = con.execute("SELECT count(*) FROM articles WHERE site = 'mirror-people' AND title != '' "
                       "AND published_at IS NOT NULL AND body_chars >= 20").fetchone()[0]
    con.close()
    assert good >= 15 and kinds[r"/n\d+/\d+/\d+/c\d+-\d+\.html$"] == ("article", good)
    pin = tomllib.loads(out["pin"])
    assert pin["links"]["article"] == [r"/n\d+/\d+/\d+/c\d+-\d+\.html$"]
    text = run_cli("sites", "show", "mirror-people", "--sites", str(sites), "--db", str(db), check=True).stdout
    assert "[links]" in text and "article" in text and "to pin this" in text


# --- the classifier on its own ---------------------------------------------------------------------
def test_classes_from_url_shape_siblings_and_anchor_text():
    base = "http://www.example.gov.test"
    links = [Link(f"{base}/xwdt/202405/t2024050{d}_{100 + d}.html", f"市政府召开第{d}次常务会议研究部署重点工作",
                  f"2024-05-0{d}") for d in range(1, 6)]
    links += [Link(f"{base}/xwdt/202405/t20240501_101.html?utm_source=wechat&from=timeline", "市政府召开常务会议")]
    links += [Link(f"{base}/news/{n}.html", f"第{n}条本地新闻的标题写得足够长") for n in (40321, 40322, 40323)]
    links += [Link(f"{base}/show-{n}.html", f"县里第{n}条新闻的标题写得足够长") for n in range(81, 86)]
    links += [Link(f"{base}/xwdt/index_1.html", "下一页"), Link(f"{base}/xwdt/index_5.html", "尾页"),
              Link(f"{base}/zwgk/", "政务公开"), Link(f"{base}/tzgg/index.html", "更多>>"),
              Link(f"{base}/", "首页"), Link(f"{base}/wzdt/index.html", "网站地图"),
              Link(f"{base}/lxwm/index.html", "联系我们"), Link("javascript:void(0)", "无障碍"),
              Link(f"{base}/files/2024/plan.pdf", "2024年度重点项目计划表全文下载"),
              Link(f"{base}/module/download/downfile.jsp?filename=2405.xls", "附件：项目清单"),
              Link(f"{base}/images/2024/0509/a.jpg", "组图：市民周末游园赏花的热闹场景"),
              Link(f"{base}/about.html", "关于我们"), Link(f"{base}/xwzx/zwyw.htm", "政务要闻")]
    got = {c.url: c.kind for c in classify(links)}
    assert [u for u, k in got.items() if k == ARTICLE] == [l.url for l in links[:5]] + [l.url for l in links[6:14]]
    assert got[f"{base}/xwdt/index_1.html"] == LIST and got[f"{base}/tzgg/index.html"] == LIST
    assert got[f"{base}/zwgk/"] == LIST and got[f"{base}/xwzx/zwyw.htm"] == LIST
    for url in (f"{base}/", f"{base}/wzdt/index.html", f"{base}/lxwm/index.html", f"{base}/files/2024/plan.pdf",
                f"{base}/module/download/downfile.jsp?filename=2405.xls", f"{base}/images/2024/0509/a.jpg",
                f"{base}/about.html"):
        assert got[url] == OTHER, url
    assert "javascript:void(0)" not in got
    # the tracking twin is the article itself
    assert clean_url(links[5].url) == links[0].url and list(got).count(links[0].url) == 1


def test_a_learnt_template_wins_and_templates_are_toml_regexes():
    url = "http://a.test/art/2024/5/9/art_1201_45678.html"
    tpl = template(url)
    assert tpl == r"/art/\d+/\d+/\d+/art_\d+_\d+\.html$" and re.search(tpl, url)
    assert classify([Link(url, "一条足够长的新闻标题在这里")], {tpl: OTHER})[0].kind == OTHER
    assert classify([Link(url, "一条足够长的新闻标题在这里")])[0].kind == ARTICLE


def test_page_kind_tells_a_story_from_a_topic_index():
    gov = MIRROR_DIR / "www.cangshan.gov.test"
    story = gov / "art/2024/5/9/art_1201_45601.html"
    topic = gov / "art/2024/5/11/art_1207_45603.html"
    for path, kind in ((story, ARTICLE), (topic, LIST)):
        url = "http://www.cangshan.gov.test/" + str(path.relative_to(gov))
        assert page_kind(page_tree(path.read_bytes(), {}, url), url) == kind


def test_columns_holding_the_pages_articles_are_followed_first():
    base = "http://www.example.gov.test"
    links = [Link(f"{base}/{m}/", name) for m, name in (("zwgk", "政务公开"), ("bsfw", "办事服务"), ("hdjl", "互动交流"))]
    links += [Link(f"{base}/xwdt/zwyw/", "政务要闻"), Link(f"{base}/col/col1207/index.html", "专题专栏"),
              Link(f"{base}/xwdt/zwyw/index_1.html", "下一页")]
    links += [Link(f"{base}/xwdt/zwyw/202405/t2024050{d}_{d}.html", f"第{d}条政务要闻的标题足够长") for d in range(1, 4)]
    links += [Link(f"{base}/art/2024/5/9/art_1207_4560{d}.html", f"第{d}条专题报道的标题足够长") for d in range(1, 3)]
    _, lists = split(classify(links))
    assert [c.url for c in lists][:3] == [f"{base}/xwdt/zwyw/index_1.html", f"{base}/xwdt/zwyw/",
                                          f"{base}/col/col1207/index.html"]


def test_a_page_recorded_as_a_list_keeps_its_raw_bytes_and_reingest_keeps_it_a_list(discovered, tmp_path):
    """Nothing is lost: a page fetched as an article and found to hold a list (or no story) is
    stored with its body, so a later re-ingest with better rules can still make it an article; the
    same rules re-applied leave it a list, never an article."""
    import shutil

    _, db, _ = discovered
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    con = sqlite3.connect(copy)
    kept = con.execute("SELECT url, body_size FROM pages WHERE error LIKE 'list: %' "
                       "OR error LIKE 'not an article: %'").fetchall()
    articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    assert kept and all(size and size > 0 for _, size in kept), kept
    proc = run_cli("reingest", "--db", str(copy), "--sites", str(discovered[0]))
    assert proc.returncode == 0, proc.stderr
    con = sqlite3.connect(copy)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == articles
    still = dict(con.execute("SELECT url, error FROM pages WHERE url IN (%s)" % ",".join("?" * len(kept)),
                             [u for u, _ in kept]).fetchall())
    con.close()
    assert all(e and e.startswith(("list: ", "not an article: ")) for e in still.values()), still


def test_a_link_found_only_with_tracking_parameters_keeps_its_list_hint(discovered):
    """The link text and the date printed beside it are date and title evidence: a list that links
    an article only through a tracking-parameter twin must still hand them on."""
    _, db, _ = discovered
    con = sqlite3.connect(db)
    rows = con.execute("SELECT p.url, p.list_hint FROM pages p JOIN articles a ON a.url = p.url "
                       "WHERE p.site IN ('mirror-hanweb', 'mirror-people')").fetchall()
    con.close()
    assert rows
    missing = [u for u, hint in rows if not json.loads(hint or "{}").get("text")]
    assert missing == [], missing
