"""SBDK: a local-first data development kit (synthetic data -> dlt -> DuckDB -> dbt)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sbdk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
