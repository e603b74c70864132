"""Vectorized synthetic users, events and orders: realistic, internally consistent, seeded.

The world it draws:
- users sign up over the window following the activity calendar (growth, weekday and hour
  seasonality); each has a heavy-tailed activity level and a lifetime after which it churns;
- every user's first event is `signup` at `created_at`; later visits are sessions (bursts of
  events seconds to minutes apart) spread over the user's lifetime, opening with `login` or a
  landing `pageview`; events of a user are strictly increasing in time;
- a `purchase` event always has its order, with the same user and timestamp; amounts are
  log-normal per product category; large orders are paid by wire more often; an order's
  line items (a JSON array, see line_items.py) sum to its amount.

Every random choice flows from one numpy Generator seeded by `seed` (line items: from draws
keyed by the seed and the order id), so the same seed and sizes give identical tables; the
orders table, which draws nothing from the Generator, is built on a second thread. Faker
only fills small pools of names and domains.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sbdk.catalogue import STREAMS
from sbdk.config import DataSection
from sbdk.pipelines import vocabulary as vocab
from sbdk.pipelines.calendar import (
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    ActivityCalendar,
    timestamp_column,
)
from sbdk.pipelines.line_items import line_items_column

PAGEVIEW, SIGNUP, PURCHASE, LOGIN = 0, 1, 2, 3
EVENT_TYPES = ("pageview", "signup", "purchase", "login")
EVENT_PAGES = {SIGNUP: "/signup", PURCHASE: "/checkout/complete", LOGIN: "/login"}

ACTIVITY_SIGMA = 1.1  # log-normal spread of users' activity levels: most light, a few heavy
CHURNING_USER_SHARE = 0.7
MEAN_LIFETIME_DAYS = 60  # of users who churn
MAX_SESSION_LENGTH = 60  # events
MAX_MEAN_SESSION_LENGTH = 6.0
MEAN_CLICK_GAP_SECONDS = 75.0
MAX_CLICK_GAP_SECONDS = 20 * 60  # below the default 30-minute session timeout
LOGIN_SHARE_OF_RETURN_VISITS = 0.55
PURCHASE_PROPENSITY = (0.5, 6.0)  # Beta(a, b) per user: many never buy, a few buy often
QUIET_HOURS_AT_WINDOW_END = 6  # sessions start early enough to end inside the window
_USER_STRIDE = 2**36  # separates users when enforcing increasing timestamps in one pass
_LOOKUP_SIZE = 2**16
_BLOCK = 2**20  # rows per block where whole-column temporaries would cost too much


@dataclass(frozen=True)
class SyntheticTables:
    users: pa.Table
    events: pa.Table
    orders: pa.Table

    def by_raw_name(self) -> dict[str, pa.Table]:
        return {stream.raw_table: getattr(self, stream.name) for stream in STREAMS}


def generate(data: DataSection) -> SyntheticTables:
    rng = np.random.default_rng(data.seed)
    pools = vocab.build_name_pools(data.seed)
    calendar = ActivityCalendar(data.start_date, data.end_date)

    session_length = _mean_session_length(data.events_per_user)
    users = _draw_users(rng, calendar, data.users)
    sessions = _draw_sessions(rng, calendar, users, data.events_per_user / session_length)
    events = _draw_events(rng, users, sessions, session_length)
    orders = _draw_orders(rng, events)
    # The orders table draws nothing from `rng` (its line items are keyed draws): it is built
    # on a second thread while this one builds the others (numpy and pyarrow release the GIL).
    with ThreadPoolExecutor(max_workers=1) as worker:
        orders_table = worker.submit(_orders_table, orders, data.seed)
        return SyntheticTables(
            users=_users_table(rng, pools, users),
            events=_events_table(rng, pools, events),
            orders=orders_table.result(),
        )


@dataclass
class _Users:
    count: int
    created_at: np.ndarray  # epoch seconds, non-decreasing with user index
    active_until: np.ndarray  # epoch seconds
    activity: np.ndarray  # relative activity level
    purchase_propensity: np.ndarray
    referrer: np.ndarray  # index into vocab.REFERRERS


@dataclass
class _Sessions:
    user: np.ndarray  # user index per session, sessions grouped by user in time order
    start: np.ndarray  # epoch seconds
    is_first_of_user: np.ndarray


@dataclass
class _Events:
    user: np.ndarray
    at: np.ndarray  # epoch seconds, strictly increasing within a user
    event_type: np.ndarray
    session_utm: np.ndarray  # index into the landing event's UTM pool, -1 for none


@dataclass
class _Orders:
    user: np.ndarray
    event_id: np.ndarray
    at: np.ndarray
    category: np.ndarray
    amount_cents: np.ndarray
    payment_method: np.ndarray


def _draw_users(rng: np.random.Generator, calendar: ActivityCalendar, count: int) -> _Users:
    last_start = calendar.end_seconds - QUIET_HOURS_AT_WINDOW_END * SECONDS_PER_HOUR
    signup_activity = np.sort(rng.uniform(0.0, calendar.to_activity(last_start), count))
    created_at = np.floor(calendar.to_seconds(signup_activity)).astype(np.int64)

    churns = rng.random(count) < CHURNING_USER_SHARE
    lifetime = rng.exponential(MEAN_LIFETIME_DAYS * SECONDS_PER_DAY, count)
    active_until = np.where(
        churns, np.minimum(created_at + lifetime, last_start), last_start
    ).astype(np.int64)

    referrer_p = vocab.weights(vocab.REFERRERS)[1]
    return _Users(
        count=count,
        created_at=created_at,
        active_until=np.maximum(active_until, created_at),
        activity=rng.lognormal(0.0, ACTIVITY_SIGMA, count),
        purchase_propensity=rng.beta(*PURCHASE_PROPENSITY, count),
        referrer=_categorical(rng, referrer_p, count),
    )


def _mean_session_length(events_per_user: float) -> float:
    """Sessions of about six events; light worlds get shorter ones, but at least two events
    where the mean allows, so that visits can lead to purchases."""
    return float(np.clip(events_per_user / 5.0, min(2.0, events_per_user), MAX_MEAN_SESSION_LENGTH))


def _draw_sessions(
    rng: np.random.Generator, calendar: ActivityCalendar, users: _Users, sessions_per_user: float
) -> _Sessions:
    """One signup session per user, plus return visits in proportion to activity x lifetime."""
    start_activity = calendar.to_activity(users.created_at)
    span = calendar.to_activity(users.active_until) - start_activity
    exposure = users.activity * span
    target_sessions = users.count * sessions_per_user
    extra_sessions = max(target_sessions - users.count, 0.0)
    rate = extra_sessions / exposure.sum() if exposure.sum() > 0 else 0.0
    return_visits = rng.poisson(rate * exposure)

    per_user = return_visits + 1
    session_user = np.repeat(np.arange(users.count, dtype=np.int32), per_user)
    first_of_user = np.zeros(len(session_user), dtype=bool)
    first_of_user[np.cumsum(per_user) - per_user] = True

    fractions = _sorted_fractions_per_group(rng, return_visits)
    visit_user = session_user[~first_of_user]
    visit_activity = start_activity[visit_user] + fractions * span[visit_user]
    start = np.empty(len(session_user), dtype=np.int64)
    start[first_of_user] = users.created_at
    start[~first_of_user] = np.floor(calendar.to_seconds(visit_activity)).astype(np.int64)
    return _Sessions(user=session_user, start=start, is_first_of_user=first_of_user)


def _sorted_fractions_per_group(rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
    """Uniform draws in (0, 1), `counts[i]` for group i, ascending inside each group.

    Normalised cumulative sums of exponential spacings are distributed like sorted uniforms,
    which avoids sorting millions of values.
    """
    gaps = rng.standard_exponential(int(counts.sum()) + len(counts))
    running = np.cumsum(gaps)
    group_last = np.cumsum(counts + 1) - 1
    group_first = group_last - counts
    before_group = running[group_first] - gaps[group_first]
    group_total = running[group_last] - before_group
    inside = np.ones(len(gaps), dtype=bool)
    inside[group_last] = False
    return (running[inside] - np.repeat(before_group, counts)) / np.repeat(group_total, counts)


def _draw_events(
    rng: np.random.Generator, users: _Users, sessions: _Sessions, mean_length: float
) -> _Events:
    session_count = len(sessions.user)
    lengths = np.minimum(rng.geometric(1.0 / mean_length, session_count), MAX_SESSION_LENGTH)
    first_event = np.cumsum(lengths) - lengths
    total = int(lengths.sum())

    user = np.repeat(sessions.user, lengths)
    # In place: at tens of millions of events, fresh temporaries cost more than the arithmetic.
    click_gaps = rng.standard_exponential(total, dtype=np.float32)
    click_gaps *= np.float32(MEAN_CLICK_GAP_SECONDS)
    np.clip(click_gaps, 1, MAX_CLICK_GAP_SECONDS, out=click_gaps)
    at = _event_times(click_gaps.astype(np.int64), user, sessions, first_event, lengths)

    signup_event = first_event[sessions.is_first_of_user]
    return_visit_event = first_event[~sessions.is_first_of_user]
    propensity = users.purchase_propensity.astype(np.float32)
    event_type = np.where(
        rng.random(total, dtype=np.float32) < propensity[user], np.int8(PURCHASE), np.int8(PAGEVIEW)
    )
    event_type[return_visit_event] = np.where(
        rng.random(len(return_visit_event)) < LOGIN_SHARE_OF_RETURN_VISITS, LOGIN, PAGEVIEW
    )
    event_type[signup_event] = SIGNUP

    return _Events(
        user=user,
        at=at,
        event_type=event_type,
        session_utm=_landing_utm_sources(
            rng, users, sessions, total, signup_event, return_visit_event
        ),
    )


def _event_times(
    click_gaps: np.ndarray,
    user: np.ndarray,
    sessions: _Sessions,
    first_event: np.ndarray,
    lengths: np.ndarray,
) -> np.ndarray:
    """Each event's time: its session's start plus the click gaps before it in the session,
    pushed forward where visits overlap so each user's events are at least a second apart.

    `max.accumulate(at - i) + i` is the smallest strictly increasing sequence >= `at`; a user
    stride added to each user's events keeps one user's running maximum from leaking into
    the next user's. Both the shift and the times are running sums, so one cumulative sum
    (over `click_gaps`, reused in place) gives `at - i + stride x user` directly: each
    session's first entry jumps from the previous session's last value to its own start.
    """
    click_gaps[first_event] = 0
    seconds_in_session = np.add.reduceat(click_gaps, first_event)
    shift = sessions.user.astype(np.int64) * _USER_STRIDE - first_event
    first_key = sessions.start + shift
    last_key = first_key + seconds_in_session - (lengths - 1)
    steps = click_gaps
    steps -= 1
    steps[first_event] = first_key - np.concatenate(([0], last_key[:-1]))
    key = np.cumsum(steps, out=steps)
    np.maximum.accumulate(key, out=key)
    # Undo the shift in blocks: whole-array temporaries would cost more than the arithmetic.
    for block_start in range(0, len(key), _BLOCK):
        block = slice(block_start, block_start + _BLOCK)
        key[block] -= user[block].astype(np.int64) * _USER_STRIDE
        key[block] += np.arange(block_start, block_start + len(key[block]), dtype=np.int64)
    return key


def _landing_utm_sources(
    rng: np.random.Generator,
    users: _Users,
    sessions: _Sessions,
    event_count: int,
    signup_event: np.ndarray,
    return_visit_event: np.ndarray,
) -> np.ndarray:
    """UTM source of each session's landing event (index into utm_source_pool(), -1 = none)."""
    pool = utm_source_pool()
    referrers = list(vocab.REFERRERS)
    referrer_utm = np.array(
        [pool.index(vocab.REFERRER_UTM_SOURCE[r]) if r in vocab.REFERRER_UTM_SOURCE else -1
         for r in referrers]
    )  # fmt: skip
    utm = np.full(event_count, -1, dtype=np.int8)
    utm[signup_event] = referrer_utm[users.referrer[sessions.user[sessions.is_first_of_user]]]

    sources, probabilities = vocab.weights(vocab.RETURN_VISIT_UTM_SOURCES)
    draw = _categorical(rng, probabilities, len(return_visit_event))
    utm[return_visit_event] = np.array([pool.index(s) if s else -1 for s in sources])[draw]
    return utm


