"""The crawl against the hostile web: it finishes, records an outcome per URL, loses nothing."""
from __future__ import annotations

import json
import sqlite3

import pytest

from tests.conftest import run_cli
from tests.hostile import HOST, KINDS, PARAS, SITE_TOML, HostileServer


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    server = HostileServer().start_background()
    tmp = tmp_path_factory.mktemp("hostile")
    (tmp / "sites").mkdir()
    (tmp / "sites" / "hostile.toml").write_text(SITE_TOML, encoding="utf-8")
    db = tmp / "h.db"
    proc = run_cli("crawl", "--sites", str(tmp / "sites"), "--proxy", server.url, "--db", str(db), timeout=280)
    log = list(server.log)
    server.close()
    return db, proc, log


def test_at_least_25_kinds():
    assert len(KINDS) >= 25


def test_crawl_finishes_and_says_what_happened(hostile_crawl):
    db, proc, _ = hostile_crawl
    assert proc.returncode == 0, proc.stderr
    run = sqlite3.connect(db).execute("SELECT status, errors, pages_fetched FROM crawl_runs").fetchone()
    assert run[0] == "ok" and run[1] >= 15 and run[2] == len(KINDS)
    assert "hostile" in proc.stdout and "errors" in proc.stdout


@pytest.mark.parametrize("path", sorted(KINDS))
def test_every_url_has_a_recorded_outcome(hostile_crawl, path):
    db, _, _ = hostile_crawl
    url = f"http://{HOST}{path}"
    con = sqlite3.connect(db)
    page = con.execute("SELECT status, error FROM pages WHERE url = ?", [url]).fetchone()
    assert page is not None, f"{path}: no outcome recorded"
    status, error = page
    expected = KINDS[path][1]
    has_article = con.execute("SELECT count(*) FROM articles WHERE url = ?", [url]).fetchone()[0] == 1
    if expected == "article":
        assert error is None and has_article, (path, status, error)
    elif expected.startswith("status:"):
        assert status == int(expected[7:]) and error == f"http {status}" and not has_article
    else:
        assert error and expected[6:].lower() in error.lower() and not has_article, (path, error)


def test_control_article_and_survivors_are_exact(hostile_crawl):
    db, _, _ = hostile_crawl
    con = sqlite3.connect(db)
    for path in ("/a/ok.html", "/a/bad-gbk.html", "/a/gb2312-is-utf8.html", "/a/utf8-is-gbk.html",
                 "/a/xml-decl.html", "/a/links-50k.html", "/a/deep.html", "/a/unknown-charset.html"):
        body = con.execute("SELECT body FROM articles WHERE url = ?", [f"http://{HOST}{path}"]).fetchone()[0]
        assert PARAS[1] in body.splitlines(), path
        assert "链接1" not in body, path
    bad = con.execute("SELECT body FROM articles WHERE url = ?", [f"http://{HOST}/a/bad-gbk.html"]).fetchone()[0]
    assert bad.count("\ufffd") <= 3 and "全市今年已完成防汛应急演练" in bad  # damage stays local
    mixed = con.execute("SELECT body FROM articles WHERE url = ?", [f"http://{HOST}/a/mixed.html"]).fetchone()[0]
    assert PARAS[0] in mixed  # the UTF-8 part survives the GBK paragraph


def test_limits_and_scope_hold(hostile_crawl):
    _, _, log = hostile_crawl
    hosts = {h for h, _ in log}
    assert hosts == {HOST}  # the off-site redirect target was never requested
    pages = [p for _, p in log if p.startswith("/pages/")]
    assert 1 <= len(pages) <= 6  # infinite pagination stops at [list] max_pages
    assert not any(p.startswith("/private/") for _, p in log)
    assert not any(p.startswith("/gen/") or p.startswith("/x/") for _, p in log)


def test_no_cookies_or_credentials_are_stored(hostile_crawl):
    db, _, _ = hostile_crawl
    con = sqlite3.connect(db)
    headers = json.loads(con.execute("SELECT headers FROM pages WHERE url = ?",
                                     [f"http://{HOST}/a/cookie.html"]).fetchone()[0])
    assert not {k.lower() for k in headers} & {"set-cookie", "cookie", "authorization"}
    dump = "\n".join(con.iterdump())
    assert "secret123" not in dump


def test_duplicates_and_future_dates(hostile_crawl):
    db, _, _ = hostile_crawl
    con = sqlite3.connect(db)
    a, b = (con.execute("SELECT fingerprint, cluster_id FROM articles WHERE url = ?",
                        [f"http://{HOST}/a/dup-{i}.html"]).fetchone() for i in (1, 2))
    assert a[0] == b[0] and a[1] == b[1] is not None
    future = con.execute("SELECT published_at FROM articles WHERE url = ?", [f"http://{HOST}/a/future.html"]).fetchone()[0]
    assert future is None or future < "2027"
    notext = con.execute("SELECT body FROM articles WHERE url = ?", [f"http://{HOST}/a/notext.html"]).fetchone()[0]
    assert notext == ""
