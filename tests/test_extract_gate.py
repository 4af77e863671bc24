"""The eval gate also holds title exact and author floors when the baseline file records them."""
from __future__ import annotations

import json

from provnews.evaluate import TOLERANCE, check_baseline
from tests.conftest import ROOT

OURS = {"body_f1": 0.93, "leak": 0.01, "title_exact": 0.95, "author_contains": 0.70}


def test_title_and_author_regressions_fail_the_gate(tmp_path):
    path = tmp_path / "b.json"
    path.write_text(json.dumps(OURS))
    assert check_baseline(OURS, path) == []
    assert check_baseline({**OURS, "title_exact": 0.95 - TOLERANCE + 0.001}, path) == []
    problems = check_baseline({**OURS, "title_exact": 0.92, "author_contains": 0.6}, path)
    assert len(problems) == 2 and problems[0].startswith("title exact")


def test_the_shipped_baseline_holds_all_four_figures():
    base = json.loads((ROOT / "bench" / "eval_baseline.json").read_text(encoding="utf-8"))
    assert {"body_f1", "leak", "title_exact", "author_contains"} <= set(base)