def utm_source_pool() -> list[str]:
    return sorted(
        {*vocab.REFERRER_UTM_SOURCE.values(), *filter(None, vocab.RETURN_VISIT_UTM_SOURCES)}
    )


def _draw_orders(rng: np.random.Generator, events: _Events) -> _Orders:
    purchase = np.flatnonzero(events.event_type == PURCHASE)
    count = len(purchase)
    categories, category_p = vocab.weights(vocab.PRODUCT_CATEGORIES)
    category = _categorical(rng, category_p, count)
    median = np.array([vocab.PRODUCT_CATEGORIES[c][1] for c in categories])[category]
    sigma = np.array([vocab.PRODUCT_CATEGORIES[c][2] for c in categories])[category]
    amount_cents = np.maximum(
        np.rint(median * 100 * np.exp(sigma * rng.standard_normal(count))), 100
    ).astype(np.int64)

    methods, method_p = vocab.weights(vocab.PAYMENT_METHODS)
    payment_method = _categorical(rng, method_p, count)
    pays_by_wire = (amount_cents >= vocab.LARGE_ORDER_AMOUNT * 100) & (
        rng.random(count) < vocab.WIRE_SHARE_FOR_LARGE_ORDERS
    )
    payment_method[pays_by_wire] = methods.index("wire")
    return _Orders(
        user=events.user[purchase],
        event_id=purchase.astype(np.int64) + 1,
        at=events.at[purchase],
        category=category,
        amount_cents=amount_cents,
        payment_method=payment_method,
    )


