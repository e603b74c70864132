"""The on-run-end hook records every dbt invocation in schema `observability`, whether sbdk
or a user started dbt, and its history survives reruns and full refreshes."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from .conftest import sbdk

pytestmark = pytest.mark.integration

SMALL_RUN = ["--users", "300", "--events-per-user", "10"]
DBT = Path(sys.executable).with_name("dbt")
# dbt's run_results.json also lists the on-run-end hook, which cannot record itself.
HOOK = "operation"
MODEL_TYPES = {"model", "seed", "snapshot"}
TEST_TYPES = {"test", "unit_test"}
HOOK_TABLES = {
    "invocations",
    "run_results",
    "model_definitions",
    "test_definitions",
    "test_results",
}


@dataclass
class Invocation:
    """One dbt invocation and the artifacts dbt itself wrote for it."""

    run_results: dict
    manifest: dict

    @property
    def invocation_id(self) -> str:
        return self.run_results["metadata"]["invocation_id"]

    def results(self, resource_types: set[str] | None = None) -> list[dict]:
        """The executed nodes' results, optionally of some resource types only."""
        wanted = resource_types or {t for t in self.resource_types() if t != HOOK}
        return [
            r for r in self.run_results["results"] if self.resource_type(r["unique_id"]) in wanted
        ]

    def resource_types(self) -> set[str]:
        return {self.resource_type(r["unique_id"]) for r in self.run_results["results"]}

    def resource_type(self, unique_id: str) -> str:
        return unique_id.split(".", 1)[0]

    def manifest_node(self, unique_id: str) -> dict:
        return self.manifest["nodes"].get(unique_id) or self.manifest["unit_tests"][unique_id]


@dataclass
class History:
    root: Path
    sbdk_run: Invocation  # the last dbt invocation of the first `sbdk run`
    plain_build: Invocation
    failing_build: Invocation
    # invocation ids recorded by each step, in order
    first_sbdk_run_ids: set[str]
    plain_build_ids: set[str]
    failing_build_ids: set[str]
    compile_ids: set[str]
    rerun_ids: set[str]
    incremental_ids: set[str]
    compile_output: subprocess.CompletedProcess
    # run_results rows per invocation after the plain build, to compare at the end
    run_results_after_plain_build: dict[str, int]


