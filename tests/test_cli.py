"""The command line as users run it: help everywhere, the extract contract, read-only SQL."""
from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from provnews import __version__
from provnews.cli import cli
from provnews.mirror import MIRROR_DIR, SITES_DIR
from tests.conftest import run_cli

GOV_ARTICLE = MIRROR_DIR / "www.yunling.gov.test/zwdt/ywdt/202405/t20240509_10101.html"


def all_commands():
    return sorted(cli.commands)


def test_every_command_has_help_text():
    runner = CliRunner()
    for name in all_commands():
        cmd = cli.commands[name]
        assert cmd.help and len(cmd.help.strip()) > 20, f"{name} lacks help text"
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, name
        for param in cmd.params:
            if param.param_type_name == "option" and param.name not in ("help",):
                assert param.help, f"{name} {param.opts} lacks help text"


def test_every_command_is_documented_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name in all_commands():
        assert f"provnews {name}" in readme, f"README does not document `provnews {name}`"


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_extract_json_contract(tmp_path):
    proc = run_cli("extract", str(GOV_ARTICLE), "--url",
                   "http://www.yunling.gov.test/zwdt/ywdt/202405/t20240509_10101.html",
                   "--fetched-at", "2024-06-01T00:00:00+08:00", check=True)
    obj = json.loads(proc.stdout)
    assert set(obj) == {"path", "url", "title", "published", "published_precision", "author",
                        "source", "editor", "kicker", "subtitle", "original_title", "doc_number",
                        "issuer", "body"}
    assert obj["title"] == "云南今年计划新建改建农村公路1.2万公里"
    assert obj["published"] == "2024-05-09T10:07:00+08:00" and obj["published_precision"] == "minute"
    assert obj["source"] == "云岭日报" and obj["editor"] == "张丽"
    assert obj["body"].startswith("5月9日召开的全省农村公路建设推进会透露")


def test_extract_from_jsonl_keeps_ids_and_order(tmp_path):
    other = MIRROR_DIR / "yn.yunshang.test/news/index.html"
    listing = tmp_path / "list.jsonl"
    listing.write_text("\n".join(json.dumps(o) for o in [
        {"id": "b", "path": str(GOV_ARTICLE), "url": "", "fetched_at": "2024-06-01T00:00:00+08:00"},
        {"id": "a", "path": str(other), "url": "http://yn.yunshang.test/news/"},
        {"id": "missing", "path": str(tmp_path / "nope.html"), "url": ""},
    ]), encoding="utf-8")
    proc = run_cli("extract", "--from-jsonl", str(listing), check=True)
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["b", "a", "missing"]
    assert rows[0]["title"] == "云南今年计划新建改建农村公路1.2万公里"
    assert rows[2]["error"].startswith("read:") and rows[2]["body"] is None


def test_extract_relative_date_resolves_against_fetched_at(tmp_path):
    page = tmp_path / "rel.html"
    page.write_text("<html><head><title>滇池水质持续向好</title></head><body><h1>滇池水质持续向好</h1>"
                    "<div class='info'>发布时间：3小时前</div><p>" + "滇池水质监测数据显示，各项指标稳定向好。" * 5 +
                    "</p></body></html>", encoding="utf-8")
    proc = run_cli("extract", str(page), "--fetched-at", "2024-05-09T12:30:00+08:00", check=True)
    obj = json.loads(proc.stdout)
    assert obj["published"] == "2024-05-09T09:30:00+08:00"


@pytest.fixture(scope="module")
def small_db(crawled):
    return crawled[0]


def test_sql_reads_and_prints_json(small_db):
    proc = run_cli("sql", "--db", str(small_db), "--json",
                   "SELECT site, count(*) AS n FROM articles GROUP BY site ORDER BY site", check=True)
    assert json.loads(proc.stdout) == [{"site": "mirror-daily", "n": 15}, {"site": "mirror-gov", "n": 14},
                                       {"site": "mirror-portal", "n": 14}]