def _users_table(rng: np.random.Generator, pools: vocab.NamePools, users: _Users) -> pa.Table:
    count = users.count
    first = rng.integers(0, len(pools.first_names), count)
    last = rng.integers(0, len(pools.last_names), count)
    user_id = np.arange(1, count + 1, dtype=np.int64)

    consumer_domains, domain_p = vocab.weights(vocab.EMAIL_DOMAINS)
    domain_pool = consumer_domains + pools.company_domains
    domain = np.where(
        rng.random(count) < vocab.COMPANY_EMAIL_SHARE,
        len(consumer_domains) + rng.integers(0, len(pools.company_domains), count),
        _categorical(rng, domain_p, count),
    )
    first_local = [vocab.email_local_part(n) for n in pools.first_names]
    last_local = [vocab.email_local_part(n) for n in pools.last_names]
    # The user id in the local part makes every address unique without a uniqueness loop.
    email = pc.binary_join_element_wise(
        _strings(first_local, first), ".", _strings(last_local, last),
        pc.cast(pa.array(user_id), pa.string()), "@", _strings(domain_pool, domain), "",
    )  # fmt: skip
    return pa.table(
        {
            "user_id": user_id,
            "name": pc.binary_join_element_wise(
                _strings(pools.first_names, first), _strings(pools.last_names, last), " "
            ),
            "email": email,
            "created_at": timestamp_column(users.created_at),
            "country": _take(list(vocab.COUNTRIES), _choose(rng, vocab.COUNTRIES, count)),
            "referrer": _take(list(vocab.REFERRERS), users.referrer),
        }
    )


