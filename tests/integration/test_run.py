"""`sbdk init` -> `sbdk run` -> `sbdk test` at a small size, then facts checked in DuckDB."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import counts, query, sbdk, scalar

pytestmark = pytest.mark.integration

MARTS = {"user_metrics", "cohort_summary", "product_summary", "daily_summary"}
STAR_SCHEMA = {"dim_customers", "fct_orders", "fct_order_items"}
ANALYTICS = {"analytics_orders", "analytics_order_items", "analytics_customer_summary"}
INTERMEDIATE = {"int_user_activity", "int_user_orders", "int_event_sessions"}
# int_customer_purchase_history is ephemeral: never in the warehouse
INTERMEDIATE_VIEWS = {"int_order_items_flattened", "int_session_events"}
STAGING = {"stg_users", "stg_events", "stg_orders"}


def test_run_reports_every_stage_and_the_summary(built_project):
    output = built_project.first_run.output
    for step in ("generate", "load", "build", "test", "record"):
        assert f"✓ {step}" in output
    assert "1,500 rows" in output  # raw.raw_users
    assert "18/18 built" in output
    assert " 0 failed" in output
    assert str(built_project.root / "data" / "warehouse.duckdb") in output
    assert "Traceback" not in output


def test_all_layers_are_built_with_their_materializations(built_project):
    rows = query(
        built_project.root,
        "select table_schema, table_name, table_type from information_schema.tables "
        "where table_schema in ('staging', 'intermediate', 'marts', 'analytics')",
    )
    by_schema = {}
    for schema, name, kind in rows:
        by_schema.setdefault(schema, {})[name] = kind
    assert by_schema["staging"] == dict.fromkeys(STAGING, "VIEW")
    assert by_schema["intermediate"] == {
        **dict.fromkeys(INTERMEDIATE, "BASE TABLE"),
        **dict.fromkeys(INTERMEDIATE_VIEWS, "VIEW"),
    }
    assert by_schema["marts"] == dict.fromkeys(MARTS | STAR_SCHEMA, "BASE TABLE")
    assert by_schema["analytics"] == dict.fromkeys(ANALYTICS, "BASE TABLE")


def test_raw_counts_match_the_requested_size(built_project):
    raw = built_project.counts_after_first_run
    assert raw["raw_users"] == 1500
    assert 0.8 * 1500 * 20 < raw["raw_events"] < 1.2 * 1500 * 20
    assert raw["raw_orders"] == scalar(
        built_project.root, "select count(*) from raw.raw_events where event_type = 'purchase'"
    )


def test_rerun_replaces_data_without_duplicating_rows(built_project):
    assert counts(built_project.root) == built_project.counts_after_first_run
    assert (
        scalar(built_project.root, "select count(*) - count(distinct event_id) from raw.raw_events")
        == 0
    )


def test_emails_are_unique_and_first_events_are_signups(built_project):
    root = built_project.root
    assert scalar(root, "select count(*) - count(distinct email) from raw.raw_users") == 0
    not_signup_first = scalar(
        root,
        """
        select count(*) from (
            select user_id,
                   arg_min(event_type, "timestamp") as first_type,
                   min("timestamp") as first_at
            from raw.raw_events group by user_id
        ) e join raw.raw_users u using (user_id)
        where e.first_type <> 'signup' or e.first_at <> u.created_at
        """,
    )
    assert not_signup_first == 0


def test_mart_totals_equal_raw_totals(built_project):
    root = built_project.root
    raw_revenue, raw_orders = query(root, "select sum(amount), count(*) from raw.raw_orders")[0]
    assert scalar(root, "select sum(total_revenue) from marts.product_summary") == raw_revenue
    assert scalar(root, "select sum(daily_revenue) from marts.daily_summary") == raw_revenue
    assert scalar(root, "select sum(total_revenue) from marts.user_metrics") == raw_revenue
    assert scalar(root, "select sum(total_orders) from marts.product_summary") == raw_orders
    assert scalar(root, "select sum(total_events) from marts.daily_summary") == scalar(
        root, "select count(*) from raw.raw_events"
    )
    assert scalar(root, "select sum(cohort_size) from marts.cohort_summary") == 1500
    assert scalar(root, "select count(*) from marts.user_metrics") == 1500


def test_sessions_follow_the_timeout(built_project):
    root = built_project.root
    # Inside a session no gap exceeds the 30-minute timeout; between sessions every gap does.
    wrong = scalar(
        root,
        """
        with ordered as (
            select session_id, user_id, event_timestamp,
                   lag(session_id) over by_user as previous_session,
                   event_timestamp - lag(event_timestamp) over by_user as gap
            from staging.stg_events
            window by_user as (partition by user_id order by event_timestamp)
        )
        select count(*) from ordered
        where previous_session is not null
          and ((session_id = previous_session and gap > interval 30 minutes)
            or (session_id <> previous_session and gap <= interval 30 minutes))
        """,
    )
    assert wrong == 0
    assert scalar(root, "select count(*) from intermediate.int_event_sessions") == scalar(
        root, "select count(distinct session_id) from staging.stg_events"
    )


def test_marts_do_not_depend_on_the_day_they_are_built(built_project):
    root = built_project.root
    latest_event_day, recency_floor = query(
        root,
        'select (select max("timestamp")::date from raw.raw_events), '
        "min(days_since_last_activity) from marts.user_metrics",
    )[0]
    assert recency_floor == 0  # someone was active on the data's last day, which is "as of"
    assert latest_event_day.year == 2025


def test_sbdk_test_passes_from_a_subdirectory(built_project):
    result = sbdk("test", cwd=built_project.root / "dbt" / "models")
    assert result.code == 0, result.output
    assert " 0 failed" in result.output


def test_plain_dbt_build_works_inside_the_project(built_project, tmp_path):
    project = tmp_path / "copy"
    shutil.copytree(built_project.root, project, ignore=shutil.ignore_patterns("target", "logs"))
    dbt = Path(sys.executable).with_name("dbt")
    completed = subprocess.run(
        [str(dbt), "build", "--project-dir", "dbt", "--profiles-dir", "dbt"],
        cwd=project, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert "ERROR=0" in completed.stdout
    assert scalar(project, "select count(*) from marts.user_metrics") == 1500


@pytest.mark.parametrize("where", ["the dbt project", "another directory"])
def test_plain_dbt_finds_the_warehouse_wherever_it_starts(built_project, tmp_path, where):
    """Editors and runners start dbt in the dbt project's own folder, or elsewhere with
    absolute paths; the profile must find the sbdk project's warehouse from there and never
    create an empty one elsewhere."""
    project = tmp_path / "copy"
    shutil.copytree(built_project.root, project, ignore=shutil.ignore_patterns("target", "logs"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    dbt = Path(sys.executable).with_name("dbt")
    if where == "the dbt project":
        cwd, paths = project / "dbt", []
    else:
        cwd, paths = elsewhere, ["--project-dir", str(project / "dbt"),
                                 "--profiles-dir", str(project / "dbt")]  # fmt: skip
    completed = subprocess.run(
        [str(dbt), "run", "--select", "stg_users", *paths],
        cwd=cwd, capture_output=True, text=True, timeout=600,
        env={k: v for k, v in os.environ.items() if k != "SBDK_WAREHOUSE_PATH"},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert "PASS=" in completed.stdout and "ERROR=0" in completed.stdout
    warehouses = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.duckdb"))
    assert warehouses == ["copy/data/warehouse.duckdb"]


@pytest.fixture(scope="session")
def duckdb_1x(tmp_path_factory) -> Path:
    """DuckDB 1.5.5's Python module, unpacked aside (a venv holds one DuckDB): the version
    tools pinned to DuckDB 1.x (SQLMesh, ...) read the warehouse with."""
    folder = tmp_path_factory.mktemp("duckdb_1x")
    download = subprocess.run(
        [sys.executable, "-m", "pip", "download", "duckdb==1.5.5", "--no-deps",
         "--only-binary", ":all:", "--quiet", "-d", str(folder)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    wheels = list(folder.glob("duckdb-1.5.5-*.whl"))
    if download.returncode != 0 or not wheels:
        pytest.skip(f"cannot download duckdb 1.5.5: {download.stderr[-300:]}")
    with zipfile.ZipFile(wheels[0]) as wheel:
        wheel.extractall(folder / "lib")
    return folder / "lib"


def test_duckdb_1x_reads_the_warehouse(built_project, duckdb_1x):
    script = (
        "import duckdb, sys\n"
        "connection = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(duckdb.__version__, connection.execute("
        "'select count(*) from marts.user_metrics').fetchall()[0][0])\n"
    )
    read = subprocess.run(
        [sys.executable, "-c", script, str(built_project.root / "data" / "warehouse.duckdb")],
        env={**os.environ, "PYTHONPATH": str(duckdb_1x)}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert read.returncode == 0, read.stderr[-2000:]
    assert read.stdout.split() == ["1.5.5", "1500"]


def test_dlt_and_dbt_write_nothing_outside_the_project(built_project):
    home = Path.home()  # isolated per test session by the root conftest
    assert not (home / ".dbt").exists()
    assert not (home / ".dlt").exists()
    assert (built_project.root / ".sbdk" / "dlt").is_dir()
    loaded = list((built_project.root / ".sbdk").rglob("load/loaded/*"))
    assert loaded == []  # load packages do not pile up across runs


def test_skip_generate_rebuilds_on_existing_raw_data(tmp_path):
    assert sbdk("init", "p", cwd=tmp_path).code == 0
    root = tmp_path / "p"
    assert sbdk("run", "--users", "300", "--events-per-user", "10", cwd=root).code == 0
    before = counts(root)
    result = sbdk("run", "--skip-generate", "--select", "staging", cwd=root)
    assert result.code == 0, result.output
    assert "✓ generate" not in result.output and "✓ load" not in result.output
    assert "3/3 built" in result.output
    assert counts(root) == before


def test_a_selector_matching_nothing_is_an_error(built_project):
    result = sbdk("test", "--select", "no_such_model", cwd=built_project.root)
    assert result.code == 1
    assert "--select no_such_model matched nothing" in result.output


def test_failing_data_test_fails_sbdk_test_and_says_where_rows_are(tmp_path):
    assert sbdk("init", "p", cwd=tmp_path).code == 0
    root = tmp_path / "p"
    assert sbdk("run", "--users", "300", "--events-per-user", "10", cwd=root).code == 0
    import duckdb

    with duckdb.connect(str(root / "data" / "warehouse.duckdb")) as connection:
        connection.execute("insert into raw.raw_users select * from raw.raw_users limit 2")
    result = sbdk("test", cwd=root)
    assert result.code == 1
    assert "source_unique_raw_raw_users_user_id" in result.output
    assert "2 failing row(s)" in result.output
    assert "test_failures." in result.output
    assert "Traceback" not in result.output
    stored = scalar(root, "select count(*) from test_failures.source_unique_raw_raw_users_user_id")
    assert stored == 2
    # Only the failing tests store their rows (the duplicates fail several key and
    # reconciliation tests); the tests that passed have no table.
    failed = int(re.search(r"(\d+) failed", result.output)[1])
    assert 1 < failed < 20
    tables = failure_tables(root)
    assert len(tables) == failed and "source_unique_raw_raw_users_user_id" in tables
    assert "not_null_stg_users_user_id" not in tables

    # Once the problem is gone the test passes, and its rows of the earlier failure go too.
    with duckdb.connect(str(root / "data" / "warehouse.duckdb")) as connection:
        connection.execute(
            "create or replace table raw.raw_users as select distinct * from raw.raw_users"
        )
    again = sbdk("test", cwd=root)
    assert again.code == 0, again.output
    assert failure_tables(root) == set()


def failure_tables(root) -> set[str]:
    sql = "select table_name from information_schema.tables where table_schema = 'test_failures'"
    return {name for (name,) in query(root, sql)}


def test_one_workspace_runs_again_on_the_manifest_it_parsed(tmp_path):
    """The manifest is parsed once and reused; dbt keeps compilation state in it (the CTEs of
    ephemeral models), which must not break the next run of the same Workspace."""
    from sbdk.config import load_settings
    from sbdk.statuses import RunStatus
    from sbdk.workspace import Workspace

    assert sbdk("init", "p", cwd=tmp_path).code == 0
    workspace = Workspace(load_settings(tmp_path / "p", {"SBDK_USERS": "300"}))
    runs = [workspace.run() for _ in range(2)]
    assert [run.status for run in runs] == [RunStatus.SUCCESS, RunStatus.SUCCESS], [
        run.failed_step and run.failed_step.message for run in runs
    ]
    assert runs[1].models_built == 18
