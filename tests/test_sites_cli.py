"""`provnews sites`, `sites show`, `check-site` and `add-site` against the loopback mirror."""
from __future__ import annotations

import json
import re
import shutil
import tomllib

import pytest

from crawler.registry import load_site
from provnews.mirror import MIRROR_DIR, SITES_DIR
from tests.conftest import run_cli
from tests.test_discovery import without_links

DISCOVERY_SITES = MIRROR_DIR / "sites-discovery"


def site_file(directory, site_id: str, start: str, domain: str) -> None:
    (directory / f"{site_id}.toml").write_text(
        f'id = "{site_id}"\nname = "测试"\nprovince = "云南"\nstart_urls = ["{start}"]\n'
        f'allowed_domains = ["{domain}"]\n', encoding="utf-8")


def requests_since(mirror, before: int) -> list[tuple[str, str]]:
    return [(e["host"], e["path"]) for e in mirror.log.snapshot()[before:]]


def test_sites_lists_the_registry_with_the_last_runs(crawled):
    db = crawled[0]
    proc = run_cli("sites", "--sites", str(SITES_DIR), "--json", "--db", str(db), check=True)
    out = json.loads(proc.stdout)
    assert out["invalid"] == []
    rows = {r["id"]: r for r in out["sites"]}
    assert set(rows) == {"mirror-daily", "mirror-gov", "mirror-portal"}
    assert rows["mirror-gov"] == {"id": "mirror-gov", "name": "云岭市人民政府（镜像）", "province": "云南",
                                  "kind": "gov", "verified": True, "every": "", "links": "explicit",
                                  "last_run": "ok", "articles": 14, "errors": 2}  # a 404, a PDF
    table = run_cli("sites", "--sites", str(SITES_DIR), check=True).stdout
    assert "mirror-portal" in table and "explicit" in table


