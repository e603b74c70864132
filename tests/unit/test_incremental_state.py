"""Stream configs, file discovery and cursors of the incremental mode (no dbt)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fsspec.implementations.local import LocalFileSystem

from sbdk.catalogue import STREAM_NAMES
from sbdk.config import Settings, build_config
from sbdk.errors import SbdkError
from sbdk.incremental import cursors
from sbdk.incremental.discovery import LandedFile, batches, files_after, list_landed_files
from sbdk.incremental.landed_schema import (
    Inspection,
    expected_columns,
    inspect_files,
    schema_difference,
)
from sbdk.incremental.processing import StreamProcessor
from sbdk.incremental.streams import StreamConfig, read_stream_configs
from sbdk.landing.writer import FILE_SCHEMAS


def land(root: Path, stream: str, *keys: str) -> None:
    for key in keys:
        path = root / "app" / stream / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"PAR1")


def test_empty_or_missing_stream_configs_mean_defaults(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "users.json").write_text("{}")
    configs = read_stream_configs(tmp_path)
    assert [c.name for c in configs] == list(STREAM_NAMES)
    users = configs[0]
    assert users.batch_size is None  # the project's [incremental] batch_size applies
    assert users.model_vars == {}  # the processed model's own key and version order
    assert users.tag == "app__users" and users.model == "int_app__users"


def test_stream_config_overrides_and_rejects_unknown_keys(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "orders.json").write_text(json.dumps({"batch_size": 3}))
    orders = next(c for c in read_stream_configs(tmp_path) if c.name == "orders")
    assert orders.batch_size == 3
    (tmp_path / "app" / "orders.json").write_text(
        json.dumps({"unique_key": "order_ref", "cursor_column": "_extracted_at"})
    )
    orders = next(c for c in read_stream_configs(tmp_path) if c.name == "orders")
    assert orders.model_vars == {"unique_key": "order_ref", "cursor_column": "_extracted_at"}
    (tmp_path / "app" / "orders.json").write_text(json.dumps({"unique_key": "id; drop"}))
    with pytest.raises(SbdkError, match="unique_key"):
        read_stream_configs(tmp_path)
    (tmp_path / "app" / "orders.json").write_text(json.dumps({"batchsize": 3}))
    with pytest.raises(SbdkError, match="invalid stream config .*orders.json"):
        read_stream_configs(tmp_path)
    (tmp_path / "app" / "orders.json").write_text("[1]")
    with pytest.raises(SbdkError, match="must hold a JSON object"):
        read_stream_configs(tmp_path)


def test_discovery_lists_files_in_partition_order(tmp_path):
    land(
        tmp_path, "events",
        "year=2025/month=01/day=10/200.a.parquet",
        "year=2025/month=01/day=02/100.a.parquet",
        "year=2025/month=01/day=02/100.b.parquet",
        "year=2024/month=12/day=31/050.a.parquet",
    )  # fmt: skip
    (tmp_path / "app" / "events" / "_dlt_state.json").write_text("{}")  # not a data file
    files = list_landed_files(str(tmp_path), "app", "events")
    assert [f.key for f in files] == [
        "year=2024/month=12/day=31/050.a.parquet",
        "year=2025/month=01/day=02/100.a.parquet",
        "year=2025/month=01/day=02/100.b.parquet",
        "year=2025/month=01/day=10/200.a.parquet",
    ]
    assert files[0].url == str(tmp_path / "app" / "events" / files[0].key)


def test_files_after_the_cursor_and_batches():
    files = [
        LandedFile(f"year=2025/month=01/day={d:02d}/x.parquet", f"/l/{d}") for d in range(1, 8)
    ]
    assert files_after(files, None) == files
    assert files_after(files, files[4].key) == files[5:]
    assert files_after(files, files[-1].key) == []
    assert [len(b) for b in batches(files, 3)] == [3, 3, 1]
    assert batches([], 10) == []


def test_batches_fill_up_to_the_row_budget_and_the_file_limit():
    files = [LandedFile(f"k{n}", f"/l/{n}") for n in range(6)]
    rows = [40, 50, 10, 200, 5, 5]
    by_rows = batches(files, None, rows, row_budget=100)
    assert [[f.key for f in b] for b in by_rows] == [["k0", "k1", "k2"], ["k3"], ["k4", "k5"]]
    assert [len(b) for b in batches(files, 2, rows, row_budget=100)] == [2, 1, 1, 2]
    assert batches(files) == [files]  # neither limit: one batch
    assert [b[0].key for b in batches(files, None, rows, row_budget=1)] == [f.key for f in files]


def test_cursors_advance_reset_and_track_pending_downstream(tmp_path):
    warehouse = tmp_path / "w.duckdb"
    assert cursors.read_cursors(warehouse) == {}
    cursors.advance_cursor(warehouse, "events", "year=2025/month=01/day=01/a.parquet", 10)
    cursors.advance_cursor(warehouse, "events", "year=2025/month=01/day=02/a.parquet", 2)
    cursors.advance_cursor(warehouse, "users", "year=2025/month=01/day=01/a.parquet", 1)
    assert cursors.read_cursors(warehouse) == {
        "events": "year=2025/month=01/day=02/a.parquet",
        "users": "year=2025/month=01/day=01/a.parquet",
    }
    assert cursors.pending_downstream(warehouse) == ["events", "users"]
    cursors.clear_pending_downstream(warehouse, ["events"])
    assert cursors.pending_downstream(warehouse) == ["users"]

    # A full refresh publishes rebuilt tables and their cursors together.
    with duckdb.connect(str(warehouse)) as db:
        db.execute("create schema processed")
        db.execute("create table processed.int_app__users as select 1 as v")
        db.execute("create table processed.int_app__users__refresh as select 2 as v")
    cursors.publish_refresh(
        warehouse,
        {"processed.int_app__users__refresh": "int_app__users"},
        {"users": ("year=2025/month=01/day=09/b.parquet", 9)},
    )
    assert cursors.read_cursors(warehouse) == {"users": "year=2025/month=01/day=09/b.parquet"}
    assert cursors.pending_downstream(warehouse) == ["users"]
    with duckdb.connect(str(warehouse), read_only=True) as db:
        assert db.execute("select v from processed.int_app__users").fetchall() == [(2,)]
        assert db.execute(
            "select count(*) from information_schema.tables where table_name like '%refresh'"
        ).fetchall() == [(0,)]


# ---- Landed files against their stream's columns -----------------------------------------


def write_parquet(path: Path, table: pa.Table) -> LandedFile:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return LandedFile(key=path.name, url=str(path))


def empty_file_of(stream: str) -> pa.Table:
    return FILE_SCHEMAS[stream].empty_table()


def stream_config(name: str, **overrides) -> StreamConfig:
    return StreamConfig(name=name, **overrides)


def test_expected_columns_come_from_what_the_writer_lands():
    users = expected_columns(stream_config("users"))
    assert list(users) == [field.name for field in FILE_SCHEMAS["users"]]
    assert users["id"] == "integer" and users["attributes"] == "string"
    assert users["updated_at"] == "timestamp" and users["_batch_id"] == "string"
    # A stream config naming another key column or version column expects those instead.
    renamed = expected_columns(stream_config("orders", unique_key="order_ref", cursor_column="v"))
    assert "id" not in renamed and renamed["order_ref"] == "integer"
    assert renamed["v"] is None  # any kind orders versions


def test_a_file_of_another_stream_does_not_fit():
    difference = schema_difference(FILE_SCHEMAS["orders"], expected_columns(stream_config("users")))
    assert difference is not None
    assert difference.startswith("missing attributes; unexpected user_id, event_id, amount, ")
    assert schema_difference(FILE_SCHEMAS["users"], expected_columns(stream_config("orders")))
    assert schema_difference(FILE_SCHEMAS["events"], expected_columns(stream_config("users")))


def test_types_must_be_of_the_expected_kind_but_not_the_exact_type():
    expected = expected_columns(stream_config("users"))
    schema = FILE_SCHEMAS["users"]
    string_ids = schema.set(0, pa.field("id", pa.string()))
    assert schema_difference(string_ids, expected) == "id is string, not integer"
    zoned = schema.set(3, pa.field("updated_at", pa.timestamp("us", tz="UTC")))
    assert schema_difference(zoned, expected) == (
        "updated_at is timestamp with time zone, not timestamp"
    )
    narrower = schema.set(0, pa.field("id", pa.int32())).set(
        1, pa.field("attributes", pa.large_string())
    )
    assert schema_difference(narrower, expected) is None


def test_extra_columns_are_allowed():
    """A source adding a column must not stop the stream: the models never read it."""
    expected = expected_columns(stream_config("events"))
    assert (
        schema_difference(FILE_SCHEMAS["events"].append(pa.field("x", pa.int8())), expected) is None
    )


def first_misfit(files, stream):
    return inspect_files(files, stream, LocalFileSystem()).misfit


def test_the_first_misfit_file_is_named_with_its_difference(tmp_path):
    users = stream_config("users")
    good = write_parquet(tmp_path / "a.parquet", empty_file_of("users"))
    assert inspect_files([good, good], users, LocalFileSystem()) == Inspection([0, 0])
    orders = write_parquet(tmp_path / "b.parquet", empty_file_of("orders"))
    inspection = inspect_files([good, orders, good], users, LocalFileSystem())
    assert inspection.rows == [0]  # the files before the misfit
    problem = inspection.misfit
    assert problem is not None and "\n" not in problem
    assert problem.startswith(
        f"landed file {orders.url} does not have the columns of stream users: missing attributes"
    )
    corrupt = tmp_path / "c.parquet"
    corrupt.write_bytes(b"not a parquet file")
    problem = first_misfit([LandedFile("c", str(corrupt))], users)
    assert problem is not None and "\n" not in problem
    assert problem.startswith(f"cannot read landed file {corrupt} as Parquet: ")


def test_a_cursor_whose_file_is_gone_stops_the_sensor_instead_of_skipping_files(tmp_path):
    """Landed files deleted and landed again sort before the cursors: say so, never skip."""
    settings = Settings(tmp_path, build_config({}))
    landing = Path(settings.landing_root)
    settings.warehouse_path.parent.mkdir()
    processor = StreamProcessor(settings, dbt=None)
    for stream in STREAM_NAMES:
        land(landing, stream, "year=2025/month=01/day=02/1.a.parquet")
        land(landing, stream, "year=2025/month=01/day=03/2.a.parquet")
        cursors.advance_cursor(
            settings.warehouse_path, stream, "year=2025/month=01/day=03/2.a.parquet", 2
        )
    assert processor.pending_work().new_files == dict.fromkeys(STREAM_NAMES, 0)
    shutil.rmtree(landing)
    for stream in STREAM_NAMES:
        land(landing, stream, "year=2025/month=01/day=02/3.b.parquet")
    with pytest.raises(SbdkError, match=r"no longer in the landing area .*--full-refresh"):
        processor.pending_work()
    assert processor.pending_work(full_refresh=True).new_files == dict.fromkeys(STREAM_NAMES, 1)
