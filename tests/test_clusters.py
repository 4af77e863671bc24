"""Syndication clusters analysts can trust: templated government notices stay separate documents,
syndicated copies cluster on their earliest copy, and a user can see why and undo a wrong join.

The pages (tests/cluster_pages.py) are imported from WARC files through the real stages
(`provnews import`, the same decode → extract → dates → dedup → store a crawl runs).
"""
from __future__ import annotations

import itertools
import json
import shutil
import sqlite3

import pytest

from pipelines.dedup import SAME_STORY, similarity
from tests import cluster_pages as cp
from tests.conftest import run_cli

FETCHED = "2024-06-01T02:00:00Z"
REPOST = f"http://{cp.GOV}/zwgk/202405/t20240520_repost.html"  # a notice re-posted in another column
UPDATE = f"http://{cp.GOV}/tzgg/202405/t20240521_update.html"  # a tender re-issued with a new deadline


def gov_records() -> list[tuple[str, str, str]]:
    recs = [(url, cp.gov_page(title, paras, pub), FETCHED) for _, url, title, paras, pub in cp.notices()]
    title, paras, pub = cp.circular(0)
    recs.append((REPOST, cp.gov_page(title, paras, "2024-05-20 08:00", column="政府文件"), FETCHED))
    title, paras, pub = cp.tender(0)
    changed = [p.replace("2024年5月23日9时30分", "2024年5月30日9时30分") for p in paras]
    assert changed != paras
    recs.append((UPDATE, cp.gov_page(title, changed, "2024-05-21 08:00"), FETCHED))
    return recs


@pytest.fixture(scope="module")
def clustered(tmp_path_factory):
    """The notices (one site) and three stories on three sites, imported latest copy first, so
    the original arrives last and must take the cluster over."""
    tmp = tmp_path_factory.mktemp("clusters")
    db = tmp / "news.db"
    (tmp / "gov.warc").write_bytes(cp.warc_bytes(gov_records()))
    run_cli("import", str(tmp / "gov.warc"), "--db", str(db), "--site", "cx-gov", check=True)
    # one archive of the three sites, filed under one site id as `provnews import --site` does:
    # their hosts still make the copies syndication across sites
    copies = cp.syndicated()
    recs = [(url, cp.news_page(name, title, paras, pub, "王芳"), FETCHED)
            for host in (cp.PORTAL, cp.NEWS, cp.DAILY)
            for _, h, url, title, paras, pub, name in copies if h == host]
    (tmp / "news.warc").write_bytes(cp.warc_bytes(recs))
    run_cli("import", str(tmp / "news.warc"), "--db", str(db), "--site", "syndicated", check=True)
    return db


def rows(db, sql: str, params=()) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_templated_notices_are_near_each_other_yet_never_cluster(clustered):
    notice_urls = [url for _, url, *_ in cp.notices()] + [UPDATE]
    got = dict((u, (c, d)) for u, c, d in rows(clustered, "SELECT url, cluster_id, duplicate_of FROM articles"))
    assert set(notice_urls) <= set(got)
    # the fixture is the hard case: many pairs of one template cross the MinHash threshold
    sigs = dict(rows(clustered, "SELECT url, sig FROM article_minhash"))
    near = [(a, b) for a, b in itertools.combinations(notice_urls, 2)
            if similarity(sigs[a], sigs[b]) >= SAME_STORY]
    assert len(near) >= 8, near
    reposted = cp.notices()[-4][1]  # the original of the same-site re-post (next test)
    assert {got[u] for u in notice_urls if u != reposted} == {(None, None)}
    assert got[reposted] == (reposted, None)
    latest = {u for u, in rows(clustered, "SELECT url FROM latest_articles")}
    assert set(notice_urls) <= latest