def test_sites_names_invalid_files_and_exits_2(tmp_path):
    shutil.copy(SITES_DIR / "mirror-gov.toml", tmp_path)
    (tmp_path / "broken.toml").write_text('id = "broken"\nname = 3\n', encoding="utf-8")
    without_links(DISCOVERY_SITES, tmp_path)
    proc = run_cli("sites", "--sites", str(tmp_path), "--json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    out = json.loads(proc.stdout)
    assert {r["id"]: r["links"] for r in out["sites"]} == {
        "mirror-gov": "explicit", "mirror-hanweb": "discovered", "mirror-people": "discovered"}
    assert len(out["invalid"]) == 1 and "broken.toml: name: expected str" in out["invalid"][0]["error"]
    assert "broken.toml" in run_cli("sites", "--sites", str(tmp_path)).stdout


def test_check_site_ok_with_regexes_and_with_discovery(mirror, tmp_path):
    without_links(DISCOVERY_SITES, tmp_path)
    for sites_dir, site_id, links in ((DISCOVERY_SITES, "mirror-hanweb", "explicit"),
                                      (tmp_path, "mirror-people", "discovered")):
        before = len(mirror.log.snapshot())
        proc = run_cli("check-site", site_id, "--sites", str(sites_dir), "--proxy", mirror.url, "--json")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        report = json.loads(proc.stdout)
        assert report["ok"] and report["verdict"] == "ok" and report["links"] == links
        assert report["counts"]["article"] >= 5 and report["counts"]["list"] >= 1
        samples = [s for s in report["samples"] if s["kind"] == "article"]
        assert len(samples) == 3
        for s in samples:
            assert s["title"] and s["published_at"].startswith("2024-05-") and s["published_source"]
            assert s["body_chars"] > 100 and s["first_line"] and s["source"]
        hosts = {h for h, _ in requests_since(mirror, before)}
        assert len(hosts) == 1  # only the named site, nothing off-site
    assert not list(tmp_path.glob("*.db")) and not list(DISCOVERY_SITES.glob("*.db"))  # nothing written
    text = run_cli("check-site", "mirror-hanweb", "--sites", str(DISCOVERY_SITES), "--proxy", mirror.url).stdout
    assert "verdict: ok" in text and "title" in text and "date" in text


def test_check_site_unreachable_blocked_and_unknown(mirror, tmp_path):
    site_file(tmp_path, "gone", "http://nowhere.test/", "nowhere.test")
    site_file(tmp_path, "private", "http://www.qicai-daily.test/private/system/", "qicai-daily.test")
    proc = run_cli("check-site", "gone", "--sites", str(tmp_path), "--proxy", mirror.url, "--json")
    assert proc.returncode == 1 and not json.loads(proc.stdout)["ok"]
    assert "http://nowhere.test/" in json.loads(proc.stdout)["verdict"]
    before = len(mirror.log.snapshot())
    proc = run_cli("check-site", "private", "--sites", str(tmp_path), "--proxy", mirror.url)
    assert proc.returncode == 1 and "blocked by robots.txt" in proc.stdout
    assert requests_since(mirror, before) == [("www.qicai-daily.test", "/robots.txt")]
    site_file(tmp_path, "moved", "http://www.cangshan.gov.test/old/index.html", "cangshan.gov.test")
    before = len(mirror.log.snapshot())
    proc = run_cli("check-site", "moved", "--sites", str(tmp_path), "--proxy", mirror.url)
    assert proc.returncode == 1 and "redirects off-site to www.cangshan-new.test" in proc.stdout
    assert "www.cangshan-new.test" not in {h for h, _ in requests_since(mirror, before)}
    proc = run_cli("check-site", "no-such-site", "--sites", str(tmp_path))
    assert proc.returncode == 2 and "no site 'no-such-site'" in proc.stderr and "Traceback" not in proc.stderr


def test_add_site_writes_a_draft_that_loads_and_discovers(mirror, tmp_path):
    proc = run_cli("add-site", "http://www.cangshan.gov.test/", "--name", "苍山市人民政府", "--province", "云南",
                   "--sites", str(tmp_path), "--proxy", mirror.url)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "verdict: ok" in proc.stdout
    path = tmp_path / "cangshan-gov-test.toml"
    site = load_site(path)
    assert site.kind == "gov" and not site.verified and not site.article_patterns  # discovery on
    assert site.start_urls == ("http://www.cangshan.gov.test/",) and site.allowed_domains == ("cangshan.gov.test",)
    draft = path.read_text(encoding="utf-8")
    pinned = tomllib.loads(draft.replace("# [links]", "[links]").replace("# article", "article"))
    assert pinned["links"]["article"] == [r"/art/\d+/\d+/\d+/art_\d+_\d+\.html$"]
    again = run_cli("add-site", "http://www.cangshan.gov.test/", "--name", "x", "--province", "云南",
                    "--sites", str(tmp_path), "--proxy", mirror.url)
    assert again.returncode == 2 and "exists" in again.stderr
    assert run_cli("sites", "--sites", str(tmp_path), check=True).stdout.count("discovered") == 1


@pytest.mark.parametrize("url", ["http://nowhere.test/", "http://www.qicai-daily.test/private/"])
def test_add_site_writes_nothing_for_an_unreadable_start_page(mirror, tmp_path, url):
    proc = run_cli("add-site", url, "--name", "x", "--province", "云南", "--id", "bad",
                   "--sites", str(tmp_path), "--proxy", mirror.url)
    assert proc.returncode == 1 and "nothing written" in proc.stderr and "Traceback" not in proc.stderr
    assert not list(tmp_path.iterdir())


def test_report_shows_site_health_by_province(crawled, tmp_path):
    out = tmp_path / "report.html"
    run_cli("report", "--db", str(crawled[0]), "--out", str(out), check=True)
    html = out.read_text(encoding="utf-8")
    row = html[html.index("<tr data-province='云南'>"):]
    row = row[:row.index("</tr>")]
    # 3 mirror sites, all last runs ok, 43 articles all dated, 3 errors (mirror-gov's 404 and PDF,
    # the daily's link that robots.txt forbids)
    assert re.findall(r"<td class='n'>(\d+)</td>", row) == ["3", "3", "43", "43", "3"]


def test_sites_show_with_a_db_that_is_not_sqlite_is_one_line_exit_2(tmp_path):
    db = tmp_path / "news.db"
    db.write_text("id,title\n", "utf-8")
    proc = run_cli("sites", "show", "mirror-gov", "--sites", str(SITES_DIR), "--db", str(db))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert [line for line in proc.stderr.splitlines() if line.strip()] == [
        f"Error: {db} is not an SQLite database (its first bytes are b'id,title'); nothing was changed"]
