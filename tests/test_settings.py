"""crawler/settings.py holds every default, and none of them depends on the working directory."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crawler import settings
from crawler.registry import default_every
from tests.conftest import ROOT


def test_eval_paths_are_absolute_and_found_from_any_directory(tmp_path):
    assert Path(settings.PROVNEWS_EVAL_BASELINE).is_absolute()
    assert Path(settings.PROVNEWS_EVAL_BASELINE).is_file()
    assert Path(settings.PROVNEWS_EVAL_CORPUS).is_absolute()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "provnews.cli", "eval", "--help"], cwd=tmp_path,
                          capture_output=True, text=True, env={**env, "COLUMNS": "400"}, timeout=60)
    assert proc.returncode == 0
    assert settings.PROVNEWS_EVAL_BASELINE in proc.stdout.replace("\n", "")


def test_default_every_reads_the_setting_and_refuses_garbage():
    assert default_every({"PROVNEWS_DEFAULT_EVERY": "90m"}) == 5400
    assert default_every({"PROVNEWS_DEFAULT_EVERY": settings.PROVNEWS_DEFAULT_EVERY}) == 3600
    with pytest.raises(ValueError, match="PROVNEWS_DEFAULT_EVERY"):
        default_every({"PROVNEWS_DEFAULT_EVERY": "hourly"})
