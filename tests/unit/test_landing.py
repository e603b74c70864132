"""The landing simulator: which rows land when (pure), the files dlt writes, the clock."""

import json
import re
import shutil
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from fsspec.implementations.local import LocalFileSystem

from sbdk.catalogue import SOURCE, STREAM_NAMES
from sbdk.config import DataSection, Settings, build_config
from sbdk.errors import SbdkError
from sbdk.incremental.discovery import list_landed_files
from sbdk.incremental.landed_schema import inspect_files
from sbdk.incremental.streams import StreamConfig
from sbdk.landing import LandingClock, land_days, land_next_days, landing_window
from sbdk.landing.clock import CLOCK_FILE, LEGACY_CLOCK_FILE
from sbdk.landing.daily_extracts import (
    LATE_SHARE,
    ORDER_STATUSES,
    LandingHistory,
    _json_objects,
)
from sbdk.landing.writer import FILE_SCHEMAS
from sbdk.pipelines.synthetic import generate

DATA = DataSection(
    users=1_500, events_per_user=12, seed=11, start_date=date(2025, 1, 1), end_date=date(2025, 3, 1)
)
FIRST_DAY, LAST_DAY = landing_window(DATA)
LANDED_DAYS = [FIRST_DAY + timedelta(days=i) for i in range(7)]

SCHEMAS = {
    "users": [
        ("id", "BIGINT"),
        ("attributes", "VARCHAR"),
        ("created_at", "TIMESTAMP"),
        ("updated_at", "TIMESTAMP"),
        ("_extracted_at", "TIMESTAMP"),
        ("_batch_id", "VARCHAR"),
    ],
    "events": [
        ("id", "BIGINT"),
        ("user_id", "BIGINT"),
        ("event_type", "VARCHAR"),
        ("occurred_at", "TIMESTAMP"),
        ("properties", "VARCHAR"),
        ("_extracted_at", "TIMESTAMP"),
        ("_batch_id", "VARCHAR"),
    ],
    "orders": [
        ("id", "BIGINT"),
        ("user_id", "BIGINT"),
        ("event_id", "BIGINT"),
        ("amount", "DOUBLE"),
        ("status", "VARCHAR"),
        ("product_category", "VARCHAR"),
        ("payment_method", "VARCHAR"),
        ("created_at", "TIMESTAMP"),
        ("updated_at", "TIMESTAMP"),
        ("line_items", "VARCHAR"),
        ("_extracted_at", "TIMESTAMP"),
        ("_batch_id", "VARCHAR"),
    ],
}
# The column holding each stream's own time: a record's version never lands before it.
VERSION_TIME = {"users": "updated_at", "events": "occurred_at", "orders": "updated_at"}
CREATED = {"users": "created_at", "events": "occurred_at", "orders": "created_at"}
GENERATOR_ID = {"users": "user_id", "events": "event_id", "orders": "order_id"}
GENERATOR_TIME = {"users": "created_at", "events": "timestamp", "orders": "created_at"}


# ---- Fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world():
    return generate(DATA)


