"""Search that tells the truth: mixed-script phrases, a useful order, folded copies, usage errors,
and the documented query for plain sqlite3 users."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import unicodedata
import zlib

import pytest

from pipelines.index import index_and_cluster
from pipelines.store import connect
from tests.conftest import ROOT, run_cli

MIXED = {  # body text -> whether each query occurs in it is decided by instr(), not by hand
    "http://mixed.test/1": "二十国集团G20峰会在杭州开幕，今年5月8日上午举行。",
    "http://mixed.test/2": "地铁6号线二期今年5月8日开通，峰会期间加开列车。",
    "http://mixed.test/3": "G20 峰会筹备会议召开，5月18日前完成。",
    "http://mixed.test/4": "新建6号楼和8号线站台，五月8日开工，日均客流一万。",
    "http://mixed.test/5": "会议决定，G20峰会后续工作由6号线沿线各区负责，8日报送。",
}
QUERIES = ["5月8日", "6号线", "G20峰会", "G20峰会后续", "月8日", "8日", "G20", "号线", "6号线二期"]
WORD = r"[^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"  # Latin letters and digits: matched whole


@pytest.fixture(scope="module")
def db(crawled, tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "news.db"
    shutil.copy(crawled[0], path)
    con = connect(path)
    with con.conn:
        for url, body in MIXED.items():
            con["articles"].insert({"url": url, "site": "mixed", "title": "测试稿件", "body": body,
                                    "body_chars": len(body), "fetched_at": "2024-06-01T00:00:00+00:00"})
            index_and_cluster(con, url)  # the code every crawl indexes with
    con.conn.close()
    return path


def truth(db, q: str) -> set[str]:
    """Articles holding q as a substring (a number or Latin word at its ends matched whole:
    8日 is not in 18日), by a scan of every row."""
    fold = unicodedata.normalize("NFKC", q).lower()
    pattern = re.compile((f"(?<!{WORD})" if re.match(WORD, fold) else "") + re.escape(fold)
                         + (f"(?!{WORD})" if re.match(WORD, fold[-1]) else ""))
    con = sqlite3.connect(db)
    return {u for u, t, b in con.execute("SELECT url, title, body FROM articles")
            if pattern.search(unicodedata.normalize("NFKC", f"{t or ''}\n{b or ''}").lower())}


def hits(db, *args) -> list[dict]:
    return json.loads(run_cli("search", *args, "--db", str(db), "--json", "--limit", "500", check=True).stdout)


@pytest.mark.parametrize("q", QUERIES)
def test_mixed_script_query_is_one_phrase(db, q):
    found = {h["url"] for h in hits(db, q, "--no-fold")}
    assert found == truth(db, q) and any(u.startswith("http://mixed.test/") for u in found), q


def test_common_terms_are_ordered_by_rank_then_newest_and_print_no_rank(db):
    rows = hits(db, "昆明", "--no-fold")
    assert len(rows) == len(truth(db, "昆明"))
    keys = [(round(h["rank"], 2), h["published_at"] or "") for h in rows]
    for (r1, p1), (r2, p2) in zip(keys, keys[1:]):
        assert r1 < r2 or (r1 == r2 and p1 >= p2)
    text = run_cli("search", "昆明", "--db", str(db), check=True).stdout
    assert not re.search(r"^\s*-?\d+\.\d\d\s", text, re.M)  # no bare bm25 figure at the line start


def test_fold_shows_each_story_once_as_its_earliest_copy(db):
    con = sqlite3.connect(db)
    folded, every = hits(db, "昆明"), hits(db, "昆明", "--no-fold")
    stories = {con.execute("SELECT coalesce(cluster_id, url) FROM articles WHERE url = ?", [h["url"]]).fetchone()[0]
               for h in every}
    assert len(folded) == len(stories) < len(every)
    assert sum(1 + h["copies"] for h in folded) == len(every)
    for h in folded:
        cluster, dup = con.execute("SELECT cluster_id, duplicate_of FROM articles WHERE url = ?", [h["url"]]).fetchone()
        assert dup is None  # the earliest copy is shown, never a later one
        if h["copies"]:
            assert cluster == h["url"] and h["copy_sites"]
    text = run_cli("search", "昆明", "--db", str(db), check=True).stdout
    assert "+2 copies: mirror-gov, mirror-portal" in text


@pytest.mark.parametrize("args,needle", [
    (["", ], "QUERY"), (["!!!"], "QUERY"), (["昆明", "--limit", "-1"], "--limit"), (["昆明", "--limit", "0"], "--limit"),
    (["昆明", "--since", "yesterday"], "--since"), (["昆明", "--site", "no-such-site"], "no-such-site"),
])
def test_search_usage_errors_exit_2(db, args, needle):
    proc = run_cli("search", *args, "--db", str(db))
    assert proc.returncode == 2 and needle in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("command", [["export"], ["reingest", "--dry-run"]])
def test_export_and_reingest_refuse_unknown_site_and_bad_since(db, command):
    for extra, needle in ((["--site", "no-such-site"], "no-such-site"), (["--since", "5/8"], "--since")):
        proc = run_cli(*command, *extra, "--db", str(db))
        assert proc.returncode == 2 and needle in proc.stderr, proc.stderr


def readme_sql() -> tuple[str, str]:
    """The search and raw-page queries the README gives plain sqlite3 users."""
    text = (ROOT / "README.md").read_text("utf-8")
    block = text.split("From plain `sqlite3`")[1].split("```sql")[1].split("```")[0]
    statements = [s.strip() for s in re.sub(r"--[^\n]*", "", block).split(";") if s.strip()]
    return statements[0], statements[1]


def test_the_readme_query_for_plain_sqlite3_finds_what_provnews_search_finds(db, tmp_path):
    search_sql, page_sql = readme_sql()
    con = sqlite3.connect(db)  # no provnews functions registered
    urls = {r[2] for r in con.execute(search_sql)}
    assert urls and urls == truth(db, "滇池绿道") == {h["url"] for h in hits(db, "滇池绿道", "--no-fold")}
    url, raw = con.execute("SELECT url, body FROM pages WHERE site = 'mirror-portal' AND body_size > 0").fetchone()
    shell = shutil.which("sqlite3")
    if shell is None:
        pytest.skip("the sqlite3 shell is not installed (apt-get install sqlite3): sqlar_uncompress is its function")
    out = subprocess.run([shell, "-bail", str(db), page_sql.replace("'…'", f"'{url}'")], capture_output=True,
                         timeout=60)
    assert out.returncode == 0 and out.stdout.rstrip(b"\n") == zlib.decompress(raw).rstrip(b"\n")