def dbt(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Plain dbt from the project root, as the header of dbt_project.yml says."""
    return subprocess.run(
        [str(DBT), *args, "--project-dir", "dbt", "--profiles-dir", "dbt"],
        cwd=root, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def last_invocation(root: Path) -> Invocation:
    target = root / "dbt" / "target"
    return Invocation(
        json.loads((target / "run_results.json").read_text()),
        json.loads((target / "manifest.json").read_text()),
    )


def query(root: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(root / "data" / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


def scalar(root: Path, sql: str, parameters: list | None = None):
    return query(root, sql, parameters)[0][0]


def recorded_ids(root: Path) -> set[str]:
    return {row[0] for row in query(root, "select invocation_id from observability.invocations")}


def run_results_per_invocation(root: Path) -> dict[str, int]:
    sql = "select invocation_id, count(*) from observability.run_results group by all"
    return dict(query(root, sql))


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> History:
    """sbdk run -> plain dbt build -> a failing dbt build -> dbt compile -> sbdk run ->
    an incremental --full-refresh, all in one project."""
    workdir = tmp_path_factory.mktemp("observability")
    assert sbdk("init", "shop", cwd=workdir).code == 0
    root = workdir / "shop"
    seen: set[str] = set()

    def new_ids() -> set[str]:
        added = recorded_ids(root) - seen
        seen.update(added)
        return added

    first = sbdk("run", *SMALL_RUN, cwd=root)
    assert first.code == 0, first.output
    sbdk_run = last_invocation(root)
    first_sbdk_run_ids = new_ids()

    # By hand, failing rows are stored with --store-failures (sbdk stores only the failures')
    plain = dbt(root, "build", "--store-failures")
    assert plain.returncode == 0, plain.stdout[-3000:]
    plain_build = last_invocation(root)
    plain_build_ids = new_ids()
    run_results_after_plain_build = run_results_per_invocation(root)

    # A model that errors, with a quote in its error message, in an --empty build of a few
    # nodes: it is recorded with its message, and everything downstream as skipped. The
    # vars hold what JSON cannot (a YAML date, NaN): the hook must still record them.
    model = root / "dbt" / "models" / "staging" / "stg_orders.sql"
    original = model.read_text()
    model.write_text("""select * from "no_such_table_it's" """)
    vars_json_cannot_hold = "{as_of_date: 2025-12-31, unused_ratio: .nan}"
    failing = dbt(
        root, "build", "--empty", "--select", "stg_orders+", "--vars", vars_json_cannot_hold
    )
    model.write_text(original)
    assert failing.returncode == 1, failing.stdout[-3000:]
    failing_build = last_invocation(root)
    failing_build_ids = new_ids()

    compiled = dbt(root, "compile")
    compile_ids = new_ids()

    again = sbdk("run", *SMALL_RUN, cwd=root)
    assert again.code == 0, again.output
    rerun_ids = new_ids()

    # A one-week world, so that the first simulated day lands rows at this size.
    config = root / "sbdk.toml"
    assert "end_date = 2026-01-01" in config.read_text()
    config.write_text(config.read_text().replace("end_date = 2026-01-01", "end_date = 2025-01-08"))
    incremental = sbdk("run", "--incremental", "--full-refresh", *SMALL_RUN, cwd=root)
    assert incremental.code == 0, incremental.output
    incremental_ids = new_ids()
    return History(
        root,
        sbdk_run,
        plain_build,
        failing_build,
        first_sbdk_run_ids,
        plain_build_ids,
        failing_build_ids,
        compile_ids,
        rerun_ids,
        incremental_ids,
        compiled,
        run_results_after_plain_build,
    )


def recorded_results(root: Path, invocation_id: str) -> list[tuple]:
    return query(
        root,
        "select node_id, resource_type, status, failures, execution_seconds, message "
        "from observability.run_results where invocation_id = ? order by node_id",
        [invocation_id],
    )


@pytest.mark.parametrize("name", ["sbdk_run", "plain_build", "failing_build"])
def test_one_run_results_row_per_executed_node_as_in_dbts_run_results_json(history, name):
    invocation: Invocation = getattr(history, name)
    expected = sorted(
        (
            result["unique_id"],
            invocation.resource_type(result["unique_id"]),
            result["status"],
            result["failures"],
            result["message"],
        )
        for result in invocation.results()
    )
    recorded = recorded_results(history.root, invocation.invocation_id)
    assert len(recorded) == len(expected) > 0
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in recorded] == expected
    seconds = {r["unique_id"]: r["execution_time"] for r in invocation.results()}
    for node_id, *_, execution_seconds, _message in recorded:
        assert execution_seconds == pytest.approx(seconds[node_id], abs=1e-6)


@pytest.mark.parametrize("name", ["sbdk_run", "plain_build", "failing_build"])
def test_the_invocation_row_counts_its_nodes(history, name):
    invocation: Invocation = getattr(history, name)
    statuses = [result["status"] for result in invocation.results()]
    row = query(
        history.root,
        "select command, success, nodes_total, nodes_succeeded, nodes_failed, nodes_skipped, "
        "sbdk_mode, dbt_version from observability.invocations where invocation_id = ?",
        [invocation.invocation_id],
    )
    assert row == [
        (
            invocation.run_results["args"]["which"],
            not any(status in {"error", "fail"} for status in statuses),
            len(statuses),
            sum(status in {"success", "pass"} for status in statuses),
            sum(status in {"error", "fail"} for status in statuses),
            statuses.count("skipped"),
            "full",
            invocation.run_results["metadata"]["dbt_version"],
        )
    ]


def test_a_failing_node_keeps_its_message_and_skipped_nodes_have_no_timings(history):
    failing = history.failing_build.invocation_id
    errors = query(
        history.root,
        "select name, message from observability.run_results "
        "where invocation_id = ? and status = 'error'",
        [failing],
    )
    assert len(errors) == 1
    assert errors[0][0] == "stg_orders"
    assert "no_such_table_it's" in errors[0][1]
    skipped = query(
        history.root,
        "select count(*), count(started_at), count(completed_at) from observability.run_results "
        "where invocation_id = ? and status = 'skipped'",
        [failing],
    )[0]
    assert skipped[0] > 0 and skipped[1:] == (0, 0)
    args = json.loads(
        scalar(
            history.root,
            "select args from observability.invocations where invocation_id = ?",
            [failing],
        )
    )
    assert args["empty"] is True and args["select"] == ["stg_orders+"]
    assert args["vars"] == {"as_of_date": "2025-12-31", "unused_ratio": None}


def test_node_timings_are_dbts_own_in_utc(history):
    invocation = history.plain_build
    recorded = dict(
        query(
            history.root,
            "select node_id, started_at from observability.run_results where invocation_id = ?",
            [invocation.invocation_id],
        )
    )
    for result in invocation.results():
        compile_started = result["timing"][0]["started_at"]  # e.g. 2025-01-01T10:00:00.123456Z
        expected = datetime.fromisoformat(compile_started.removesuffix("Z"))
        assert recorded[result["unique_id"]] == expected
    bounds = query(
        history.root,
        """
        select count(*) from observability.invocations i
        join observability.run_results r using (invocation_id)
        where r.started_at < i.started_at or r.completed_at > i.finished_at
            or r.completed_at < r.started_at
        """,
    )
    assert bounds == [(0,)]


def test_definitions_match_the_manifest_of_their_invocation(history):
    invocation = history.plain_build
    models = query(
        history.root,
        "select node_id, materialization, depends_on, tags, schema_name, config->>'materialized' "
        "from observability.model_definitions where invocation_id = ?",
        [invocation.invocation_id],
    )
    executed_models = {r["unique_id"] for r in invocation.results(MODEL_TYPES)}
    assert {row[0] for row in models} == executed_models
    # a full build runs every enabled model of the manifest, except the ephemeral ones
    # that dbt inlines into their dependents
    manifest_models = [
        node
        for node in invocation.manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] != "ephemeral"
    ]
    assert len(models) == len(manifest_models)
    for node_id, materialization, depends_on, tags, schema_name, config_materialized in models:
        node = invocation.manifest_node(node_id)
        assert materialization == config_materialized == node["config"]["materialized"]
        assert depends_on == node["depends_on"]["nodes"]
        assert tags == node["tags"]
        assert schema_name == node["schema"]

    tests = query(
        history.root,
        "select node_id, test_type, attached_node_id, column_name, severity, depends_on "
        "from observability.test_definitions where invocation_id = ?",
        [invocation.invocation_id],
    )
    executed_tests = {r["unique_id"] for r in invocation.results(TEST_TYPES)}
    assert {row[0] for row in tests} == executed_tests
    assert len(tests) == len(executed_tests)
    test_types = {row[1] for row in tests}
    assert test_types == {"generic", "singular", "unit"}
    for node_id, test_type, attached_node_id, column_name, severity, depends_on in tests:
        node = invocation.manifest_node(node_id)
        assert depends_on == node["depends_on"]["nodes"]
        if test_type == "unit":
            assert node_id in invocation.manifest["unit_tests"]
            assert attached_node_id == f"model.{node['package_name']}.{node['model']}"
            continue
        assert (test_type == "generic") == ("test_metadata" in node)
        assert column_name == node.get("column_name")
        assert severity == node["config"]["severity"].lower()
        if node.get("attached_node"):
            assert attached_node_id == node["attached_node"]


def test_test_results_view_joins_outcomes_and_definitions(history):
    invocation = history.plain_build
    rows = query(
        history.root,
        "select node_id, status, test_type, failures_relation from observability.test_results "
        "where invocation_id = ?",
        [invocation.invocation_id],
    )
    expected = {r["unique_id"]: r["status"] for r in invocation.results(TEST_TYPES)}
    assert {row[0]: row[1] for row in rows} == expected
    assert all(row[2] is not None for row in rows)  # every result found its definition
    stored = [row[3] for row in rows if row[3] is not None]  # tests that store failures
    assert stored and all('"test_failures".' in relation for relation in stored)


def test_history_accumulates_across_sbdk_and_plain_dbt(history):
    root = history.root
    # sbdk's run invoked dbt (at least once), then the plain build once: all are kept
    assert history.sbdk_run.invocation_id in history.first_sbdk_run_ids
    assert history.plain_build_ids == {history.plain_build.invocation_id}
    assert history.failing_build_ids == {history.failing_build.invocation_id}
    assert history.first_sbdk_run_ids | history.plain_build_ids <= recorded_ids(root)
    # sbdk's run history names dbt invocations its runs recorded (a step that ran dbt
    # several times, like processing batches, names one of them at most)
    linked = {
        row[0]
        for row in query(
            root,
            "select dbt_invocation_id from observability.sbdk_run_steps "
            "where dbt_invocation_id is not null",
        )
    }
    assert history.sbdk_run.invocation_id in linked
    assert linked <= history.first_sbdk_run_ids | history.rerun_ids | history.incremental_ids
    # every invocation's nodes_total is its number of run_results rows
    mismatched = scalar(
        root,
        """
        select count(*) from observability.invocations i
        left join (
            select invocation_id, count(*) as recorded
            from observability.run_results group by invocation_id
        ) r using (invocation_id)
        where coalesce(r.recorded, 0) <> i.nodes_total
        """,
    )
    assert mismatched == 0


def test_history_survives_a_rerun_and_an_incremental_full_refresh(history):
    root = history.root
    assert history.rerun_ids and history.incremental_ids
    # what was recorded up to the plain build is still there, row for row
    now = run_results_per_invocation(root)
    assert {
        invocation_id: now.get(invocation_id)
        for invocation_id in history.run_results_after_plain_build
    } == history.run_results_after_plain_build
    incremental = query(
        root,
        "select sbdk_mode, full_refresh, command from observability.invocations "
        "where invocation_id in (select unnest(?::varchar[]))",
        [sorted(history.incremental_ids)],
    )
    assert len(incremental) >= 4  # a batch per stream, then the models downstream
    assert {mode for mode, _, _ in incremental} == {"incremental"}
    assert any(full_refresh for _, full_refresh, _ in incremental)
    commands = {command for _, _, command in incremental}
    assert "run" in commands and commands <= {"run", "build", "test"}


def test_dbt_compile_records_nothing_and_does_not_fail(history):
    assert history.compile_output.returncode == 0, history.compile_output.stdout[-3000:]
    assert history.compile_ids == set()


def test_column_types(history):
    types = dict(
        query(
            history.root,
            "select table_name || '.' || column_name, data_type from information_schema.columns "
            "where table_schema = 'observability'",
        )
    )
    assert types["invocations.started_at"] == "TIMESTAMP"
    assert types["invocations.args"] == "JSON"
    assert types["run_results.completed_at"] == "TIMESTAMP"
    assert types["run_results.adapter_response"] == "JSON"
    assert types["model_definitions.depends_on"] == "VARCHAR[]"
    assert types["model_definitions.config"] == "JSON"
    assert types["test_definitions.arguments"] == "JSON"


def test_every_table_and_column_is_documented(history):
    """The source in models/observability/_observability.yml describes exactly the columns
    the hook creates, and sbdk's own run history (sbdk_run*) beside them."""
    manifest = history.plain_build.manifest
    documented = {
        source["name"]: {name: column["description"] for name, column in source["columns"].items()}
        for source in manifest["sources"].values()
        if source["source_name"] == "observability"
    }
    created: dict[str, set[str]] = {}
    for table, column in query(
        history.root,
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'observability'",
    ):
        created.setdefault(table, set()).add(column)
    assert documented.keys() == created.keys()
    assert created.keys() > HOOK_TABLES
    for table, columns in created.items():
        assert set(documented[table]) == columns, table
        assert all(documented[table].values()), table
