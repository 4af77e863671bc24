"""Scrapyd's own virtualenv: Scrapyd, scrapyd-client and provnews's dependencies, not provnews.

A Scrapyd egg carries no dependencies, and the deployed egg *is* the project: installing provnews
into Scrapyd's environment as well would let jobs import that copy instead. So the environment
gets exactly pyproject.toml's dependencies plus its `scrapyd` extra, read from the file (stdlib
only, so the system python3 runs this before any venv exists):

    python3 -m provnews.scrapyd_env                 # build (or reuse) it; prints its path
    python3 -m provnews.scrapyd_env /opt/scrapyd    # ... at a place of your choosing
    python3 -m provnews.scrapyd_env --requirements  # just the requirement lines, for pip -r

Without a path it lives in a cache directory outside the clone (one per Python version), so CI
and the test build it once; when pyproject.toml's requirements change, pip brings it up to date.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
COMPLETE = ".provnews-complete"  # written last: a half-built environment is never reused


def requirements(pyproject: Path = PYPROJECT) -> list[str]:
    """provnews's dependencies and the `scrapyd` extra, as pip requirement lines."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return [*project["dependencies"], *project["optional-dependencies"]["scrapyd"]]


def default_dir() -> Path:
    """$PROVNEWS_SCRAPYD_VENV, else ~/.cache/provnews/scrapyd-pyX.Y (XDG_CACHE_HOME honoured)."""
    if os.environ.get("PROVNEWS_SCRAPYD_VENV"):
        return Path(os.environ["PROVNEWS_SCRAPYD_VENV"])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "provnews" / f"scrapyd-py{sys.version_info[0]}.{sys.version_info[1]}"


def is_ready(venv: Path, reqs: list[str]) -> bool:
    """Built, and for exactly these requirements."""
    mark = venv / COMPLETE
    return mark.is_file() and mark.read_text(encoding="utf-8").split("\n")[:-1] == reqs


def build(venv: Path | None = None, quiet: bool = True) -> Path:
    """Create the environment, or bring it up to pyproject.toml's requirements (pip installs only
    what changed); returns its path. The completion mark, naming the requirements, is written
    last, so an interrupted build is finished by the next call."""
    reqs = requirements()
    venv = Path(venv) if venv else default_dir()
    if is_ready(venv, reqs):
        return venv
    (venv / COMPLETE).unlink(missing_ok=True)
    if not (venv / "bin" / "python").is_file():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", *(["-q"] if quiet else []), *reqs]
    subprocess.run(pip, check=True)
    (venv / COMPLETE).write_text("\n".join(reqs) + "\n", encoding="utf-8")
    return venv


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--requirements" in args:
        print("\n".join(requirements()))
        return 0
    if any(a.startswith("-") for a in args) or len(args) > 1:
        print("usage: python3 -m provnews.scrapyd_env [DIR] | --requirements", file=sys.stderr)
        return 2
    try:
        print(build(Path(args[0]).resolve() if args else None))
    except subprocess.CalledProcessError as e:
        print(f"building Scrapyd's environment failed: {' '.join(map(str, e.cmd))} exited {e.returncode}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
