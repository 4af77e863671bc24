"""The house's structure, checked: the core imports no crawler, each of crawl_runs and sites has
one writer, export formats come from one registry, and a run's status is decided by one module."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from pipelines import runs
from pipelines.schema import connect
from tests.conftest import ROOT

PACKAGES = ("crawler", "pipelines", "provnews")


def _modules(*packages: str):
    for package in packages:
        yield from sorted((ROOT / package).rglob("*.py"))


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_core_imports_neither_the_crawler_nor_the_command_line():
    offenders = {str(p.relative_to(ROOT)): sorted(n for n in _imports(p) if n.split(".")[0] in ("crawler", "provnews"))
                 for p in _modules("pipelines")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_schema_does_not_import_the_store():
    assert not any(n == "pipelines.store" for n in _imports(ROOT / "pipelines" / "schema.py"))


def test_crawl_runs_and_sites_have_one_writer():
    """INSERT/UPDATE/upsert on crawl_runs or sites appear in pipelines/runs.py only (SELECTs are fine)."""
    write = re.compile(r"""(\[["'](crawl_runs|sites)["']\]\.(insert|update|upsert)|"""
                       r"""(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(crawl_runs|sites)\b)""", re.I)
    writers = sorted(str(p.relative_to(ROOT)) for p in _modules(*PACKAGES)
                     if write.search(p.read_text(encoding="utf-8")))
    assert writers == ["pipelines/runs.py"]


def test_is_transient_and_max_attempts_are_defined_once():
    defined = sorted(str(p.relative_to(ROOT)) for p in _modules(*PACKAGES)
                     if re.search(r"^(def is_transient|MAX_ATTEMPTS\s*=)", p.read_text(encoding="utf-8"), re.M))
    assert defined == ["pipelines/page.py"]


def test_export_formats_come_from_the_registry():
    from provnews.cli.database import export
    from provnews.exporters import EXPORTERS

    fmt = next(p for p in export.params if p.name == "fmt")
    assert list(fmt.type.choices) == list(EXPORTERS)
    assert {name: e.table for name, e in EXPORTERS.items()} == {
        "jsonl": "articles", "csv": "articles", "parquet": "articles", "warc": "pages"}


def test_a_run_left_running_is_settled_as_interrupted_and_a_finished_one_by_its_stats(tmp_path):
    db = connect(tmp_path / "runs.db")
    listed = {"provnews/list_pages": 2, "provnews/pages_fetched": 5, "provnews/articles_new": 4}
    done = runs.open_run(db, "a")
    runs.close_run(db, done, listed)
    assert runs.settle_run(db, done, {"finish_reason": "finished", **listed})["status"] == "ok"
    killed = runs.open_run(db, "b")  # a second Ctrl-C: the spider never closed
    outcome = runs.settle_run(db, killed, {"finish_reason": "shutdown", **listed})
    assert outcome["status"] == "interrupted" and outcome["pages_fetched"] == 5
    row = db["crawl_runs"].get(killed)
    assert (row["status"], row["message"], row["finished_at"] is not None) == ("interrupted", runs.INTERRUPTED, True)
    assert runs.settle_run(db, None, {}) is None
    assert runs.last_ok_start(db, "a") == db["crawl_runs"].get(done)["started_at"]
    assert runs.last_ok_start(db, "b") is None


def test_a_round_fails_when_one_node_fails_and_counts_every_page(tmp_path):
    db = connect(tmp_path / "rounds.db")
    for outcome in ("new", "updated", "error"):
        runs.tally_page(db, "a", "r1", "2024-05-09T00:00:00+00:00", outcome)
    report = {"site": "a", "round": "r1", "started_at": "2024-05-08T23:59:00+00:00",
              "finished_at": "2024-05-09T00:10:00+00:00", "node": "n1", "reason": "finished"}
    runs.fold_node_report(db, report)
    runs.fold_node_report(db, {**report, "node": "n2", "reason": "closespider_timeout"})
    runs.fold_node_report(db, {**report, "node": "n3", "reason": "shutdown", "service": True})
    (row,) = db.query("SELECT * FROM crawl_runs")
    assert (row["status"], row["nodes"], row["pages_fetched"], row["articles_new"], row["articles_updated"],
            row["errors"], row["started_at"]) == ("failed", 3, 3, 1, 1, 1, "2024-05-08T23:59:00+00:00")
    assert row["message"] == "node n2: crawl ended: closespider_timeout"


def test_no_module_is_over_450_lines():
    """Small modules with one job: a module that grows past this is split by concern."""
    long = {str(p.relative_to(ROOT)): n for p in _modules(*PACKAGES, "bench")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450}
    assert long == {}


def test_the_command_line_is_a_package_of_thin_modules():
    from provnews.cli import COMMAND_MODULES, cli

    registered = {c.callback.__module__ for c in cli.commands.values()}
    assert registered <= {m.__name__ for m in COMMAND_MODULES} | {"provnews.schedule"}
    assert len(cli.commands) >= 20


def test_bench_imports_nothing_from_tests():
    """Benches and tests share helpers through modules both may use (data/, provnews/), never tests/."""
    offenders = {str(p.relative_to(ROOT)): sorted(n for n in _imports(p) if n.split(".")[0] == "tests")
                 for p in _modules("bench")}
    assert {k: v for k, v in offenders.items() if v} == {}


# what only the writer or the crawl's main process needs: a stage worker must not pay for it
NOT_IN_A_STAGE_WORKER = ("sqlite_utils", "click", "scrapy", "twisted", "pipelines.store", "pipelines.index",
                         "pipelines.clusters", "pipelines.schema", "crawler.settings", "crawler.spiders", "provnews")


def test_a_stage_worker_imports_only_what_the_stages_need():
    """A worker process (pipelines/stage_pool.py, spawned fresh) runs the crawl's stage function
    (crawler/page_stages.py) or re-ingest's run_stages; sqlite-utils, the store, the index and the
    clusters are the writer's, Scrapy the main process's, and each would cost every worker its
    memory (packing.py holds what the workers need of the store)."""
    import subprocess
    import sys

    code = f"""
import sys
from pathlib import Path
from pipelines.page import new_page
from crawler.page_stages import CLASSIFY, crawl_stages
from pipelines.stage_pool import run_stages
path = sorted(Path({str(ROOT / "data" / "mirror")!r}).rglob("detail-*.shtml"))[0]
for stages, rules in ((run_stages, {{}}), (crawl_stages, {{CLASSIFY: True}})):
    page = stages((new_page("http://yn.yunshang.test/" + path.name, site="mirror-portal", body=path.read_bytes(),
                            headers={{"Content-Type": "text/html"}}, fetched_at="2024-06-01T00:00:00+00:00"), rules))
    assert page.get("error") is None and page["article"]["body"] and page["fts"] and page["_body_z"], page.get("error")
print(" ".join(sorted(m for m in {NOT_IN_A_STAGE_WORKER!r} if m in sys.modules)))
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == []
