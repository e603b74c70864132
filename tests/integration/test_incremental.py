"""Incremental mode end to end: land days, process new files, compare with a full refresh."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sbdk.landing.writer import FILE_SCHEMAS

from . import tables
from .conftest import Completed, query, sbdk

pytestmark = pytest.mark.integration

# A two-week world, so that every landed day has data; two days land per run, in
# batches of two files.
SETTINGS = {
    "users = 10000": "users = 600",
    "end_date = 2026-01-01": "end_date = 2025-01-15",
    "enabled = false": "enabled = true",
    "step_days = 1": "step_days = 2",
    "# batch_size = 10": "batch_size = 2",
}
VOLATILE = tables.BUILD_TIME_COLUMNS
PER_LANDING = tables.LANDING_RUN_COLUMNS  # differ between two landings of the same data


def snapshot(root: Path, ignore: frozenset[str]) -> dict[str, list[tuple]]:
    """Every processed, intermediate, mart and analytics table, rows sorted."""
    return tables.snapshot(root, tables.INCREMENTAL_SCHEMAS, ignore)


def new_project(workdir: Path, name: str, settings: dict[str, str] = SETTINGS) -> Path:
    """`sbdk init` a project, then replace default lines of its sbdk.toml with `settings`."""
    assert sbdk("init", name, cwd=workdir).code == 0
    root = workdir / name
    config = root / "sbdk.toml"
    text = config.read_text()
    for default, value in settings.items():
        assert default in text, default
        text = text.replace(default, value, 1)
    config.write_text(text)
    return root


@dataclass
class IncrementalRuns:
    root: Path
    runs: list[Completed]
    after_three_runs: dict
    digests_after_three_runs: dict  # of every table but the landing runs' own columns
    dim_customers_after_three_runs: list[tuple]  # (source_extracted_at, dbt_updated_at)
    after_idle_run: dict
    idle_run: Completed
    after_full_refresh: dict
    full_refresh: Completed


@pytest.fixture(scope="module")
def incremental(tmp_path_factory) -> IncrementalRuns:
    root = new_project(tmp_path_factory.mktemp("incremental"), "shop")
    runs = [sbdk("run", cwd=root) for _ in range(3)]
    for run in runs:
        assert run.code == 0, run.output
    after_three = snapshot(root, VOLATILE)
    digests = tables.digests(tables.snapshot(root, tables.INCREMENTAL_SCHEMAS))
    dim_customers = query(
        root, "select source_extracted_at, dbt_updated_at from marts.dim_customers"
    )
    idle = sbdk("run", "--skip-generate", cwd=root)
    after_idle = snapshot(root, VOLATILE)
    full = sbdk("run", "--skip-generate", "--full-refresh", cwd=root)
    return IncrementalRuns(
        root, runs, after_three, digests, dim_customers, after_idle, idle,
        snapshot(root, VOLATILE), full,
    )  # fmt: skip


def test_files_land_hive_partitioned_by_extraction_day(incremental):
    events = sorted((incremental.root / "landing" / "app" / "events").rglob("*.parquet"))
    assert len(events) == 6  # three runs of two days
    partitions = {
        p.relative_to(incremental.root / "landing" / "app" / "events").parts[:3] for p in events
    }
    assert ("year=2025", "month=01", "day=02") in partitions
    assert (
        "landed" in incremental.runs[0].output
        and "2025-01-02 .. 2025-01-03" in incremental.runs[0].output
    )


def test_three_incremental_runs_give_the_committed_tables(incremental, request):
    """The incremental half of test_golden_tables: same seed, same processed and modelled
    tables, from one version of sbdk to the next."""
    from .test_golden_tables import assert_matches_golden

    found = incremental.digests_after_three_runs
    assert {"processed.int_app__events", "marts.dim_customers"} <= found.keys()
    assert_matches_golden("incremental", found, request.config.getoption("update_golden"))


def test_incremental_runs_equal_one_full_refresh_row_for_row(incremental):
    assert incremental.full_refresh.code == 0, incremental.full_refresh.output
    assert incremental.after_three_runs.keys() == incremental.after_full_refresh.keys()
    assert "processed.int_app__orders" in incremental.after_three_runs
    assert "marts.user_metrics" in incremental.after_three_runs
    assert "staging.stg_events" in incremental.after_three_runs  # merged with a lookback
    assert "marts.dim_customers" in incremental.after_three_runs  # merged run by run
    assert "analytics.analytics_customer_summary" in incremental.after_three_runs
    for table, rows in incremental.after_three_runs.items():
        assert rows == incremental.after_full_refresh[table], table
        assert rows, table


def test_dim_customers_merges_only_the_customers_that_changed(incremental):
    """Each run refreshed exactly the customers whose rows landed in it: grouped by the build
    that last refreshed them, the customers' latest extraction times fall in that run's days.
    (That the merged rows are right, the comparison with the full refresh shows.)"""
    extracted_by_build: dict = {}
    for extracted_at, built_at in incremental.dim_customers_after_three_runs:
        extracted_by_build.setdefault(built_at, []).append(extracted_at)
    assert len(extracted_by_build) == len(incremental.runs)  # merged, never rebuilt whole
    spans = [(min(e), max(e)) for _, e in sorted(extracted_by_build.items())]
    for (_, earlier_last), (later_first, _) in zip(spans[:-1], spans[1:], strict=True):
        assert earlier_last < later_first
    # The full refresh rebuilt it whole (the project's current state).
    assert query(
        incremental.root, "select count(distinct dbt_updated_at) from marts.dim_customers"
    ) == [(1,)]


def test_a_run_without_new_files_changes_nothing(incremental):
    assert incremental.idle_run.code == 0, incremental.idle_run.output
    assert "no new data" in incremental.idle_run.output
    assert "- build" in incremental.idle_run.output  # skipped
    assert incremental.after_idle_run == incremental.after_three_runs


def test_processed_rows_are_the_latest_version_of_each_record(incremental):
    landing = incremental.root / "landing" / "app" / "orders" / "**" / "*.parquet"
    with duckdb.connect(str(incremental.root / "data" / "warehouse.duckdb"), read_only=True) as db:
        versions = db.execute(
            f"select count(*) - count(distinct id) from read_parquet('{landing}')"
        ).fetchone()[0]
        assert versions > 0  # updated versions and late rows did land
        stale = db.execute(
            f"""
            with latest as (
                select id, status, amount from read_parquet('{landing}')
                qualify row_number() over (partition by id order by _extracted_at desc) = 1
            )
            select count(*) from latest l
            left join processed.int_app__orders o on o.order_id = l.id
            where o.order_id is null or o.status <> l.status or o.amount <> l.amount::decimal(12,2)
            """
        ).fetchone()[0]
        assert stale == 0
        duplicated = db.execute(
            "select count(*) - count(distinct order_id) from processed.int_app__orders"
        ).fetchone()[0]
        assert duplicated == 0


def test_failed_streams_keep_their_cursor_the_others_go_on_and_a_rerun_recovers(
    incremental, tmp_path
):
    """Two kinds of failure in one run: an orders file misplaced in the users' partition (a
    misfit, refused before any batch) and an events file whose JSON is broken (a failed
    batch). Both streams keep their cursor and their rows; orders goes on."""
    root = new_project(tmp_path, "shop")
    assert sbdk("run", cwd=root).code == 0  # lands and processes 2025-01-02 .. 03
    users_before = query(root, "select * from processed.int_app__users order by all")
    # Both files sort before the next run's real files, in the same batch of two.
    day = "year=2025/month=01/day=04"
    landed_orders = next((root / "landing/app/orders").rglob("*.parquet"))
    misplaced = root / f"landing/app/users/{day}/0000.misplaced.parquet"
    misplaced.parent.mkdir(parents=True)
    shutil.copy(landed_orders, misplaced)
    broken = root / f"landing/app/events/{day}/0000.broken.parquet"
    broken.parent.mkdir(parents=True)
    row = {"id": [1], "user_id": [1], "event_type": ["pageview"], "occurred_at": [0],
           "properties": ["{not json"], "_extracted_at": [0], "_batch_id": ["x"]}  # fmt: skip
    pq.write_table(pa.table(row).cast(FILE_SCHEMAS["events"]), broken)

    failed = sbdk("run", cwd=root)
    assert failed.code == 1
    error = failed.output[failed.output.index("Error: ") :]
    assert error.startswith(
        f"Error: run {error.split()[2]} failed at step 'load': stream users: landed file "
        f"{misplaced} does not have the columns of stream users: missing attributes; "
        "unexpected user_id, event_id, amount"
    ), error
    assert error.rstrip().endswith("(also failed: events)"), error
    assert "Traceback" not in failed.output
    assert "stream orders    2/2 new files processed, 1 batch(es)" in failed.output
    assert query(root, "select * from processed.int_app__users order by all") == users_before
    with duckdb.connect(str(root / "data" / "warehouse.duckdb"), read_only=True) as db:
        cursors = dict(
            db.execute("select stream, last_file from sbdk_state.stream_cursors").fetchall()
        )
        recorded = db.execute(
            """select r.status, r.failed_step,
                   list(s.step || ':' || s.status order by s.step_number)
               from observability.sbdk_runs r join observability.sbdk_run_steps s using (run_id)
               group by all order by any_value(r.started_at) desc limit 1"""
        ).fetchone()
    assert recorded == (
        "failed",
        "load",
        ["land:success", "sensor:success", "load:failed", "build:upstream_failed",
         "test:upstream_failed", "record:success"],
    )  # fmt: skip
    assert cursors["users"].startswith("year=2025/month=01/day=03/")  # not advanced
    assert cursors["events"].startswith("year=2025/month=01/day=03/")  # not advanced
    assert cursors["orders"].startswith("year=2025/month=01/day=05/")  # went on

    misplaced.unlink()
    broken.unlink()
    rerun = sbdk("run", cwd=root)  # lands 2025-01-06 .. 07 and retries what failed
    assert rerun.code == 0, rerun.output
    # The clean project landed the same six days in three runs without a failure.
    clean = snapshot(incremental.root, VOLATILE | PER_LANDING)
    recovered = snapshot(root, VOLATILE | PER_LANDING)
    assert recovered.keys() == clean.keys()
    for table in clean:
        assert recovered[table] == clean[table], table


def test_a_failed_full_refresh_keeps_the_processed_tables_and_cursors(incremental, tmp_path):
    """--full-refresh rebuilds the processed tables aside: a batch failing half-way through
    (users and orders already rebuilt, events not) swaps nothing in."""
    root = tmp_path / "shop"
    shutil.copytree(incremental.root, root)
    tables = ("users", "events", "orders")
    before = {t: query(root, f"select * from processed.int_app__{t} order by all") for t in tables}
    cursors_sql = "select * exclude (updated_at) from sbdk_state.stream_cursors order by all"
    cursors_before = query(root, cursors_sql)
    # Sorts last of all landed events: the refresh fails at its last batch.
    broken = sorted((root / "landing/app/events").rglob("*.parquet"))[-1].with_name(
        "zzzz.broken.parquet"
    )
    row = {"id": [1], "user_id": [1], "event_type": ["pageview"], "occurred_at": [0],
           "properties": ["{not json"], "_extracted_at": [0], "_batch_id": ["x"]}  # fmt: skip
    pq.write_table(pa.table(row).cast(FILE_SCHEMAS["events"]), broken)

    failed = sbdk("run", "--skip-generate", "--full-refresh", cwd=root)
    assert failed.code == 1, failed.output
    assert "failed at step 'load': stream events: batch" in failed.output
    assert "stream users    " in failed.output  # users and orders were rebuilt, aside
    for table in tables:
        after = query(root, f"select * from processed.int_app__{table} order by all")
        assert after == before[table], table
    assert query(root, cursors_sql) == cursors_before
    refresh_tables = (
        "select table_name from information_schema.tables where table_name like '%refresh'"
    )
    assert query(root, refresh_tables) == []

    broken.unlink()
    refreshed = sbdk("run", "--skip-generate", "--full-refresh", cwd=root)
    assert refreshed.code == 0, refreshed.output
    assert snapshot(root, VOLATILE | PER_LANDING) == {
        table: rows for table, rows in snapshot(incremental.root, VOLATILE | PER_LANDING).items()
    }


def test_sbdk_test_tests_the_mode_the_warehouse_was_last_built_in(incremental, tmp_path):
    """Built with `sbdk run --incremental` in a project whose sbdk.toml says full mode, the
    warehouse is tested in incremental mode; asking for full mode is refused in one line."""
    copy = tmp_path / "copy"
    shutil.copytree(incremental.root, copy)
    config = copy / "sbdk.toml"
    config.write_text(config.read_text().replace("enabled = true", "enabled = false", 1))
    assert query(copy, "select mode from sbdk_state.warehouse_build") == [("incremental",)]

    result = sbdk("test", cwd=copy)
    assert result.code == 0, result.output
    assert " 0 failed" in result.output
    assert query(
        copy,
        "select mode from observability.sbdk_runs where command = 'test' "
        "order by started_at desc limit 1",
    ) == [("incremental",)]

    refused = sbdk("test", "--full", cwd=copy)
    assert refused.code == 1
    assert refused.output.strip() == (
        "Error: the warehouse was last built in incremental mode, so its models cannot be "
        "tested in full mode: run `sbdk run --full` first, or test without --full"
    )


def test_a_copied_project_that_lost_its_state_dir_goes_on_like_one_that_did_not(
    incremental, tmp_path
):
    """Paths resolve against the project root, so a moved project keeps working; and `.sbdk/`
    is rebuildable: without it the next run lands the next days, not the first ones again."""
    lost, kept = tmp_path / "lost", tmp_path / "kept"
    for copy in (lost, kept):
        shutil.copytree(incremental.root, copy)
    shutil.rmtree(lost / ".sbdk")
    for run in [sbdk("run", cwd=copy) for copy in (lost, kept)]:
        assert run.code == 0, run.output
        assert "2025-01-08 .. 2025-01-09" in run.output, run.output
    partitions = [p.parent for p in (lost / "landing").rglob("*.parquet")]
    assert len(partitions) == len(set(partitions)) == 3 * 8  # three streams, eight days
    assert snapshot(lost, VOLATILE | PER_LANDING) == snapshot(kept, VOLATILE | PER_LANDING)


def test_landed_files_deleted_under_the_cursors_stop_the_run_with_what_to_do(incremental, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(incremental.root, copy, ignore=shutil.ignore_patterns("landing", ".sbdk"))
    result = sbdk("run", cwd=copy)  # lands the first days again: they sort before the cursors
    assert result.code == 1
    assert "failed at step 'sensor': stream users: the last file processed" in result.output
    assert "`sbdk run --incremental --full-refresh`" in result.output
    assert "Traceback" not in result.output


def test_stream_config_overrides_reach_the_processed_model(tmp_path):
    root = new_project(tmp_path, "shop")
    (root / "streams" / "app" / "orders.json").write_text('{"unique_key": "order_ref"}')
    result = sbdk("run", cwd=root)
    assert result.code == 1
    assert "stream orders" in result.output and "order_ref" in result.output
    assert "Traceback" not in result.output

    (root / "streams" / "app" / "orders.json").write_text(
        '{"unique_key": "id", "cursor_column": "updated_at", "batch_size": 1}'
    )
    rerun = sbdk("run", "--skip-generate", cwd=root)
    assert rerun.code == 0, rerun.output
    assert "stream orders    2/2 new files processed, 2 batch(es)" in rerun.output
