"""The extraction accuracy gate: fails when body F1 or leak regress > 0.01 from the baseline.

Runs the real `provnews eval --check` on ../shared/corpus/zh-news; where the corpus is absent
(a clone elsewhere) the gate is reported as skipped, with the reason, never as passed.
"""
from __future__ import annotations

import json

import pytest

from provnews.evaluate import TOLERANCE, check_baseline
from tests.conftest import ROOT, run_cli

CORPUS = ROOT.parent / "shared" / "corpus" / "zh-news"
BASELINE = ROOT / "bench" / "eval_baseline.json"


def test_gate_logic_flags_regressions(tmp_path):
    base = {"body_f1": 0.9, "leak": 0.05}
    path = tmp_path / "b.json"
    path.write_text(json.dumps(base))
    assert check_baseline({"body_f1": 0.9 - TOLERANCE + 0.001, "leak": 0.05}, path) == []
    assert len(check_baseline({"body_f1": 0.88, "leak": 0.05}, path)) == 1
    assert len(check_baseline({"body_f1": 0.95, "leak": 0.07}, path)) == 1


def test_eval_skips_cleanly_without_a_corpus(tmp_path):
    proc = run_cli("eval", str(tmp_path / "nowhere"), "--check", check=True)
    assert "eval skipped" in proc.stdout


@pytest.mark.skipif(not (CORPUS / "truth.jsonl").exists(), reason=f"no evaluation corpus at {CORPUS}")
def test_extraction_does_not_regress_on_the_dev_split():
    proc = run_cli("eval", str(CORPUS), "--no-compare", "--check", "--baseline", str(BASELINE),
                   timeout=280)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "eval gate passed" in proc.stdout