def test_a_same_site_repost_is_one_story_an_update_under_a_new_url_is_two(clustered):
    original = cp.notices()[-4][1]  # the first 通知, re-posted unchanged in another column
    assert "circular0" in original
    got = dict((u, (c, d)) for u, c, d in rows(clustered, "SELECT url, cluster_id, duplicate_of FROM articles"))
    assert got[REPOST] == (original, original) and got[original] == (original, None)
    assert got[UPDATE] == (None, None)


def test_every_syndicated_story_clusters_on_its_earliest_copy(clustered):
    latest = {u for u, in rows(clustered, "SELECT url FROM latest_articles")}
    for s, copies in itertools.groupby(cp.syndicated(), key=lambda c: c[0]):
        urls = [c[2] for c in copies]
        daily = urls[0]  # published first
        got = dict((u, (c, d)) for u, c, d in rows(
            clustered, f"SELECT url, cluster_id, duplicate_of FROM articles WHERE url IN ({', '.join('?' * 3)})", urls))
        assert got == {daily: (daily, None), urls[1]: (daily, daily), urls[2]: (daily, daily)}, s
        assert daily in latest and not {urls[1], urls[2]} & latest
    assert rows(clustered, "SELECT count(*), sum(copies) FROM syndication_clusters") == [(4, 11)]


def test_clusters_show_explains_joins_and_what_was_kept_apart(clustered):
    story = [c[2] for c in cp.syndicated()]
    proc = run_cli("clusters", "show", story[1], "--db", str(clustered), "--json", check=True)
    info = json.loads(proc.stdout)
    assert info["original"] == story[0] and [m["url"] for m in info["members"]] == story[:3]
    for m in info["members"][1:]:
        assert m["same"] and m["similarity"] >= SAME_STORY and m["differing"] == []
        assert "12.6万亩" in m["shared"] and "across sites" in m["reason"]
    text = run_cli("clusters", "show", story[1], "--db", str(clustered), check=True).stdout
    assert "the original" in text and "similarity 0." in text and "shared: " in text

    appointment = cp.notices()[0][1]
    info = json.loads(run_cli("clusters", "show", appointment, "--db", str(clustered), "--json", check=True).stdout)
    assert info["cluster_id"] is None and info["kept_apart"]
    apart = {k["url"]: k for k in info["kept_apart"]}
    other = cp.notices()[2][1]  # 杨志强's 任前公示: near in wording, another person
    assert other in apart and not apart[other]["same"]
    assert ["张建华", "杨志强"] in apart[other]["differing"]
    text = run_cli("clusters", "show", appointment, "--db", str(clustered), check=True).stdout
    assert "not in a cluster" in text and "张建华 ≠ 杨志强" in text

    bad = run_cli("clusters", "show", "http://nowhere.test/x.html", "--db", str(clustered))
    assert bad.returncode == 1 and "no article with URL" in bad.stderr and "Traceback" not in bad.stderr


def test_a_split_stands_and_reingest_re_evaluates_old_clusters_once(clustered, tmp_path):
    db = tmp_path / "news.db"
    shutil.copy(clustered, db)
    daily, news, portal = [c[2] for c in cp.syndicated()[:3]]
    proc = run_cli("clusters", "split", portal, "--db", str(db), check=True)
    assert "split" in proc.stdout
    assert rows(db, "SELECT cluster_id, duplicate_of FROM articles WHERE url = ?", [portal]) == [(None, None)]
    assert rows(db, "SELECT cluster_id, duplicate_of FROM articles WHERE url = ?", [news]) == [(daily, daily)]
    # a database clustered by the old rule: the 任前公示 all in one cluster, no rule recorded
    appointments = [u for k, u, *_ in cp.notices() if k == "appointment"]
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE articles SET cluster_id = ?, duplicate_of = ? WHERE url IN (?, ?, ?)",
                    [appointments[0], appointments[0], *appointments[1:]])
        con.execute("UPDATE articles SET cluster_id = ? WHERE url = ?", [appointments[0], appointments[0]])
        con.execute("DELETE FROM meta WHERE key = 'cluster_rule'")
    con.close()
    first = json.loads(run_cli("reingest", "--db", str(db), "--jobs", "1", "--json", check=True).stdout)
    assert (first["clusters_split"], first["clusters_joined"]) == (1, 0)
    assert rows(db, f"SELECT count(*) FROM articles WHERE cluster_id IS NOT NULL AND url IN "
                    f"({', '.join('?' * 4)})", appointments) == [(0,)]
    assert rows(db, "SELECT cluster_id, duplicate_of FROM articles WHERE url = ?", [portal]) == [(None, None)]
    assert rows(db, "SELECT cluster_id FROM articles WHERE url = ?", [news]) == [(daily,)]
    before = rows(db, "SELECT url, cluster_id, duplicate_of FROM articles ORDER BY url")
    again = json.loads(run_cli("reingest", "--db", str(db), "--jobs", "1", "--json", check=True).stdout)
    assert (again["clusters_split"], again["clusters_joined"], again["updated"]) == (0, 0, 0)
    assert rows(db, "SELECT url, cluster_id, duplicate_of FROM articles ORDER BY url") == before


@pytest.mark.parametrize("variant", [
    lambda p: ["本报记者 张三 通讯员 李四", *p],  # a byline on its own line
    lambda p: ["原标题：楚雄新闻", *p, "责任编辑：王五"],  # the site's own chrome
    lambda p: [*p[:-1], "（来源：楚雄日报）编辑：赵六 审核：钱七"],  # last paragraph dropped, a source line
    lambda p: [p[0], "图为现场。记者 王芳 摄", *p[1:]],  # a photo caption inside
    lambda p: [x.replace("，", "，\n", 1) for x in p],  # paragraphs cut differently
    lambda p: [x.replace("，", ",").replace("：", ":") for x in p],  # half-width punctuation
    lambda p: [*p, "2024-05-09 10:21 来源：云南网"],  # a date line left in by the extraction
])
def test_syndication_variants_are_the_same_story(variant):
    from pipelines.samestory import compare

    for title, paras in cp.STORIES:
        daily = "\n".join([f"楚雄日报讯（记者 李明）{paras[0]}", *paras[1:]])
        assert compare(daily, "\n".join(variant(paras)), title, title).same, title


def test_a_document_number_alone_keeps_two_notices_apart():
    from pipelines.samestory import compare

    title, paras, _ = cp.circular(0)
    other = [p.replace("〔2024〕18号", "〔2024〕27号") for p in paras]
    verdict = compare("\n".join(paras), "\n".join(other), title, title, same_site=True)
    assert not verdict.same and ["楚政办通〔2024〕18号", "楚政办通〔2024〕27号"] in [list(d) for d in verdict.differing]
    assert compare("\n".join(paras), "\n".join(paras), title, title, same_site=True).same  # a re-post


def test_an_exact_copy_skips_the_alignment_with_compares_verdict():
    """The clustering's fast path for exact copies (pipelines/clusters._same_story) agrees with
    samestory.compare on every notice, story and circular, on one site and across sites."""
    from pipelines.clusters import _same_story, judge

    texts = [(title, "\n".join(paras)) for title, paras in cp.STORIES]
    texts += [(title, "\n".join(paras)) for title, paras, _ in (cp.circular(0), cp.tender(0))]
    for (title, body), publisher in itertools.product(texts, [("a", "a.example.cn"), ("b", "b.example.cn")]):
        mine, copy = (("a", "a.example.cn"), title, body), (publisher, title, body)
        assert _same_story(mine, copy) and judge(mine, copy, explain=False).same, title
    title, body = texts[0]
    changed = (("a", "a.example.cn"), title, body.replace("，", "，记者 张三 报道，", 1))
    assert _same_story(changed, (("a", "a.example.cn"), title, body)) == judge(
        changed, (("a", "a.example.cn"), title, body), explain=False).same  # not a copy: compare decides
