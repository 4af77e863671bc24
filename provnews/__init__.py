"""provnews: crawl Chinese provincial and municipal news into clean SQLite (CLI and helpers)."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("provnews")
except PackageNotFoundError:  # running from a checkout without install
    __version__ = "0.1.0"
