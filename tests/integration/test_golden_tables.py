"""The same seed gives the same tables, from one version of sbdk to the next.

The digest of every table after a run at a fixed seed is committed in golden/ (rows, and an
MD5 of the sorted rows): a change to the generator, the landing, dlt's load or a model that
changes any table's contents fails here, naming the tables. When a change is meant to change
them, regenerate the digests and commit them with it:

    python -m pytest --update-golden -k committed_tables tests/integration
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from . import tables

pytestmark = pytest.mark.integration

GOLDEN = Path(__file__).with_name("golden")
FULL_MODE_SCHEMAS = ("raw", *tables.MODEL_SCHEMAS)


def assert_matches_golden(name: str, found: dict[str, list], update: bool) -> None:
    path = GOLDEN / f"{name}.json"
    if update:
        path.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
    assert path.is_file(), f"no committed digests in {path}: run with --update-golden"
    expected = json.loads(path.read_text())
    changed = sorted(
        table for table in expected.keys() | found.keys() if expected.get(table) != found.get(table)
    )
    assert not changed, f"tables that differ from {path.name}: {', '.join(changed)}"


def test_a_full_run_at_the_default_seed_gives_the_committed_tables(built_project, request):
    found = tables.digests(tables.snapshot(built_project.root, FULL_MODE_SCHEMAS))
    assert {"raw.raw_users", "marts.user_metrics", "analytics.analytics_orders"} <= found.keys()
    assert_matches_golden("full", found, request.config.getoption("update_golden"))