def _events_table(rng: np.random.Generator, pools: vocab.NamePools, events: _Events) -> pa.Table:
    count = len(events.user)
    page_pool, page_p = _pageview_pages(pools)
    all_pages = page_pool + list(EVENT_PAGES.values())
    page_index = _categorical(rng, page_p, count)
    page_of_type = np.array(
        [
            all_pages.index(EVENT_PAGES[t]) if t in EVENT_PAGES else -1
            for t in range(len(EVENT_TYPES))
        ]
    )
    not_pageview = events.event_type != PAGEVIEW
    page_index[not_pageview] = page_of_type[events.event_type[not_pageview]]

    utm = events.session_utm
    return pa.table(
        {
            "event_id": np.arange(1, count + 1, dtype=np.int64),
            "user_id": np.add(events.user, 1, dtype=np.int64),
            "event_type": _take(list(EVENT_TYPES), events.event_type),
            "timestamp": timestamp_column(events.at),
            "utm_source": _take(utm_source_pool(), np.maximum(utm, 0), missing=utm < 0),
            "page": _take(all_pages, page_index),
        }
    )


def _orders_table(orders: _Orders, seed: int) -> pa.Table:
    order_id = np.arange(1, len(orders.user) + 1, dtype=np.int64)
    return pa.table(
        {
            "order_id": order_id,
            "user_id": orders.user.astype(np.int64) + 1,
            "event_id": orders.event_id,
            "amount": _decimal_from_cents(orders.amount_cents),
            "product_category": _take(list(vocab.PRODUCT_CATEGORIES), orders.category),
            "payment_method": _take(list(vocab.PAYMENT_METHODS), orders.payment_method),
            "created_at": timestamp_column(orders.at),
            "line_items": line_items_column(seed, order_id, orders.category, orders.amount_cents),
        }
    )


