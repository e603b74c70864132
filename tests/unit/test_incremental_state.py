"""Stream configs, file discovery and cursors of the incremental mode (no dbt)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sbdk.errors import SbdkError
from sbdk.incremental import cursors
from sbdk.incremental.discovery import LandedFile, batches, files_after, list_landed_files
from sbdk.incremental.streams import STREAMS, read_stream_configs


def land(root: Path, stream: str, *keys: str) -> None:
    for key in keys:
        path = root / "app" / stream / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"PAR1")


def test_empty_or_missing_stream_configs_mean_defaults(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "users.json").write_text("{}")
    configs = read_stream_configs(tmp_path)
    assert [c.name for c in configs] == list(STREAMS)
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
    cursors.reset_cursors(warehouse)
    assert cursors.read_cursors(warehouse) == {}