@pytest.fixture(scope="module")
def history(world):
    """Every landing day of the window, as the files would hold them (no dlt involved)."""
    days = [FIRST_DAY + timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
    by_day = LandingHistory(world, DATA).rows_landing_on(days)
    return {s: pa.concat_tables(by_day[d][s] for d in days) for s in STREAM_NAMES}


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    """LANDED_DAYS landed in one call."""
    project = tmp_path_factory.mktemp("together")
    result = land_days(DATA, LANDED_DAYS, str(project / "landing"), project / ".sbdk")
    return project / "landing", result


@pytest.fixture(scope="module")
def landed_one_by_one(tmp_path_factory):
    project = tmp_path_factory.mktemp("one_by_one")
    for day in LANDED_DAYS:
        land_days(DATA, [day], str(project / "landing"), project / ".sbdk")
    return project / "landing"


def read_stream(root: Path, stream: str, columns: str = "*") -> duckdb.DuckDBPyRelation:
    glob = f"{root}/{SOURCE}/{stream}/**/*.parquet"
    return duckdb.sql(
        f"select {columns} from read_parquet('{glob}', hive_partitioning = true, filename = true)"
    )


def ids_created_before(world, stream: str, day: date) -> set[int]:
    table = getattr(world, stream)
    limit = pa.scalar(datetime(day.year, day.month, day.day), pa.timestamp("us"))
    created = pc.less(table[GENERATOR_TIME[stream]], limit)
    return set(table.filter(created)[GENERATOR_ID[stream]].to_pylist())


# ---- Which rows land when (pure) --------------------------------------------------------


def test_the_window_lands_from_the_day_after_start_to_end_date():
    first, last = landing_window(DATA)
    assert (first, last) == (date(2025, 1, 2), date(2025, 3, 1))


def test_every_record_lands_and_never_before_it_exists(world, history):
    for stream in STREAM_NAMES:
        table = history[stream]
        landed_ids = set(table["id"].to_pylist())
        assert landed_ids == set(getattr(world, stream)[GENERATOR_ID[stream]].to_pylist())
        assert pc.all(pc.less(table[VERSION_TIME[stream]], table["_extracted_at"])).as_py()
        assert pc.all(pc.less_equal(table[CREATED[stream]], table[VERSION_TIME[stream]])).as_py()


def test_a_sync_sees_each_record_once(history):
    for stream in STREAM_NAMES:
        pairs = (
            history[stream]
            .select(["id", "_extracted_at"])
            .group_by(["id", "_extracted_at"])
            .aggregate([([], "count_all")])
        )
        assert pc.max(pairs["count_all"]).as_py() == 1, stream


def test_records_land_the_day_after_they_happen_or_up_to_two_days_late(history):
    for stream in STREAM_NAMES:
        first_landing = (
            history[stream]
            .group_by("id")
            .aggregate([(CREATED[stream], "min"), ("_extracted_at", "min")])
        )
        lag = _days_between(
            first_landing[f"{CREATED[stream]}_min"], first_landing["_extracted_at_min"]
        )
        assert set(np.unique(lag)) == {1, 2, 3}, stream
        late_share = float(np.mean(lag > 1))
        assert LATE_SHARE[stream] / 2 < late_share < LATE_SHARE[stream] * 2, stream


def test_updates_land_later_as_full_new_versions(history):
    orders = history["orders"].sort_by([("id", "ascending"), ("_extracted_at", "ascending")])
    versions = _versions_per_id(orders)
    assert (versions > 1).mean() > 0.1  # paid after the sync that saw them placed
    # Per id, later versions have later updated_at and _extracted_at, and never go back in
    # status; created_at, user and event never change.
    same_id = _same_as_previous(orders, "id")
    for column in ("updated_at", "_extracted_at"):
        later = _previous_is_less(orders, column)
        assert later[same_id].all(), column
    rank = pc.index_in(orders["status"], pa.array(ORDER_STATUSES)).to_numpy()
    assert (rank[1:][same_id[1:]] >= rank[:-1][same_id[1:]]).all()
    for column in ("created_at", "user_id", "event_id", "product_category"):
        assert _same_as_previous(orders, column)[same_id].all(), column

    final = orders.group_by("id").aggregate([("status", "list"), ("amount", "count_distinct")])
    statuses = [set(s) for s in final["status_list"].to_pylist()]
    assert any("refunded" in s for s in statuses)
    assert any(s == {"placed"} for s in statuses)  # a few orders are never paid
    corrected = float(pc.mean(pc.greater(final["amount_count_distinct"], 1)).as_py())
    assert 0.005 < corrected < 0.05


def test_every_landed_order_version_has_items_summing_to_its_amount(world, history):
    generated = {
        order_id: (amount, text)
        for order_id, amount, text in zip(
            *(world.orders[c].to_pylist() for c in ("order_id", "amount", "line_items")),
            strict=True,
        )
    }
    orders = history["orders"]
    corrected = 0
    for order_id, amount, text in zip(
        *(orders[c].to_pylist() for c in ("id", "amount", "line_items")), strict=True
    ):
        amount = Decimal(str(amount)).quantize(Decimal("0.01"))
        lines = json.loads(text, parse_float=Decimal)
        assert sum(line["quantity"] * line["unit_price"] for line in lines) == amount, text
        generated_amount, generated_text = generated[order_id]
        # The generator's amount comes with the generator's items; a corrected one, repriced.
        assert (text == generated_text) == (amount == generated_amount)
        corrected += amount != generated_amount
    assert corrected > 0


def test_some_users_move_country_weeks_after_signing_up(history):
    users = history["users"].sort_by([("id", "ascending"), ("_extracted_at", "ascending")])
    attributes = [json.loads(a) for a in users["attributes"].to_pylist()]
    same_id = _same_as_previous(users, "id")
    moves = [
        (before, after)
        for before, after, again in zip(attributes[:-1], attributes[1:], same_id[1:], strict=True)
        if again
    ]
    assert moves and len(moves) < 0.05 * len(set(users["id"].to_pylist()))
    for before, after in moves:
        assert before["country"] != after["country"]
        assert {k: v for k, v in before.items() if k != "country"} == {
            k: v for k, v in after.items() if k != "country"
        }
    lag = _days_between(users["created_at"], users["updated_at"])[same_id]
    assert lag.min() >= 14


def test_a_day_holds_the_same_rows_whether_landed_alone_or_with_others(world):
    history = LandingHistory(world, DATA)
    together = history.rows_landing_on(LANDED_DAYS)
    for day in LANDED_DAYS:
        alone = history.rows_landing_on([day])[day]
        for stream in STREAM_NAMES:
            assert alone[stream].equals(together[day][stream]), (day, stream)


def test_days_outside_the_window_hold_nothing(world):
    history = LandingHistory(world, DATA)
    outside = [DATA.start_date, LAST_DAY + timedelta(days=1), date(2030, 1, 1)]
    assert history.rows_landing_on(outside) == {}


def test_json_objects_escape_quotes_and_keep_nulls():
    names = pa.array(['Dwayne "The Rock"', "back\\slash", "Zoë", "tab\there"])
    sources = pa.array(["google", None, "x", None])
    objects = _json_objects({"name": names, "utm_source": sources}).to_pylist()
    assert [json.loads(o) for o in objects] == [
        {"name": 'Dwayne "The Rock"', "utm_source": "google"},
        {"name": "back\\slash", "utm_source": None},
        {"name": "Zoë", "utm_source": "x"},
        {"name": "tab here", "utm_source": None},
    ]


# ---- The files -------------------------------------------------------------------------


def test_files_land_in_hive_partitions_of_the_landing_day(landed):
    root, result = landed
    assert result.days == LANDED_DAYS
    day_folders = {f"year={d:%Y}/month={d:%m}/day={d:%d}" for d in LANDED_DAYS}
    for stream in STREAM_NAMES:
        on_disk = sorted(str(p) for p in (root / SOURCE / stream).rglob("*") if p.is_file())
        assert on_disk == sorted(result.files[stream])
        assert len(on_disk) == len(LANDED_DAYS)  # one file per day at this size
        pattern = re.compile(
            rf"^{re.escape(str(root))}/{SOURCE}/{stream}/"
            r"(year=\d{4}/month=\d{2}/day=\d{2})/\d+\.\d+\.[0-9a-z]+\.parquet$"
        )
        folders = {pattern.match(path).group(1) for path in on_disk}
        assert folders == day_folders
    # Besides the streams, only dlt's own bookkeeping (never inside a stream's folder).
    names = {p.name for p in (root / SOURCE).iterdir()}
    assert set(STREAM_NAMES) <= names
    assert names <= {*STREAM_NAMES, "_dlt_loads", "_dlt_pipeline_state", "_dlt_version", "init"}


def test_files_have_the_contract_schema_with_naive_timestamps(landed):
    root, _ = landed
    for stream, columns in SCHEMAS.items():
        schema = duckdb.sql(
            f"describe select * from read_parquet('{root}/{SOURCE}/{stream}/**/*.parquet', "
            "hive_partitioning = true, filename = true)"
        ).fetchall()
        names_and_types = [(row[0], row[1]) for row in schema]
        assert names_and_types[: len(columns)] == columns
        assert {name for name, _ in names_and_types[len(columns) :]} == {
            "filename", "year", "month", "day"
        }  # fmt: skip


def test_landed_files_hold_exactly_the_declared_file_schemas(landed):
    """FILE_SCHEMAS is what the writer writes, so the check processing runs on every new file
    (incremental/landed_schema.py) lets every file the simulator lands through."""
    root, result = landed
    for stream in STREAM_NAMES:
        for path in result.files[stream]:
            assert pq.read_schema(path).remove_metadata().equals(FILE_SCHEMAS[stream]), path
        files = list_landed_files(str(root), SOURCE, stream)
        assert len(files) == len(result.files[stream]) > 0
        inspection = inspect_files(files, StreamConfig(name=stream), LocalFileSystem())
        assert inspection.misfit is None
        assert inspection.rows == [pq.read_metadata(f.url).num_rows for f in files]


def test_partitions_batch_ids_and_extraction_times_agree(landed):
    root, _ = landed
    for stream in STREAM_NAMES:
        rows = read_stream(
            root,
            stream,
            "filename, _batch_id, _extracted_at, "
            "make_date(year::int, month::int, day::int) as landing_day",
        ).fetchall()
        for filename, batch_id, extracted, landing_day in rows:
            assert Path(filename).name.rsplit(".", 2)[0] == batch_id
            assert extracted.date() == landing_day
            assert extracted.hour == 2


def test_rows_counts_add_up(landed):
    root, result = landed
    for stream in STREAM_NAMES:
        count = read_stream(root, stream, "count(*)").fetchall()[0][0]
        assert count == result.rows[stream] > 0


def test_every_record_of_the_first_five_days_lands_in_the_first_seven(world, landed):
    """Records of data day D land on D+1, or up to two days late."""
    root, _ = landed
    late_events = read_stream(
        root, "events", "count(*) filter (where _extracted_at::date > occurred_at::date + 1)"
    ).fetchall()[0][0]
    assert late_events > 0
    fifth_day_end = DATA.start_date + timedelta(days=5)
    for stream in STREAM_NAMES:
        created = CREATED[stream]
        landed_ids = {
            row[0]
            for row in read_stream(root, stream, f"id, {created}")
            .filter(f"{created} < '{fifth_day_end}'")
            .fetchall()
        }
        assert landed_ids == ids_created_before(world, stream, fifth_day_end), stream


def test_landing_day_by_day_gives_the_same_rows_as_landing_together(landed, landed_one_by_one):
    root, _ = landed
    for stream in STREAM_NAMES:
        columns = "* exclude (_batch_id, filename)"
        one_by_one = read_stream(landed_one_by_one, stream, columns).order("all").fetchall()
        together = read_stream(root, stream, columns).order("all").fetchall()
        assert one_by_one == together, stream


def test_json_columns_parse_with_duckdb(world, landed):
    root, _ = landed
    pages = dict(read_stream(root, "events", "id, properties::JSON->>'$.page'").fetchall())
    events = world.events
    expected = dict(zip(events["event_id"].to_pylist(), events["page"].to_pylist(), strict=True))
    assert pages == {i: expected[i] for i in pages}
    devices = read_stream(root, "events", "distinct properties::JSON->>'$.device'").fetchall()
    assert {d[0] for d in devices} <= {"desktop", "mobile", "tablet"}
    utm_types = read_stream(
        root, "events", "distinct json_type(properties::JSON->'$.utm_source')"
    ).fetchall()
    assert {t[0] for t in utm_types} == {"VARCHAR", "NULL"}
    emails = read_stream(root, "users", "attributes::JSON->>'$.email'").fetchall()
    assert all("@" in e[0] for e in emails)


def test_landing_past_the_window_lands_nothing(tmp_path):
    days = [LAST_DAY + timedelta(days=1), LAST_DAY + timedelta(days=30)]
    result = land_days(DATA, days, str(tmp_path / "landing"), tmp_path / ".sbdk")
    assert result.days == []
    assert result.rows == dict.fromkeys(STREAM_NAMES, 0)
    assert not (tmp_path / "landing").exists()


def test_each_landed_day_is_reported_as_it_is_written(tmp_path):
    reported = []
    land_days(
        DATA,
        LANDED_DAYS[:2],
        str(tmp_path / "landing"),
        tmp_path / ".sbdk",
        on_day_landed=lambda day, rows: reported.append((day, sum(rows.values()) > 0)),
    )
    assert reported == [(LANDED_DAYS[0], True), (LANDED_DAYS[1], True)]
    # dlt's working copies of the landed files are not kept
    assert not (tmp_path / ".sbdk" / "dlt" / "pipelines" / "sbdk_landing").exists()


# ---- The clock ---------------------------------------------------------------------------


def test_the_clock_steps_through_the_window_and_stops_at_its_end(tmp_path):
    clock = LandingClock(str(tmp_path))
    assert clock.last_landed_day() is None
    assert clock.next_days(3, DATA) == [date(2025, 1, 2), date(2025, 1, 3), date(2025, 1, 4)]
    clock.advance([date(2025, 1, 2), date(2025, 1, 3)], DATA)
    assert LandingClock(str(tmp_path)).last_landed_day() == date(2025, 1, 3)
    assert clock.next_days(1, DATA) == [date(2025, 1, 4)]

    clock.advance([LAST_DAY - timedelta(days=1)], DATA)
    assert clock.next_days(5, DATA) == [LAST_DAY]
    clock.advance([LAST_DAY], DATA)
    assert clock.next_days(5, DATA) == []


def test_the_clock_never_goes_back(tmp_path):
    clock = LandingClock(str(tmp_path))
    clock.advance([date(2025, 1, 5)], DATA)
    with pytest.raises(ValueError):
        clock.advance([date(2025, 1, 5)], DATA)


def test_the_clock_refuses_a_history_drawn_from_other_settings(tmp_path):
    clock = LandingClock(str(tmp_path))
    clock.advance([date(2025, 1, 2)], DATA)
    with pytest.raises(SbdkError, match="seed 11 -> 12"):
        clock.next_days(1, DATA.model_copy(update={"seed": 12}))
    clock.reset()
    assert clock.next_days(1, DATA.model_copy(update={"seed": 12})) == [date(2025, 1, 2)]


def test_a_damaged_clock_file_is_a_clear_error(tmp_path):
    (tmp_path / SOURCE).mkdir()
    (tmp_path / SOURCE / CLOCK_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(SbdkError, match=f"landing clock .*{CLOCK_FILE} is damaged"):
        LandingClock(str(tmp_path)).next_days(1, DATA)


def landing_settings(project: Path) -> Settings:
    """A project landing DATA two days per run into `project/landing`."""
    config = build_config({"data": DATA.model_dump(), "incremental": {"step_days": 2}})
    return Settings(project, config)


def landed_rows(landing: Path) -> list[tuple]:
    """Every landed row but its landing run's id, with its partition, sorted."""
    return duckdb.sql(
        f"select * exclude (_batch_id, filename) from read_parquet("
        f"'{landing}/{SOURCE}/*/**/*.parquet', hive_partitioning = true, filename = true, "
        "union_by_name = true) order by all"
    ).fetchall()


def files_per_partition(landing: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in landing.rglob("*.parquet"):
        partition = str(path.parent.relative_to(landing))
        counts[partition] = counts.get(partition, 0) + 1
    return counts


def test_deleting_the_state_dir_never_lands_a_day_again(tmp_path):
    """`.sbdk/` is rebuildable: the clock lives with the landed files, so the next run lands
    the next days, as if the state had never been lost."""
    lost, kept = landing_settings(tmp_path / "lost"), landing_settings(tmp_path / "kept")
    for settings in (lost, kept):
        land_next_days(settings, {})
        land_next_days(settings, {})
    shutil.rmtree(lost.state_dir)
    result = land_next_days(lost, {})
    assert result.days == [date(2025, 1, 6), date(2025, 1, 7)]  # not the first day again
    land_next_days(kept, {})
    assert set(files_per_partition(lost.root / "landing").values()) == {1}  # no duplicates
    assert files_per_partition(lost.root / "landing") == files_per_partition(kept.root / "landing")
    assert landed_rows(lost.root / "landing") == landed_rows(kept.root / "landing")


def test_deleting_the_landed_files_starts_the_landing_over(tmp_path):
    settings = landing_settings(tmp_path)
    land_next_days(settings, {})
    shutil.rmtree(settings.root / "landing")
    assert land_next_days(settings, {}).days == [date(2025, 1, 2), date(2025, 1, 3)]


def test_landed_files_without_a_clock_are_refused_and_an_older_clock_adopted(tmp_path):
    settings = landing_settings(tmp_path)
    land_next_days(settings, {})
    clock = LandingClock(settings.landing_root, state_dir=settings.state_dir)
    clock_file = settings.root / "landing" / SOURCE / CLOCK_FILE
    saved = clock_file.read_bytes()
    clock_file.unlink()
    with pytest.raises(SbdkError, match=r"holds days up to 2025-01-03 but no clock .*full-refresh"):
        clock.next_days(1, DATA)
    # An earlier sbdk kept the clock in the project's state dir: it is adopted.
    (settings.state_dir / LEGACY_CLOCK_FILE).write_bytes(saved)
    assert clock.next_days(1, DATA) == [date(2025, 1, 4)]
    assert clock_file.read_bytes() == saved
    assert not (settings.state_dir / LEGACY_CLOCK_FILE).exists()


# ---- Helpers -----------------------------------------------------------------------------


def _seconds(column) -> np.ndarray:
    return pc.cast(column, pa.int64()).to_numpy() // 1_000_000


def _days_between(earlier, later) -> np.ndarray:
    return _seconds(later) // 86_400 - _seconds(earlier) // 86_400


def _same_as_previous(table: pa.Table, column: str) -> np.ndarray:
    values = table[column].to_pylist()
    return np.array([False] + [a == b for a, b in zip(values[:-1], values[1:], strict=True)])


def _previous_is_less(table: pa.Table, column: str) -> np.ndarray:
    values = _seconds(table[column])
    return np.concatenate([[False], values[:-1] < values[1:]])


def _versions_per_id(table: pa.Table) -> np.ndarray:
    return table.group_by("id").aggregate([([], "count_all")])["count_all"].to_numpy()


def test_s3_storage_options_become_dlt_credentials():
    from sbdk.landing.writer import _destination_options

    credentials, kwargs = _destination_options(
        "s3://bucket/landing",
        {
            "key": "id",
            "secret": "secret",
            "client_kwargs": {"endpoint_url": "http://127.0.0.1:9000", "region_name": "eu-west-1"},
        },
    )
    assert credentials == {
        "aws_access_key_id": "id",
        "aws_secret_access_key": "secret",
        "endpoint_url": "http://127.0.0.1:9000",
        "region_name": "eu-west-1",
    }
    assert kwargs == {}
    assert _destination_options("/tmp/landing", {}) == (None, {})


def test_a_day_landed_half_way_is_landed_again_whole_never_twice(tmp_path):
    """A landing stopped during a day (kill -9, full disk) left some of its files; the clock
    does not count the day, so the next landing of it replaces them instead of adding."""
    root = tmp_path / "landing"
    day = LANDED_DAYS[0]
    first = land_days(DATA, [day], str(root), tmp_path / ".sbdk")
    leftover = Path(first.files["users"][0])
    stale = leftover.with_name("1796000000.1234567.0123456789.parquet")
    stale.write_bytes(leftover.read_bytes())  # e.g. the users file of an earlier attempt
    foreign = leftover.with_name("dropped-here-by-someone.parquet")
    foreign.write_bytes(leftover.read_bytes())

    again = land_days(DATA, [day], str(root), tmp_path / ".sbdk")
    for stream in STREAM_NAMES:
        on_disk = sorted(str(p) for p in (root / SOURCE / stream).rglob("*.parquet"))
        expected = [*again.files[stream], *([str(foreign)] if stream == "users" else [])]
        assert on_disk == sorted(expected), stream
    assert not stale.exists()
    assert foreign.exists()  # not the landing's file: never removed