def _pageview_pages(pools: vocab.NamePools) -> tuple[list[str], np.ndarray]:
    pages = dict(vocab.STATIC_PAGES)
    pages.update({f"/blog/{slug}": 0.4 for slug in pools.blog_slugs})
    pages.update({f"/products/{category}": 3 for category in vocab.PRODUCT_CATEGORIES})
    return vocab.weights(pages)


def _choose(rng: np.random.Generator, distribution: dict, size: int) -> np.ndarray:
    return _categorical(rng, vocab.weights(distribution)[1], size)


def _categorical(rng: np.random.Generator, probabilities: np.ndarray, size: int) -> np.ndarray:
    """Indices drawn with the given probabilities (resolution 1/65536), via a lookup table.

    Several times faster than `rng.choice(p=...)`, which matters at tens of millions of rows.
    """
    cumulative = np.cumsum(probabilities)
    table = np.searchsorted(
        cumulative, (np.arange(_LOOKUP_SIZE) + 0.5) / _LOOKUP_SIZE, side="right"
    )
    table = np.minimum(table, len(probabilities) - 1).astype(np.int16)
    return table[rng.integers(0, _LOOKUP_SIZE, size, dtype=np.uint16)]


def _take(pool: list[str], index: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """A dictionary-encoded string column: no per-row string copies, loads as VARCHAR."""
    indices = pa.array(index.astype(np.int16, copy=False), mask=missing)
    return pa.DictionaryArray.from_arrays(indices, pa.array(pool, pa.string()))


def _strings(pool: list[str], index: np.ndarray) -> pa.Array:
    """A plain string column, for values that are combined further (names, emails)."""
    return pa.array(pool, pa.string()).take(pa.array(index))


def _decimal_from_cents(cents: np.ndarray) -> pa.Array:
    """Exact DECIMAL(12,2) built from integer cents (a decimal128 is the unscaled 128-bit int)."""
    words = np.empty((len(cents), 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = np.where(cents < 0, -1, 0)
    return pa.Array.from_buffers(
        pa.decimal128(12, 2), len(cents), [None, pa.py_buffer(words.tobytes())]
    )
