"""The project as Dagster definitions (sbdk[dagster]): the graph, a full materialization that
builds what `sbdk run` builds, and the per-stream sensors of incremental mode."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("dagster", reason="the Dagster extra is not installed (sbdk[dagster])")
pytest.importorskip("dagster_dbt", reason="the Dagster extra is not installed (sbdk[dagster])")

import dagster as dg  # noqa: E402

from sbdk.catalogue import STREAM_NAMES as STREAMS  # noqa: E402
from sbdk.config import load_settings  # noqa: E402
from sbdk.incremental import cursors  # noqa: E402
from sbdk.incremental.discovery import list_landed_files  # noqa: E402
from sbdk.incremental.streams import read_stream_configs  # noqa: E402
from sbdk.integrations.dagster import LAND_JOB, RUN_JOB, build_definitions  # noqa: E402
from sbdk.integrations.dagster.translator import landing_key  # noqa: E402

from .conftest import sbdk, scalar  # noqa: E402
from .tables import snapshot  # noqa: E402
from .test_incremental import PER_LANDING, VOLATILE, new_project  # noqa: E402
from .test_incremental import SETTINGS as INCREMENTAL_SETTINGS  # noqa: E402

pytestmark = pytest.mark.integration

FULL_SETTINGS = {"users = 10000": "users = 800", "events_per_user = 30": "events_per_user = 15"}


@dataclass
class Background:
    """Subprocesses started once for the module and awaited where needed, so that they run
    while the in-process Dagster work does: the twins built by `sbdk` itself and a
    `dagster definitions validate` of a freshly scaffolded project."""

    full_twin: Path
    incremental_twin: Path
    scaffolded: Path
    home: Path  # the HOME of the subprocesses
    processes: dict[str, subprocess.Popen]

    def wait(self, name: str) -> str:
        process = self.processes[name]
        output, _ = process.communicate(timeout=600)
        assert process.returncode == 0, output
        return output


@pytest.fixture(scope="module")
def background(tmp_path_factory) -> Iterator[Background]:
    workdir = tmp_path_factory.mktemp("dagster_background")
    home = tmp_path_factory.mktemp("home")
    # Module fixtures start before the per-test environment isolation of the root conftest.
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("SBDK_")},
        "HOME": str(home),
    }
    work = Background(
        full_twin=new_project(workdir, "full_twin", FULL_SETTINGS),
        incremental_twin=new_project(workdir, "incremental_twin", INCREMENTAL_SETTINGS),
        scaffolded=new_project(workdir, "shop", {}),
        home=home,
        processes={},
    )
    commands = {
        "full_twin": ([sys.executable, "-m", "sbdk", "run"], work.full_twin),
        "incremental_twin": ([sys.executable, "-m", "sbdk", "run"], work.incremental_twin),
        # workspace.yaml -> definitions.py -> build_definitions, with dagster.yaml and .env
        "validate": (
            [str(Path(sys.executable).with_name("dagster")), "definitions", "validate"],
            work.scaffolded,
        ),
    }
    for name, (command, cwd) in commands.items():
        work.processes[name] = subprocess.Popen(
            command,
            cwd=cwd,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    yield work
    for process in work.processes.values():
        if process.poll() is None:
            process.kill()
            process.wait()


def materialized(result) -> set[dg.AssetKey]:
    return {
        event.event_specific_data.materialization.asset_key
        for event in result.all_events
        if event.event_type_value == "ASSET_MATERIALIZATION"
    }


def check_evaluations(result) -> list:
    return [
        event.event_specific_data
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
    ]


def dbt_models(root: Path, with_processed: bool) -> set[str]:
    """The models of the project that are built: processed models exist in incremental mode
    only, and ephemeral ones are inlined into others."""
    models = root / "dbt" / "models"
    return {
        path.stem
        for path in models.rglob("*.sql")
        if (with_processed or "processed" not in path.relative_to(models).parts)
        and "materialized='ephemeral'" not in path.read_text()
    }


@dataclass
class FullMode:
    root: Path
    twin: Path  # the same project built with `sbdk run`
    defs: dg.Definitions
    result: dg.ExecuteInProcessResult


@pytest.fixture(scope="module")
def full_mode(tmp_path_factory, background) -> FullMode:
    root = new_project(tmp_path_factory.mktemp("dagster_full"), "shop", FULL_SETTINGS)
    defs = build_definitions(root, environ={})
    with dg.DagsterInstance.ephemeral() as instance:  # sqlite commits would take most of the time
        result = defs.resolve_job_def(RUN_JOB).execute_in_process(instance=instance)
        record_finished_run(defs, instance, result.dagster_run)
    background.wait("full_twin")
    return FullMode(root, background.full_twin, defs, result)


def test_full_mode_graph_has_the_raw_tables_and_every_model(full_mode):
    dg.Definitions.validate_loadable(full_mode.defs)
    graph = full_mode.defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    raw = {f"raw/{table}" for table in ("raw_users", "raw_events", "raw_orders")}
    assert raw <= keys
    models = {key.rsplit("/", 1)[1] for key in keys - raw}
    assert models == dbt_models(full_mode.root, with_processed=False)
    assert graph.get(dg.AssetKey(["staging", "stg_users"])).parent_keys == {
        dg.AssetKey(["raw", "raw_users"])
    }
    assert graph.asset_check_keys  # the dbt tests, as asset checks


def test_the_reconciliations_over_several_models_are_checks_of_the_model_they_check(full_mode):
    graph = full_mode.defs.resolve_asset_graph()
    checks = {key.name: key.asset_key.to_user_string() for key in graph.asset_check_keys}
    assert checks["assert_star_schema_customers_reconcile"] == "marts/dim_customers"
    assert checks["assert_analytics_reconciles_with_star_schema"] == "analytics/analytics_orders"
    reconciliations = {
        path.stem for path in (full_mode.root / "dbt" / "tests").glob("assert_*.sql")
    } - {"assert_processed_events_are_staged"}  # incremental mode only
    assert reconciliations <= checks.keys()
    evaluated = {check.check_name for check in check_evaluations(full_mode.result)}
    assert reconciliations <= evaluated


def test_materializing_everything_builds_what_sbdk_run_builds(full_mode):
    assert full_mode.result.success
    graph = full_mode.defs.resolve_asset_graph()
    assert materialized(full_mode.result) == set(graph.get_all_asset_keys())
    checks = check_evaluations(full_mode.result)
    assert checks and all(check.passed for check in checks)
    schemas = ("raw", "intermediate", "marts", "analytics")
    built = snapshot(full_mode.root, schemas, VOLATILE)
    assert {"marts.user_metrics", "marts.fct_orders", "analytics.analytics_orders"} <= built.keys()
    assert built == snapshot(full_mode.twin, schemas, VOLATILE)
    for table, rows in built.items():
        assert rows, table


def test_a_run_started_from_dagster_is_in_sbdk_history_with_what_it_built(full_mode):
    from sbdk.orchestration import history

    warehouse = full_mode.root / "data" / "warehouse.duckdb"
    [recorded] = history.recent_runs(warehouse, 10)
    assert recorded.run_id == full_mode.result.dagster_run.run_id
    assert (recorded.command, recorded.mode, recorded.status) == ("dagster", "full", "success")
    assert recorded.models_built == len(dbt_models(full_mode.root, with_processed=False)) > 0
    checks = check_evaluations(full_mode.result)
    assert recorded.tests_passed == sum(check.passed for check in checks) > 0
    assert recorded.tests_failed == 0
    details = history.find_run(warehouse, recorded.run_id)
    assert {step.step: step.status for step in details.steps} == {
        "raw_tables": "success",
        "dbt_models": "success",
    }
    loaded = {t.table_name: t.rows for t in details.tables if t.step == "load"}
    for table, rows in loaded.items():
        assert rows == scalar(full_mode.root, f"select count(*) from {table}"), table
    assert set(loaded) == {"raw.raw_users", "raw.raw_events", "raw.raw_orders"}

    listed = sbdk("history", cwd=full_mode.root)
    assert listed.code == 0 and "dagster full" in listed.output, listed.output


def test_definitions_reuse_the_parsed_manifest_until_the_dbt_project_changes(full_mode, tmp_path):
    from sbdk.integrations.dagster.dbt_project import DAGSTER_DIR, _parse_fingerprint

    manifest = full_mode.root / DAGSTER_DIR / "dbt" / "full" / "manifest.json"
    parsed_at = manifest.stat().st_mtime_ns
    build_definitions(full_mode.root, environ={})
    assert manifest.stat().st_mtime_ns == parsed_at  # no second parse

    dbt_dir = full_mode.root / "dbt"
    before = _parse_fingerprint(dbt_dir, "{}")
    model = dbt_dir / "models" / "marts" / "product_summary.sql"
    model.write_text(model.read_text() + "\n-- edited\n")
    assert _parse_fingerprint(dbt_dir, "{}") != before
    assert _parse_fingerprint(dbt_dir, '{"sbdk_mode": "incremental"}') != before


@dataclass
class IncrementalMode:
    root: Path
    twin: Path  # the same project run once with `sbdk run --incremental`
    defs: dg.Definitions
    requests: dict[str, dg.RunRequest]  # sensor -> what it asked for after the landing
    runs: dict[str, dg.ExecuteInProcessResult]  # job -> its run, in the order they ran
    ticks_after: dict[str, object]  # sensor -> its tick once every run is done


def tick(sensor: dg.SensorDefinition, instance, defs: dg.Definitions):
    return sensor(dg.build_sensor_context(instance=instance, definitions=defs))


def stream_sensors(defs: dg.Definitions) -> list[dg.SensorDefinition]:
    """The sensors that request runs (not those recording finished runs in sbdk's history)."""
    return [s for s in defs.sensors if not isinstance(s, dg.RunStatusSensorDefinition)]


def record_finished_run(defs: dg.Definitions, instance, run: dg.DagsterRun) -> None:
    """What `dagster dev`'s daemon does once a run has ended: evaluate the run status sensor."""
    name = (
        "sbdk_history_success"
        if run.status == dg.DagsterRunStatus.SUCCESS
        else ("sbdk_history_failure")
    )
    [sensor] = [s for s in defs.sensors if s.name == name]
    kind = (
        dg.DagsterEventType.RUN_SUCCESS
        if run.status == dg.DagsterRunStatus.SUCCESS
        else dg.DagsterEventType.RUN_FAILURE
    )
    [event] = instance.get_records_for_run(run.run_id, of_type=kind).records
    context = dg.build_run_status_sensor_context(
        sensor_name=name,
        dagster_instance=instance,
        dagster_run=run,
        dagster_event=event.event_log_entry.dagster_event,
    )
    sensor(context.for_run_failure() if kind == dg.DagsterEventType.RUN_FAILURE else context)


@pytest.fixture(scope="module")
def incremental_mode(tmp_path_factory, background) -> IncrementalMode:
    root = new_project(tmp_path_factory.mktemp("dagster_incremental"), "shop", INCREMENTAL_SETTINGS)
    defs = build_definitions(root, environ={})
    runs = {}
    with dg.DagsterInstance.ephemeral() as instance:
        landing = defs.resolve_job_def(LAND_JOB).execute_in_process(instance=instance)
        assert landing.success
        record_finished_run(defs, instance, landing.dagster_run)
        runs[LAND_JOB] = landing
        requests = {sensor.name: tick(sensor, instance, defs) for sensor in stream_sensors(defs)}
        # Events first: its run comes before any other stream was processed, which the
        # models that also read users or orders must wait for.
        for sensor in sorted(stream_sensors(defs), key=lambda s: s.name):
            job = defs.resolve_job_def(sensor.job_name)
            runs[job.name] = job.execute_in_process(
                instance=instance, tags=requests[sensor.name].tags
            )
            record_finished_run(defs, instance, runs[job.name].dagster_run)
        ticks_after = {sensor.name: tick(sensor, instance, defs) for sensor in stream_sensors(defs)}
    background.wait("incremental_twin")
    return IncrementalMode(root, background.incremental_twin, defs, requests, runs, ticks_after)


def test_incremental_graph_has_landing_processed_models_and_a_sensor_per_stream(
    incremental_mode,
):
    defs, root = incremental_mode.defs, incremental_mode.root
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    streams = read_stream_configs(root / "streams")
    keys = graph.get_all_asset_keys()
    models = {key.path[-1] for key in keys if key.path[0] != "landing"}
    assert models == dbt_models(root, with_processed=True)
    assert {sensor.name for sensor in stream_sensors(defs)} == {
        f"app_{stream.name}_sensor" for stream in streams
    }
    for stream in streams:
        processed = dg.AssetKey(["processed", stream.model])
        assert graph.get(processed).parent_keys == {landing_key(stream)}
        assert stream.tag in graph.get(processed).tags
        sensor = next(s for s in defs.sensors if s.name == f"app_{stream.name}_sensor")
        job = defs.resolve_job_def(sensor.job_name)
        # the stream's tag and everything downstream of it
        downstream = dg.AssetSelection.tag(stream.tag, "").downstream().resolve(graph)
        assert job.asset_layer.selected_asset_keys == downstream
        assert processed in downstream and dg.AssetKey(["marts", "user_metrics"]) in downstream


def test_a_sensor_tick_after_landing_requests_a_run_for_its_stream(incremental_mode):
    settings = load_settings(incremental_mode.root, {})
    for stream in read_stream_configs(settings.streams_dir):
        landed = list_landed_files(settings.landing_root, stream.source, stream.name)
        assert len(landed) == 2  # two days, one file each
        request = incremental_mode.requests[f"app_{stream.name}_sensor"]
        assert isinstance(request, dg.RunRequest)
        assert request.run_key == f"{stream.tag}:{landed[-1].key}"


def test_running_the_requested_jobs_processes_every_landed_file(incremental_mode):
    settings = load_settings(incremental_mode.root, {})
    assert all(run.success for run in incremental_mode.runs.values())
    positions = cursors.peek_cursors(settings.warehouse_path)
    for stream in read_stream_configs(settings.streams_dir):
        landed = list_landed_files(settings.landing_root, stream.source, stream.name)
        assert positions[stream.name] == landed[-1].key
        run = incremental_mode.runs[f"process_{stream.tag}"]
        assert dg.AssetKey(["processed", stream.model]) in materialized(run)
        assert check_evaluations(run)  # the processed and downstream models' tests ran
    assert cursors.pending_downstream(settings.warehouse_path) == []
    for sensor, tick_after in incremental_mode.ticks_after.items():
        assert isinstance(tick_after, dg.SkipReason), sensor


def test_a_first_run_builds_only_the_models_whose_inputs_exist(incremental_mode):
    first = incremental_mode.runs["process_app__events"]
    built = {key.to_user_string() for key in materialized(first)}
    assert {"processed/int_app__events", "staging/stg_events"} <= built
    assert "marts/user_metrics" not in built  # it also reads users, not processed yet
    last = incremental_mode.runs["process_app__users"]
    assert "marts/user_metrics" in {key.to_user_string() for key in materialized(last)}


def test_each_sensor_requested_run_is_in_sbdk_history(incremental_mode):
    from sbdk.orchestration import history

    settings = load_settings(incremental_mode.root, {})
    warehouse = settings.warehouse_path
    recorded = {run.run_id: run for run in history.recent_runs(warehouse, 10)}
    assert len(recorded) == len(incremental_mode.runs)  # the landing run and each stream's
    for name, run in incremental_mode.runs.items():
        entry = recorded[run.dagster_run.run_id]
        assert (entry.command, entry.mode, entry.status) == ("dagster", "incremental", "success")
        tables = history.find_run(warehouse, entry.run_id).tables
        if name == LAND_JOB:
            assert {t.table_name for t in tables} == {f"landing/app/{s}" for s in STREAMS}
            assert all(t.rows > 0 for t in tables)
        else:
            stream = name.removeprefix("process_app__")
            [processed] = [t for t in tables if t.table_name.startswith("processed.")]
            assert processed.table_name == f"processed.int_app__{stream}"
            landed = list_landed_files(settings.landing_root, "app", stream)
            assert processed.files == len(landed) > 0  # every landed file, in this one run


def test_sensor_runs_build_the_same_tables_as_sbdk_run_incremental(incremental_mode):
    schemas = ("processed", "staging", "intermediate", "marts", "analytics")
    built = snapshot(incremental_mode.root, schemas, VOLATILE | PER_LANDING)
    assert {"processed.int_app__orders", "marts.user_metrics"} <= built.keys()
    assert built == snapshot(incremental_mode.twin, schemas, VOLATILE | PER_LANDING)


def test_dagster_loads_the_scaffolded_project_and_writes_nothing_outside_it(background):
    output = background.wait("validate")
    assert "Validation successful for code location shop" in output
    assert "Loaded environment variables from .env file: DAGSTER_DISABLE_TELEMETRY" in output
    assert not (background.home / ".dagster").exists()
    assert not any(background.scaffolded.glob(".tmp_dagster_home_*"))


def test_a_dbt_project_that_does_not_parse_is_a_one_line_error(tmp_path):
    from sbdk.errors import SbdkError

    root = new_project(tmp_path, "shop", {})
    (root / "dbt" / "models" / "marts" / "broken.sql").write_text("select * from {{ ref('nope') }}")
    with pytest.raises(SbdkError, match="dbt could not parse the project: .*'nope'") as raised:
        build_definitions(root, environ={})
    assert "\n" not in str(raised.value)