@pytest.mark.parametrize("statement", [
    "DELETE FROM articles",
    "UPDATE articles SET title = 'x'",
    "DROP TABLE pages",
    "CREATE TABLE t (x)",
    "ATTACH DATABASE '/tmp/provnews-other.db' AS o",
])
def test_sql_refuses_writes(small_db, tmp_path, statement):
    db = tmp_path / "copy.db"
    shutil.copy(small_db, db)
    before = sqlite3.connect(db).execute("SELECT count(*), sum(length(title)) FROM articles").fetchone()
    proc = run_cli("sql", "--db", str(db), statement)
    assert proc.returncode != 0
    assert "read-only" in proc.stderr or "SQL error" in proc.stderr
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*), sum(length(title)) FROM articles").fetchone() == before
    assert "t" not in {r[0] for r in con.execute("SELECT name FROM sqlite_master")}


def test_sql_on_missing_database_is_a_clear_error(tmp_path):
    proc = run_cli("sql", "--db", str(tmp_path / "none.db"), "SELECT 1")
    assert proc.returncode == 2 and "no database at" in proc.stderr
    assert not (tmp_path / "none.db").exists()


def test_stats_shows_every_site_and_the_errors(small_db):
    proc = run_cli("stats", "--db", str(small_db), check=True)
    for site in ("mirror-daily", "mirror-gov", "mirror-portal"):
        assert site in proc.stdout
    assert "http 404" in proc.stdout


def test_crawl_survives_one_bad_site_file(mirror, tmp_path):
    sites = tmp_path / "sites"
    shutil.copytree(SITES_DIR, sites)
    (sites / "zz-broken.toml").write_text('id = "zz-broken"\nname = "x"\n', encoding="utf-8")
    db = tmp_path / "n.db"
    proc = run_cli("crawl", "--sites", str(sites), "--proxy", mirror.url, "--db", str(db))
    assert proc.returncode == 1
    assert "zz-broken.toml: province: missing required key" in proc.stderr.replace("\n", "")
    n = sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0]
    assert n == 43


def test_crawl_of_unknown_site_is_a_usage_error(tmp_path):
    proc = run_cli("crawl", "no-such-site", "--sites", str(SITES_DIR), "--db", str(tmp_path / "x.db"))
    assert proc.returncode == 2 and "no site 'no-such-site'" in proc.stderr


def test_parse_date_json_and_batch(tmp_path):
    proc = run_cli("parse-date", "发布时间：2022-05-09 10:21", "--json", check=True)
    assert json.loads(proc.stdout) == {"value": "2022-05-09T10:21:00+08:00", "precision": "minute"}
    proc = run_cli("parse-date", "第2022期", "--json", check=True)
    assert json.loads(proc.stdout) == {"value": None, "precision": None}
    batch = tmp_path / "d.jsonl"
    batch.write_text("\n".join(json.dumps(o, ensure_ascii=False) for o in [
        {"text": "3小时前", "base": "2024-05-09T12:00:00+08:00"},
        {"text": "04月24日 08:30", "base": "2024-05-09T12:00:00+08:00"},
        {"text": "电话：0871-63612345", "base": "2024-05-09T12:00:00+08:00"},
    ]), encoding="utf-8")
    proc = run_cli("parse-date", "--from-jsonl", str(batch), check=True)
    assert [json.loads(line) for line in proc.stdout.splitlines()] == [
        {"value": "2024-05-09T09:00:00+08:00", "precision": "hour"},
        {"value": "2024-04-24T08:30:00+08:00", "precision": "minute"},
        {"value": None, "precision": None},
    ]


def test_parse_date_bad_base_is_a_usage_error():
    proc = run_cli("parse-date", "昨天", "--base", "not-a-time")
    assert proc.returncode == 2 and "--base" in proc.stderr


@pytest.mark.parametrize("args", [["reingest"], ["report", "--out", "r.html"], ["stats"], ["search", "昆明"],
                                  ["export"], ["serve", "--port", "1"], ["clusters", "show", "http://x.test/a.html"],
                                  ["clusters", "split", "http://x.test/a.html"], ["sites"]])
def test_commands_that_read_a_database_refuse_a_missing_one(tmp_path, args):
    db = tmp_path / "typo.db"
    proc = run_cli(*args, "--db", str(db))
    assert proc.returncode == 2 and "no database at" in proc.stderr
    assert not db.exists()
