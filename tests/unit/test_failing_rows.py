"""Failing rows are stored for the tests that fail or warn only, by running those again."""

from __future__ import annotations

import duckdb

from sbdk import failing_rows
from sbdk.statuses import NodeStatus
from sbdk.transform import DbtResult, NodeResult


def result_node(name: str, status: str, resource_type: str = "test", **extra) -> NodeResult:
    table = f"test_failures.{name}" if resource_type == "test" else None
    return NodeResult(
        f"{resource_type}.p.{name}", name, resource_type, NodeStatus(status), 0.1,
        failures_table=table, **extra,
    )  # fmt: skip


def warehouse_with_tables(tmp_path, *names: str):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema test_failures")
        for name in names:
            connection.execute(f"create table test_failures.{name} as select 1 as x")
    return path


def tables(path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as connection:
        sql = (
            "select table_name from information_schema.tables where table_schema = 'test_failures'"
        )
        return {name for (name,) in connection.execute(sql).fetchall()}


def test_only_failed_and_warned_data_tests_run_again_and_get_their_table(tmp_path):
    path = warehouse_with_tables(tmp_path)
    first = DbtResult("test", False, [
        result_node("a_passes", "pass"), result_node("b_fails", "fail", failures=2),
        result_node("c_warns", "warn", failures=1), result_node("d_errors", "error"),
        result_node("e_unit", "fail", resource_type="unit_test"),
    ], invocation_id="first")  # fmt: skip
    asked: list[list[str]] = []

    def rerun(names):
        asked.append(list(names))
        nodes = [result_node(name, "fail" if name == "b_fails" else "warn") for name in names]
        return DbtResult("test", False, nodes)

    result = failing_rows.store(first, rerun, path)

    assert asked == [["b_fails", "c_warns"]]
    relations = {node.name: node.failures_relation for node in result.nodes}
    assert relations == {
        "a_passes": None, "b_fails": "test_failures.b_fails", "c_warns": "test_failures.c_warns",
        "d_errors": None, "e_unit": None,
    }  # fmt: skip
    assert result.invocation_id == "first" and not result.success
    assert [node.status for node in result.nodes] == [node.status for node in first.nodes]


def test_all_passing_runs_nothing_again_and_drops_the_tables_of_earlier_failures(tmp_path):
    path = warehouse_with_tables(tmp_path, "a_passes", "not_run_now")
    first = DbtResult("test", True, [result_node("a_passes", "pass")])

    def rerun(names):
        raise AssertionError("nothing failed: nothing to run again")

    result = failing_rows.store(first, rerun, path)

    assert result.nodes == first.nodes
    assert tables(path) == {"not_run_now"}  # a test that did not run keeps its rows


def test_a_dbt_error_is_returned_untouched(tmp_path):
    errored = DbtResult("test", False, error="could not parse")
    assert failing_rows.store(errored, None, tmp_path / "missing.duckdb") is errored
