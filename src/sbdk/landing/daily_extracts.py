"""Which rows land on which day: the synthetic world replayed as a daily incremental extract.

The generator draws the window's tables as they finally are. This module turns them into the
append-only history an ELT tool's incremental-append sync would have landed, day by day:

- Landing day L is a sync that runs at L 02:00 UTC (users, then events a few minutes later,
  then orders) and extracts what changed during the previous calendar day, L-1. So the first
  landing day is `start_date + 1`, the last is `end_date`, and nothing lands after that: every
  row's `_extracted_at` is later than its own timestamps, and a record never lands before it
  exists.
- A share of new records arrives late (replication lag): they land one or two syncs later,
  with their own timestamps unchanged.
- Records change after they are created: orders are paid (usually within hours), a few are
  refunded days later, a few get their amount corrected (their line items repriced to the
  new amount); a few users move country weeks after signing up. Each change lands as a new
  full row of the record with a later `updated_at`. Changes after the window's end never
  happen.
- A sync sees each record once, in its state at extraction time: when several changes of one
  record fall into one sync (or into the sync that catches a late record), only the latest
  lands. So `(id, _extracted_at)` is unique in every stream and orders a record's versions.

Every choice is a hash of the record's id, the data seed and the purpose of the choice, so a
record's fate does not depend on which days are landed together: the rows of landing day L
are the same whether L is landed alone or with the rest of the window.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sbdk.catalogue import STREAM_NAMES
from sbdk.config import DataSection
from sbdk.pipelines import vocabulary as vocab
from sbdk.pipelines.calendar import (
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    epoch_seconds,
    timestamp_column,
)
from sbdk.pipelines.keyed_random import categorical as _categorical
from sbdk.pipelines.keyed_random import uniform as _uniform
from sbdk.pipelines.line_items import line_items_column
from sbdk.pipelines.synthetic import SyntheticTables

# The columns of each stream's rows as the source sends them, defined once: the row builders
# below are cast to them, the writer adds the landing run's `_batch_id` (writer.FILE_SCHEMAS),
# and processing checks every landed file against the result before reading it.
_TIMESTAMP = pa.timestamp("us")  # naive UTC: DuckDB's plain TIMESTAMP
ROW_SCHEMAS = {
    "users": pa.schema(
        [
            ("id", pa.int64()),
            ("attributes", pa.string()),  # JSON: name, email, country, referrer
            ("created_at", _TIMESTAMP),
            ("updated_at", _TIMESTAMP),
            ("_extracted_at", _TIMESTAMP),
        ]
    ),
    "events": pa.schema(
        [
            ("id", pa.int64()),
            ("user_id", pa.int64()),
            ("event_type", pa.string()),
            ("occurred_at", _TIMESTAMP),
            ("properties", pa.string()),  # JSON: page, utm_source, device
            ("_extracted_at", _TIMESTAMP),
        ]
    ),
    "orders": pa.schema(
        [
            ("id", pa.int64()),
            ("user_id", pa.int64()),
            ("event_id", pa.int64()),
            ("amount", pa.float64()),
            ("status", pa.string()),
            ("product_category", pa.string()),
            ("payment_method", pa.string()),
            ("created_at", _TIMESTAMP),
            ("updated_at", _TIMESTAMP),
            ("line_items", pa.large_string()),  # JSON array; may outgrow 32-bit offsets
            ("_extracted_at", _TIMESTAMP),
        ]
    ),
}

# The daily sync: its hour, and how many minutes after it each stream is read.
SYNC_HOUR = 2
STREAM_OFFSET_MINUTES = {"users": 0, "events": 5, "orders": 10}

LATE_SHARE = {"users": 0.03, "events": 0.05, "orders": 0.05}
MAX_LATE_DAYS = 2

UNPAID_ORDER_SHARE = 0.03
MEAN_PAYMENT_DELAY_HOURS = 6.0  # exponential; capped below
MAX_PAYMENT_DELAY_DAYS = 4
REFUNDED_ORDER_SHARE = 0.04  # of paid orders
REFUND_DELAY_DAYS = (2, 21)
CORRECTED_ORDER_SHARE = 0.02
CORRECTION_DELAY_DAYS = (1, 7)
CORRECTION_CHANGE = (0.05, 0.30)  # relative change of the amount, up or down

COUNTRY_CHANGE_SHARE = 0.02
COUNTRY_CHANGE_DELAY_DAYS = (14, 90)

DEVICES = {"desktop": 52, "mobile": 41, "tablet": 7}
USUAL_DEVICE_SHARE = 0.8  # of a user's days; on the others the device is drawn afresh

ORDER_STATUSES = ("placed", "paid", "refunded")
PLACED, PAID, REFUNDED = range(3)

_NEVER = np.iinfo(np.int64).max


def landing_window(data: DataSection) -> tuple[date, date]:
    """The first and last landing day of the window (both inclusive)."""
    return data.start_date + timedelta(days=1), data.end_date


def days_in_window(data: DataSection, days: Iterable[date]) -> list[date]:
    """The given days that are landing days of the window, sorted, without repeats."""
    first, last = landing_window(data)
    return sorted({d for d in days if first <= d <= last})


def extracted_at(day: date, stream: str) -> int:
    """When the sync of landing day `day` reads `stream`, in epoch seconds (UTC)."""
    return epoch_seconds(day) + SYNC_HOUR * SECONDS_PER_HOUR + STREAM_OFFSET_MINUTES[stream] * 60


class LandingHistory:
    """The window's landing history; `rows_landing_on` builds the files' rows for some days.

    Construction computes only numbers (which version of which record lands when); the string
    and JSON columns are built for the requested days alone.
    """

    def __init__(self, world: SyntheticTables, data: DataSection) -> None:
        self.world = world
        self.data = data
        seed, last = data.seed, _epoch_day(landing_window(data)[1])
        self._versions = {
            "users": _user_versions(world.users, seed, last),
            "events": _event_versions(world.events, seed, last),
            "orders": _order_versions(world.orders, seed, last),
        }

    def rows_landing_on(self, days: Iterable[date]) -> dict[date, dict[str, pa.Table]]:
        """For each landing day in the window: stream -> the rows its files hold (maybe none).

        Rows are ordered by id; the tables carry every column of the files but `_batch_id`,
        which names the landing run and is added by the writer.
        """
        landed = days_in_window(self.data, days)
        if not landed:
            return {}
        numbers = np.array([_epoch_day(d) for d in landed], dtype=np.int64)
        by_day: dict[date, dict[str, pa.Table]] = {d: {} for d in landed}
        for stream in STREAM_NAMES:
            versions = self._versions[stream]
            selected = np.flatnonzero(np.isin(versions.landing_day, numbers))
            # By landing day, then id (one version per id and day).
            selected = selected[
                np.lexsort((versions.row[selected], versions.landing_day[selected]))
            ]
            table = _BUILDERS[stream](self.world, versions, selected, self.data.seed)
            day_of_row = versions.landing_day[selected]
            bounds = np.searchsorted(day_of_row, numbers, side="left")
            ends = np.searchsorted(day_of_row, numbers, side="right")
            for day, begin, end in zip(landed, bounds, ends, strict=True):
                rows = table.slice(int(begin), int(end - begin))
                rows = _with_extracted_at(rows, extracted_at(day, stream))
                by_day[day][stream] = rows.cast(ROW_SCHEMAS[stream])
        return by_day


@dataclass(frozen=True)
class _Versions:
    """One landed row per entry: which record (row of the generator's table), when, as what."""

    row: np.ndarray  # index into the generator's table
    landing_day: np.ndarray  # epoch day
    updated_at: np.ndarray  # epoch seconds
    values: Mapping[str, np.ndarray]  # stream-specific state of the version


def _user_versions(users: pa.Table, seed: int, last_day: int) -> _Versions:
    user_id = _numpy(users, "user_id")
    created = _seconds(users, "created_at")
    first_landing = _first_landing_day(created, user_id, seed, "users")

    countries, country_p = vocab.weights(vocab.COUNTRIES)
    country = _dictionary_indices(users, "country", countries)
    moves = _uniform(seed, "users.moves", user_id) < COUNTRY_CHANGE_SHARE
    moved_at = created + _seconds_between(
        _uniform(seed, "users.move_delay", user_id), *COUNTRY_CHANGE_DELAY_DAYS
    )
    new_country = _categorical(_uniform(seed, "users.new_country", user_id), country_p)
    # A move to the country the user already lives in is no move: take the next one instead.
    new_country = np.where(new_country == country, (new_country + 1) % len(countries), new_country)

    window_end = last_day * SECONDS_PER_DAY  # end_date: changes after it never happen
    moved = np.flatnonzero(moves & (moved_at < window_end))
    row = np.concatenate([np.arange(len(user_id)), moved])
    updated_at = np.concatenate([created, moved_at[moved]])
    landing = np.concatenate([first_landing, _landing_day_of(moved_at[moved])])
    landing = np.maximum(landing, first_landing[row])
    values = {"country": np.concatenate([country, new_country[moved]])}
    return _latest_per_landing(row, np.minimum(landing, last_day), updated_at, values)


def _event_versions(events: pa.Table, seed: int, last_day: int) -> _Versions:
    event_id = _numpy(events, "event_id")
    occurred = _seconds(events, "timestamp")
    landing = _first_landing_day(occurred, event_id, seed, "events")
    return _Versions(
        row=np.arange(len(event_id)),
        landing_day=np.minimum(landing, last_day),
        updated_at=occurred,
        values={},
    )


def _order_versions(orders: pa.Table, seed: int, last_day: int) -> _Versions:
    order_id = _numpy(orders, "order_id")
    created = _seconds(orders, "created_at")
    first_landing = _first_landing_day(created, order_id, seed, "orders")
    window_end = last_day * SECONDS_PER_DAY

    paid = _uniform(seed, "orders.unpaid", order_id) >= UNPAID_ORDER_SHARE
    payment_delay = np.minimum(
        -np.log1p(-_uniform(seed, "orders.payment_delay", order_id))
        * MEAN_PAYMENT_DELAY_HOURS
        * SECONDS_PER_HOUR,
        MAX_PAYMENT_DELAY_DAYS * SECONDS_PER_DAY,
    ).astype(np.int64)
    paid_at = np.where(paid, created + np.maximum(payment_delay, 30), _NEVER)

    refunded = paid & (_uniform(seed, "orders.refunded", order_id) < REFUNDED_ORDER_SHARE)
    refund_delay = _seconds_between(
        _uniform(seed, "orders.refund_delay", order_id), *REFUND_DELAY_DAYS
    )
    refunded_at = np.where(refunded, paid_at + refund_delay, _NEVER)

    corrected = _uniform(seed, "orders.corrected", order_id) < CORRECTED_ORDER_SHARE
    correction_delay = _seconds_between(
        _uniform(seed, "orders.correction_delay", order_id), *CORRECTION_DELAY_DAYS
    )
    corrected_at = np.where(corrected, created + correction_delay, _NEVER)
    amount = _cents(orders, "amount")
    corrected_amount = _corrected_amounts(amount, _uniform(seed, "orders.correction", order_id))

    # Every change of every order, then the order's state as of each change.
    change_at = np.concatenate([created, paid_at, refunded_at, corrected_at])
    row = np.tile(np.arange(len(order_id)), 4)
    happened = change_at < window_end
    row, change_at = row[happened], change_at[happened]
    status = np.where(
        refunded_at[row] <= change_at, REFUNDED, np.where(paid_at[row] <= change_at, PAID, PLACED)
    )
    amount_then = np.where(corrected_at[row] <= change_at, corrected_amount[row], amount[row])
    landing = np.maximum(_landing_day_of(change_at), first_landing[row])
    values = {"status": status, "amount_cents": amount_then}
    return _latest_per_landing(row, np.minimum(landing, last_day), change_at, values)


def _corrected_amounts(cents: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """A new amount 5-30% above or below the old one (the sign from the draw's last bit)."""
    low, high = CORRECTION_CHANGE
    up = draw < 0.5
    change = low + (high - low) * ((draw * 2) % 1.0)
    factor = np.where(up, 1 + change, 1 - change)
    corrected = np.maximum(np.rint(cents * factor), 100).astype(np.int64)
    return np.where(corrected == cents, cents + 100, corrected)


def _first_landing_day(created: np.ndarray, ids: np.ndarray, seed: int, stream: str) -> np.ndarray:
    """The sync after the creation day, or one or two later for the late share."""
    late = _uniform(seed, f"{stream}.late", ids) < LATE_SHARE[stream]
    late_days = 1 + np.floor(_uniform(seed, f"{stream}.late_days", ids) * MAX_LATE_DAYS)
    return _landing_day_of(created) + np.where(late, late_days, 0).astype(np.int64)


def _latest_per_landing(
    row: np.ndarray,
    landing_day: np.ndarray,
    updated_at: np.ndarray,
    values: Mapping[str, np.ndarray],
) -> _Versions:
    """Keep, for each record and landing day, only the latest version: what the sync saw."""
    order = np.lexsort((updated_at, landing_day, row))
    row, landing_day = row[order], landing_day[order]
    last_of_group = np.ones(len(row), dtype=bool)
    last_of_group[:-1] = (row[1:] != row[:-1]) | (landing_day[1:] != landing_day[:-1])
    keep = order[last_of_group]
    return _Versions(
        row=row[last_of_group],
        landing_day=landing_day[last_of_group],
        updated_at=updated_at[keep],
        values={name: column[keep] for name, column in values.items()},
    )


# ---- The files' rows -------------------------------------------------------------------


def _users_rows(
    world: SyntheticTables, versions: _Versions, selected: np.ndarray, seed: int
) -> pa.Table:
    users = world.users
    rows = pa.array(versions.row[selected])
    countries = pa.array(list(vocab.COUNTRIES), pa.string())
    country = pa.DictionaryArray.from_arrays(
        pa.array(versions.values["country"][selected].astype(np.int16)), countries
    )
    attributes = _json_objects(
        {
            "name": _column(users, "name", rows),
            "email": _column(users, "email", rows),
            "country": country,
            "referrer": _column(users, "referrer", rows),
        }
    )
    return pa.table(
        {
            "id": _column(users, "user_id", rows),
            "attributes": attributes,
            "created_at": _column(users, "created_at", rows),
            "updated_at": timestamp_column(versions.updated_at[selected]),
        }
    )


def _events_rows(
    world: SyntheticTables, versions: _Versions, selected: np.ndarray, seed: int
) -> pa.Table:
    events = world.events
    rows = pa.array(versions.row[selected])
    user_id = _column(events, "user_id", rows)
    occurred = versions.updated_at[selected]
    device = _devices(seed, user_id.to_numpy(), occurred // SECONDS_PER_DAY)
    properties = _json_objects(
        {
            "page": _column(events, "page", rows),
            "utm_source": _column(events, "utm_source", rows),
            "device": device,
        }
    )
    return pa.table(
        {
            "id": _column(events, "event_id", rows),
            "user_id": user_id,
            "event_type": _column(events, "event_type", rows).cast(pa.string()),
            "occurred_at": timestamp_column(occurred),
            "properties": properties,
        }
    )


def _orders_rows(
    world: SyntheticTables, versions: _Versions, selected: np.ndarray, seed: int
) -> pa.Table:
    orders = world.orders
    rows = pa.array(versions.row[selected])
    statuses = pa.array(list(ORDER_STATUSES), pa.string())
    status = statuses.take(pa.array(versions.values["status"][selected]))
    order_id = _column(orders, "order_id", rows)
    category = _column(orders, "product_category", rows).cast(pa.string())
    amount_cents = versions.values["amount_cents"][selected]
    # Drawn again for the version's amount: a corrected order's items sum to the new amount.
    line_items = line_items_column(
        seed,
        order_id.to_numpy(),
        pc.index_in(category, value_set=pa.array(list(vocab.PRODUCT_CATEGORIES))).to_numpy(),
        amount_cents,
    )
    return pa.table(
        {
            "id": order_id,
            "user_id": _column(orders, "user_id", rows),
            "event_id": _column(orders, "event_id", rows),
            "amount": pa.array(amount_cents / 100.0, pa.float64()),
            "status": status,
            "product_category": category,
            "payment_method": _column(orders, "payment_method", rows).cast(pa.string()),
            "created_at": _column(orders, "created_at", rows),
            "updated_at": timestamp_column(versions.updated_at[selected]),
            "line_items": line_items,
        }
    )


_BUILDERS = {"users": _users_rows, "events": _events_rows, "orders": _orders_rows}


def _devices(seed: int, user_id: np.ndarray, day: np.ndarray) -> pa.Array:
    """Most days a user is on their usual device; on the others, on any."""
    devices, probabilities = vocab.weights(DEVICES)
    usual = _categorical(_uniform(seed, "events.usual_device", user_id), probabilities)
    user_day = user_id.astype(np.uint64) * np.uint64(1 << 20) + day.astype(np.uint64)
    other = _categorical(_uniform(seed, "events.device", user_day), probabilities)
    keeps_usual = _uniform(seed, "events.keeps_device", user_day) < USUAL_DEVICE_SHARE
    index = np.where(keeps_usual, usual, other).astype(np.int16)
    return pa.DictionaryArray.from_arrays(pa.array(index), pa.array(devices, pa.string()))


def _with_extracted_at(table: pa.Table, seconds: int) -> pa.Table:
    column = pa.array(np.full(table.num_rows, seconds * 1_000_000, dtype=np.int64))
    return table.append_column("_extracted_at", column.cast(_TIMESTAMP))


def _json_objects(fields: Mapping[str, pa.Array]) -> pa.Array:
    """One JSON object string per row, built column-wise (no per-row Python)."""
    parts: list[pa.Array | str] = []
    for position, (key, values) in enumerate(fields.items()):
        parts.append(("{" if position == 0 else ",") + json.dumps(key) + ":")
        parts.append(_json_string_literals(values))
    parts.append("}")
    return pc.binary_join_element_wise(*parts, "")


def _json_string_literals(values: pa.Array) -> pa.Array:
    """`values` as JSON string literals, `null` for missing values.

    Dictionary-encoded columns are quoted once per distinct value. Control characters (never
    produced by the generator) are replaced by spaces rather than escaped.
    """
    if pa.types.is_dictionary(values.type):
        quoted = _quote(values.dictionary)
        literals = pa.DictionaryArray.from_arrays(values.indices, quoted).cast(pa.string())
    else:
        literals = _quote(values)
    return pc.fill_null(literals, "null")


def _quote(strings: pa.Array) -> pa.Array:
    escaped = pc.replace_substring_regex(strings, r'(["\\])', r"\\\1")
    escaped = pc.replace_substring_regex(escaped, r"[\x00-\x1f]", " ")
    return pc.binary_join_element_wise('"', escaped, '"', "")


# ---- Small helpers ---------------------------------------------------------------------


def _seconds_between(draw: np.ndarray, low_days: float, high_days: float) -> np.ndarray:
    return np.floor((low_days + (high_days - low_days) * draw) * SECONDS_PER_DAY).astype(np.int64)


def _landing_day_of(seconds: np.ndarray) -> np.ndarray:
    """The sync that first sees a change: the day after the change's calendar day."""
    return seconds // SECONDS_PER_DAY + 1


def _epoch_day(day: date) -> int:
    return epoch_seconds(day) // SECONDS_PER_DAY


def _numpy(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy()


def _seconds(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).cast(pa.int64()).to_numpy() // 1_000_000


def _cents(table: pa.Table, name: str) -> np.ndarray:
    decimal = table.column(name).cast(pa.decimal128(18, 2))
    return np.rint(decimal.cast(pa.float64()).to_numpy() * 100).astype(np.int64)


def _dictionary_indices(table: pa.Table, name: str, pool: Sequence[str]) -> np.ndarray:
    """Indices into `pool` of a string column (dictionary-encoded or not)."""
    values = table.column(name).cast(pa.string())
    return pc.index_in(values, value_set=pa.array(list(pool), pa.string())).to_numpy()


def _column(table: pa.Table, name: str, rows: pa.Array) -> pa.Array:
    return table.column(name).take(rows).combine_chunks()
