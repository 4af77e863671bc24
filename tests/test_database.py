"""The database as a product: re-ingest, archives in and out, Chinese search, syndication, schema."""
from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from provnews.mirror import SITES_DIR
from tests.conftest import run_cli


@pytest.fixture
def db(crawled, tmp_path):
    """A private copy of the crawled mirror database."""
    path = tmp_path / "news.db"
    shutil.copy(crawled[0], path)
    return path


def table_bytes(path, table="articles") -> str:
    con = sqlite3.connect(path)
    return "\n".join(repr(r) for r in con.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid"))


def test_reingest_twice_with_unchanged_rules_writes_nothing(db):
    before = table_bytes(db)
    proc = run_cli("reingest", "--db", str(db), "--sites", str(SITES_DIR), "--json", check=True)
    summary = json.loads(proc.stdout)
    assert summary["processed"] == 44 and summary["unchanged"] == 43 and summary["errors"] == 1
    assert summary["updated"] == summary["new"] == summary["bodies_changed"] == 0
    assert table_bytes(db) == before
    run_cli("reingest", "--db", str(db), "--sites", str(SITES_DIR), "--jobs", "1", check=True)
    assert table_bytes(db) == before


def test_reingest_applies_a_rule_change_and_keeps_the_index_in_sync(db, tmp_path):
    sites = tmp_path / "sites"
    shutil.copytree(SITES_DIR, sites)
    toml = sites / "mirror-gov.toml"
    # a new per-site rule: drop the story's closing paragraph on the gov site
    toml.write_text(toml.read_text("utf-8").replace("[list]", "[extract]\nprune = [\"//p[starts-with(normalize-space(.), '据')]\"]\n\n[list]"), "utf-8")
    dry = json.loads(run_cli("reingest", "--db", str(db), "--sites", str(sites), "--dry-run", "--json", check=True).stdout)
    assert dry["bodies_changed"] >= 2 and table_bytes(db) == table_bytes(db)
    before = {u: b for u, b in sqlite3.connect(db).execute("SELECT url, body FROM articles")}
    out = json.loads(run_cli("reingest", "--db", str(db), "--sites", str(sites), "--site", "mirror-gov",
                             "--json", check=True).stdout)
    assert out["bodies_changed"] == dry["bodies_changed"] and out["updated"] == dry["bodies_changed"]
    after = {u: b for u, b in sqlite3.connect(db).execute("SELECT url, body FROM articles")}
    changed = [u for u in after if after[u] != before[u]]
    assert len(changed) == out["bodies_changed"] and all("yunling" in u for u in changed)
    assert all("据了解" not in after[u] for u in changed)
    # the full-text index follows the rows: the removed sentence is no longer found on those pages
    hits = json.loads(run_cli("search", "据了解", "--db", str(db), "--json", "--limit", "100", check=True).stdout)
    assert not any(h["url"] in changed for h in hits)


@pytest.mark.parametrize("query,expected_min", [("滇", 3), ("昆明", 10), ("滇池绿道", 2), ("地铁6号线", 2)])
def test_search_finds_chinese_of_any_length(db, query, expected_min):
    hits = json.loads(run_cli("search", query, "--db", str(db), "--json", "--limit", "50", "--no-fold",
                              check=True).stdout)
    assert len(hits) >= expected_min
    assert all(set(h) == {"url", "title", "site", "published_at", "snippet", "rank", "copies", "copy_sites"}
               for h in hits)
    con = sqlite3.connect(db)
    for h in hits:
        title, body = con.execute("SELECT title, body FROM articles WHERE url = ?", [h["url"]]).fetchone()
        assert query.lower() in (title + body).lower()
        assert f"[{query}]" in h["snippet"] or query in title
    # every article that contains the query is found (recall), ranked by bm25 (ascending)
    truth = con.execute("SELECT count(*) FROM articles WHERE instr(title || body, ?) > 0", [query]).fetchone()[0]
    assert len(hits) == truth
    assert [round(h["rank"], 2) for h in hits] == sorted(round(h["rank"], 2) for h in hits)  # then newest


def test_search_filters_and_no_match(db):
    hits = json.loads(run_cli("search", "昆明", "--db", str(db), "--site", "mirror-portal", "--since",
                              "2024-05-15", "--json", check=True).stdout)
    con = sqlite3.connect(db)
    for h in hits:
        site, pub = con.execute("SELECT site, published_at FROM articles WHERE url = ?", [h["url"]]).fetchone()
        assert site == "mirror-portal" and pub >= "2024-05-15"
    assert json.loads(run_cli("search", "火星殖民", "--db", str(db), "--json", check=True).stdout) == []


def test_syndicated_story_is_one_cluster_across_three_sites(db):
    con = sqlite3.connect(db)
    rows = con.execute("SELECT site, url, published_at, cluster_id, duplicate_of FROM articles "
                       "WHERE title = '盘龙区整治占道经营 设置临时便民摊点区' ORDER BY published_at").fetchall()
    assert [r[0] for r in rows] == ["mirror-daily", "mirror-gov", "mirror-portal"] or \
        sorted(r[0] for r in rows) == ["mirror-daily", "mirror-gov", "mirror-portal"]
    original = min(rows, key=lambda r: r[2])
    assert original[0] == "mirror-daily"  # the daily printed it first, at 07:xx
    assert {r[3] for r in rows} == {original[1]}
    assert [r[4] for r in rows if r[1] != original[1]] == [original[1], original[1]]
    assert original[4] is None
    # a story only one site carries is in no cluster
    solo = con.execute("SELECT cluster_id FROM articles WHERE title = '红河州哈尼梯田开秧门 万亩梯田进入插秧季' "
                       "AND site = 'mirror-portal'").fetchone()
    clusters = con.execute("SELECT copies, sites FROM syndication_clusters").fetchall()
    assert solo is not None and all(c >= 2 for c, _ in clusters)


def test_warc_round_trip(db, tmp_path):
    warc = tmp_path / "out.warc.gz"
    run_cli("export", "--db", str(db), "--format", "warc", "--out", str(warc), check=True)
    other = tmp_path / "imported.db"
    proc = run_cli("import", str(warc), "--db", str(other), "--site", "archive", check=True)
    assert "new 43" in proc.stdout
    a = dict(sqlite3.connect(db).execute("SELECT url, body FROM articles"))
    b = dict(sqlite3.connect(other).execute("SELECT url, body FROM articles"))
    assert a == b


def test_import_html_folder_with_sidecar_and_canonical(tmp_path):
    from provnews.mirror import MIRROR_DIR

    folder = tmp_path / "pages"
    folder.mkdir()
    src = sorted((MIRROR_DIR / "www.qicai-daily.test/system/2024/05/08").glob("*.shtml"))[0]
    shutil.copy(src, folder / "a.html")
    (folder / "b.html").write_text(
        '<html><head><link rel="canonical" href="http://example.cn/b.html"><title>标题乙</title></head>'
        "<body><h1>标题乙</h1><p>" + "昆明今年新建公园十二座，市民休闲空间进一步扩大。" * 4 + "</p></body></html>", "utf-8")
    (folder / "urls.jsonl").write_text(json.dumps({"path": "a.html", "url": "http://www.qicai-daily.test/x.shtml",
                                                   "fetched_at": "2024-06-01T00:00:00+00:00"}), "utf-8")
    db = tmp_path / "n.db"
    run_cli("import", str(folder), "--db", str(db), check=True)
    rows = dict(sqlite3.connect(db).execute("SELECT url, site FROM articles"))
    assert rows == {"http://www.qicai-daily.test/x.shtml": "import", "http://example.cn/b.html": "import"}


def test_exports_stream_every_column(db, tmp_path):
    cols = [d[1] for d in sqlite3.connect(db).execute("PRAGMA table_info(articles)")]
    lines = run_cli("export", "--db", str(db), "--site", "mirror-gov", check=True).stdout.splitlines()
    assert len(lines) == 14 and all(list(json.loads(line)) == cols for line in lines)
    csv_out = run_cli("export", "--db", str(db), "--format", "csv", "--since", "2024-05-20", check=True).stdout
    import csv
    import io

    rows = list(csv.reader(io.StringIO(csv_out)))
    assert rows[0] == cols and len(rows) - 1 == sqlite3.connect(db).execute(
        "SELECT count(*) FROM articles WHERE published_at >= '2024-05-20'").fetchone()[0]
    pq = tmp_path / "a.parquet"
    run_cli("export", "--db", str(db), "--format", "parquet", "--out", str(pq), check=True)
    import pyarrow.parquet as parquet

    table = parquet.read_table(pq)
    assert table.num_rows == 43 and table.column_names == cols


def test_export_to_a_missing_folder_is_one_clear_line(db, tmp_path):
    out = tmp_path / "nosuch" / "x.parquet"
    proc = run_cli("export", "--db", str(db), "--format", "parquet", "--out", str(out))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [f"Error: cannot write {out}: No such file or directory"]


def test_views_answer_common_questions(db):
    con = sqlite3.connect(db)
    daily = con.execute("SELECT sum(articles) FROM daily_counts").fetchone()[0]
    assert daily == con.execute("SELECT count(*) FROM articles WHERE published_at IS NOT NULL").fetchone()[0]
    latest = con.execute("SELECT published_at FROM latest_articles").fetchall()
    assert latest == sorted(latest, reverse=True)
    health = dict(con.execute("SELECT site, articles FROM site_health"))
    assert health == {"mirror-daily": 15, "mirror-gov": 14, "mirror-portal": 14}


def test_migration_from_schema_v1_upgrades_in_place(tmp_path):
    import sqlite_utils

    from pipelines import schema

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    schema._v1(old)
    old["meta"].insert({"key": "schema_version", "value": "1"})
    old["articles"].insert({"url": "http://a.cn/1.html", "site": "x", "title": "昆明老数据",
                            "body": "滇池治理取得新进展，" * 10, "fetched_at": "2023-01-01T00:00:00+00:00"})
    old.conn.close()
    db = schema.connect(path)
    assert schema.schema_version(db) == schema.SCHEMA_VERSION
    assert {"cluster_id", "duplicate_of"} <= set(db["articles"].columns_dict)
    assert {"frontier", "validators", "articles_fts", "lsh_bands"} <= set(db.table_names())
    from provnews.search import search

    assert [h["url"] for h in search(db, "滇池")] == ["http://a.cn/1.html"]
    db.conn.close()
    # opening again changes nothing
    assert schema.schema_version(schema.connect(path)) == schema.SCHEMA_VERSION


def test_reingest_where_must_be_valid_sql(db):
    proc = run_cli("reingest", "--db", str(db), "--where", "no_such_column = 1")
    assert proc.returncode == 2 and "--where" in proc.stderr
