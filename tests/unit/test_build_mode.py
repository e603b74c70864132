"""The mode the warehouse was last built in, and the mode `sbdk test` therefore tests in."""

from __future__ import annotations

import duckdb
import pytest

from sbdk import build_mode
from sbdk.errors import SbdkError


def test_the_last_recorded_build_mode_wins(tmp_path):
    path = tmp_path / "w.duckdb"
    build_mode.record_built_mode(path, "full", "run-1")
    assert build_mode.built_mode(path) == "full"
    build_mode.record_built_mode(path, "incremental", "run-2")
    assert build_mode.built_mode(path) == "incremental"
    with pytest.raises(ValueError):
        build_mode.record_built_mode(path, "both", "run-3")


def test_sbdk_test_tests_the_built_mode_and_refuses_another(tmp_path):
    path = tmp_path / "w.duckdb"
    build_mode.record_built_mode(path, "incremental", "run-1")
    assert build_mode.mode_to_test(path, None) == "incremental"
    assert build_mode.mode_to_test(path, "incremental") == "incremental"
    with pytest.raises(SbdkError, match=r"last built in incremental mode.*`sbdk run --full`"):
        build_mode.mode_to_test(path, "full")


def test_a_warehouse_without_a_build_says_run_first_and_is_not_created(tmp_path):
    missing = tmp_path / "data" / "w.duckdb"
    with pytest.raises(SbdkError, match=r"no warehouse at .*: run `sbdk run` first"):
        build_mode.mode_to_test(missing, None)
    assert not missing.parent.exists()
    empty = tmp_path / "empty.duckdb"  # what `sbdk init` leaves
    duckdb.connect(str(empty)).close()
    with pytest.raises(SbdkError, match=r"has no models built yet: run `sbdk run` first"):
        build_mode.mode_to_test(empty, "full")
