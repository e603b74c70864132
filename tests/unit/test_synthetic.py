"""Properties of the synthetic world: sizes, keys, ordering, consistency, determinism."""

from datetime import date, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from sbdk.config import DataSection
from sbdk.pipelines.synthetic import generate

SMALL = DataSection(users=2_000, events_per_user=30, seed=7)


@pytest.fixture(scope="module")
def world():
    return generate(SMALL)


def column(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy()


def seconds(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).cast(pa.int64()).to_numpy() // 1_000_000


def test_sizes_follow_the_configuration(world):
    assert world.users.num_rows == SMALL.users
    expected_events = SMALL.users * SMALL.events_per_user
    assert 0.85 * expected_events < world.events.num_rows < 1.15 * expected_events
    purchases = int(pc.sum(pc.equal(world.events["event_type"], "purchase")).as_py())
    assert world.orders.num_rows == purchases > 0


def test_columns_and_types_match_the_raw_contract(world):
    assert world.users.schema.names == [
        "user_id",
        "name",
        "email",
        "created_at",
        "country",
        "referrer",
    ]
    assert world.events.schema.names == [
        "event_id",
        "user_id",
        "event_type",
        "timestamp",
        "utm_source",
        "page",
    ]
    assert world.orders.schema.names == [
        "order_id",
        "user_id",
        "event_id",
        "amount",
        "product_category",
        "payment_method",
        "created_at",
        "line_items",
    ]
    assert world.events.schema.field("timestamp").type == pa.timestamp("us")
    assert world.orders.schema.field("amount").type == pa.decimal128(12, 2)


def test_keys_and_emails_are_unique(world):
    for table, key in (
        (world.users, "user_id"),
        (world.events, "event_id"),
        (world.orders, "order_id"),
    ):
        values = column(table, key)
        assert len(np.unique(values)) == len(values), key
    emails = world.users["email"].to_pylist()
    assert len(set(emails)) == len(emails)
    assert all("@" in e and e == e.lower() for e in emails[:500])


def test_every_users_first_event_is_signup_at_created_at(world):
    user = column(world.events, "user_id")
    at = seconds(world.events, "timestamp")
    first = np.r_[True, user[1:] != user[:-1]]
    assert set(np.unique(user)) == set(column(world.users, "user_id"))
    assert (
        np.asarray(world.events["event_type"].to_pylist(), dtype=object)[first] == "signup"
    ).all()
    created = seconds(world.users, "created_at")[user[first] - 1]
    assert (at[first] == created).all()
    signups = int(pc.sum(pc.equal(world.events["event_type"], "signup")).as_py())
    assert signups == world.users.num_rows  # exactly one signup each


def test_events_are_ordered_in_time_within_each_user(world):
    user = column(world.events, "user_id")
    at = seconds(world.events, "timestamp")
    same_user = user[1:] == user[:-1]
    assert (np.diff(at)[same_user] > 0).all()
    assert (np.diff(column(world.events, "event_id")) > 0).all()


def test_everything_happens_inside_the_date_window(world):
    for table, name in (
        (world.users, "created_at"),
        (world.events, "timestamp"),
        (world.orders, "created_at"),
    ):
        values = table[name]
        assert pc.min(values).as_py() >= datetime(2025, 1, 1)
        assert pc.max(values).as_py() < datetime(2026, 1, 1)


def test_each_purchase_has_its_order_with_same_user_and_time(world):
    events = world.events
    purchase = np.asarray(events["event_type"].to_pylist(), dtype=object) == "purchase"
    order_event = column(world.orders, "event_id")
    assert (order_event == column(events, "event_id")[purchase]).all()
    assert (column(world.orders, "user_id") == column(events, "user_id")[purchase]).all()
    assert (seconds(world.orders, "created_at") == seconds(events, "timestamp")[purchase]).all()


def test_amounts_are_positive_and_right_skewed(world):
    amounts = np.array([float(a) for a in world.orders["amount"].to_pylist()])
    assert (amounts > 0).all()
    assert np.mean(amounts) > np.median(amounts)  # log-normal: the mean sits above the median
    categories = set(world.orders["product_category"].to_pylist())
    assert {"subscription", "addon", "renewal"} <= categories
    assert {"credit_card", "paypal", "wire"} <= set(world.orders["payment_method"].to_pylist())


def test_activity_is_heavy_tailed(world):
    counts = np.bincount(column(world.events, "user_id"))[1:]
    top_share = np.sort(counts)[::-1][: len(counts) // 10].sum() / counts.sum()
    assert top_share > 0.3  # the top 10% of users make well over 10% of events
    assert np.median(counts) < np.mean(counts)


def test_sessions_are_bursts_separated_by_gaps(world):
    user = column(world.events, "user_id")
    gaps = np.diff(seconds(world.events, "timestamp"))[user[1:] == user[:-1]]
    assert np.median(gaps) < 10 * 60  # most clicks follow within minutes
    assert (gaps > 60 * 60).mean() > 0.05  # and visits are hours or days apart


def test_weekday_and_hour_seasonality(world):
    at = seconds(world.events, "timestamp")
    hour = (at // 3600) % 24
    weekday = ((at // 86400) + 3) % 7  # Monday = 0
    assert np.bincount(hour, minlength=24)[3] < 0.5 * np.bincount(hour, minlength=24)[14]
    per_day = np.bincount(weekday, minlength=7)
    assert per_day[5:].mean() < per_day[:5].mean()


def test_same_seed_gives_identical_tables(world):
    again = generate(SMALL)
    assert again.users.equals(world.users)
    assert again.events.equals(world.events)
    assert again.orders.equals(world.orders)


def test_another_seed_gives_other_data(world):
    other = generate(SMALL.model_copy(update={"seed": 8}))
    assert not other.events.equals(world.events)


def test_one_event_per_user_world_is_only_signups():
    tiny = generate(DataSection(users=50, events_per_user=1, seed=1))
    assert tiny.events.num_rows == 50
    assert set(tiny.events["event_type"].to_pylist()) == {"signup"}
    assert tiny.orders.num_rows == 0


def test_short_window_keeps_events_inside():
    data = DataSection(users=300, start_date=date(2025, 3, 1), end_date=date(2025, 3, 2), seed=3)
    world = generate(data)
    assert pc.min(world.events["timestamp"]).as_py() >= datetime(2025, 3, 1)
    assert pc.max(world.events["timestamp"]).as_py() < datetime(2025, 3, 2)


def test_light_worlds_still_buy():
    light = generate(DataSection(users=500, events_per_user=5, seed=2))
    assert light.orders.num_rows > 0  # sessions keep room for more than the landing event
