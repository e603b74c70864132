"""Mock product-analytics sources: events in sessions. A session comes from one of the tenant's
ad campaigns (weighted by the clicks each had), from organic search, email or direct; it goes
some way down the funnel; and a converting session ends with the purchase of one of the
tenant's shop orders (its id and revenue), minutes before the order was placed."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sbdk.multitenant.mock.world import TenantWorld, id_base, stream, window_seconds
from sbdk.multitenant.tenants import ProductAnalyticsMock

# Each connector's names for the funnel: session start, page view, then the steps a session
# takes in order; the last is the purchase.
EVENT_NAMES = {
    "google_analytics": (
        "session_start", "page_view", "view_item", "add_to_cart", "begin_checkout", "purchase",
    ),
    "amplitude": (
        "session_start", "page_viewed", "product_viewed", "cart_updated", "checkout_started",
        "order_completed",
    ),
    "mixpanel": (
        "Session Start", "Page Viewed", "Product Viewed", "Added To Cart", "Checkout Started",
        "Order Completed",
    ),
}  # fmt: skip
PAID_SHARE = 0.55  # of the sessions, when the tenant runs ads
ORGANIC = (("google", "organic"), ("(direct)", "(none)"), ("newsletter", "email"))
ORGANIC_WEIGHTS = (0.5, 0.35, 0.15)
TRACKED_ORDER_SHARE = 0.7  # orders whose session the analytics tool saw
# How far a session that does not buy goes: page view only, item, cart, checkout.
DEPTH_WEIGHTS = (0.45, 0.30, 0.15, 0.10)


@dataclass(frozen=True)
class Events:
    """One row per event, before a tool names it."""

    session: np.ndarray  # index of the session
    step: np.ndarray  # index into EVENT_NAMES[tool]
    at_us: np.ndarray  # microseconds since the epoch
    user: np.ndarray  # index of the user
    session_start_us: np.ndarray  # per session
    session_number: np.ndarray  # per session: the user's n-th session
    source: list[str]  # per session
    medium: list[str]
    campaign: list[str | None]
    order_id: list[str | None]  # per session: the order it bought
    revenue: np.ndarray  # per session


def draw(seed: int, world: TenantWorld, tool: str, mock: ProductAnalyticsMock) -> Events:
    rng = stream(seed, world.slug, tool)
    start, end = window_seconds(mock)
    in_window = [o for o in world.orders if start + 3600 <= o.created_at < end]
    bought = [o for o in in_window if rng.random() < TRACKED_ORDER_SHARE][: mock.sessions]
    sessions = mock.sessions
    converting = len(bought)

    users = max(1, int(sessions * 0.6))
    user = rng.integers(0, users, sessions)
    # The same customer is the same user in the analytics tool.
    for i, order in enumerate(bought):
        user[i] = int(order.customer_id) % users
    starts = rng.integers(start, end - 3600, sessions)
    if converting:
        starts[:converting] = [o.created_at for o in bought] - rng.integers(120, 1800, converting)
    start_us = starts * 1_000_000 + np.arange(sessions) % 1_000_000

    depth = np.concatenate([
        np.full(converting, 4), rng.choice(4, sessions - converting, p=DEPTH_WEIGHTS)
    ])  # fmt: skip
    per_session = depth + 2  # session start and the first page view, then the funnel steps
    session = np.repeat(np.arange(sessions), per_session)
    offset = np.arange(len(session)) - np.repeat(np.cumsum(per_session) - per_session, per_session)
    gaps_us = (rng.exponential(45, len(session)) * 1_000_000).astype("int64") + 1
    gaps_us[offset == 0] = 0
    at_us = start_us[session] + _cumsum_within(gaps_us, per_session)
    step = offset  # session start, page view, then the funnel steps (5: the purchase)

    source, medium, campaign = _traffic(rng, world, sessions)
    order = np.argsort(start_us, kind="stable")
    number = np.zeros(sessions, dtype="int64")
    number[order] = _running_count(user[order])
    return Events(
        session=session,
        step=step,
        at_us=at_us,
        user=user,
        session_start_us=start_us,
        session_number=number,
        source=source,
        medium=medium,
        campaign=campaign,
        order_id=[o.order_id for o in bought] + [None] * (sessions - converting),
        revenue=np.array([o.total for o in bought] + [0.0] * (sessions - converting)),
    )


def _cumsum_within(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    starts = np.cumsum(lengths) - lengths
    return total - np.repeat(total[starts] - values[starts], lengths)


def _running_count(keys: np.ndarray) -> np.ndarray:
    """1, 2, 3... per key, in the order given."""
    counts: dict[int, int] = {}
    result = np.empty(len(keys), dtype="int64")
    for i, key in enumerate(keys.tolist()):
        counts[key] = counts.get(key, 0) + 1
        result[i] = counts[key]
    return result


def _traffic(rng: np.random.Generator, world: TenantWorld, sessions: int):
    campaigns = world.campaigns
    clicks = np.array([max(c.clicks, 1) for c in campaigns], dtype=float)
    paid = rng.random(sessions) < (PAID_SHARE if campaigns else 0.0)
    which = rng.choice(len(campaigns), sessions, p=clicks / clicks.sum()) if campaigns else None
    organic = rng.choice(len(ORGANIC), sessions, p=ORGANIC_WEIGHTS)
    source, medium, campaign = [], [], []
    for i in range(sessions):
        if paid[i]:
            chosen = campaigns[which[i]]
            source.append(chosen.utm_source)
            medium.append(chosen.utm_medium)
            campaign.append(chosen.name)
        else:
            s, m = ORGANIC[organic[i]]
            source.append(s)
            medium.append(m)
            campaign.append(None)
    return source, medium, campaign


def generate(
    seed: int, world: TenantWorld, tool: str, mock: ProductAnalyticsMock
) -> dict[str, dict]:
    events = draw(seed, world, tool, mock)
    return {"events": _SHAPERS[tool](events, world.slug, id_base(world.slug, tool))}


def _page(tenant: str, events: Events) -> list[str]:
    pages = ("/", "/", "/products/item", "/cart", "/checkout", "/checkout/thank-you")
    host = f"https://www.{tenant.replace('_', '-')}.example"
    return [host + pages[s] for s in events.step.tolist()]


def _google_analytics(events: Events, tenant: str, base: int) -> dict:
    names = EVENT_NAMES["google_analytics"]
    s = events.session
    purchase = events.step == 5
    order_ids = np.array(events.order_id, dtype=object)[s]
    return {
        "event_date": (events.at_us // 1_000_000).astype("datetime64[s]").astype("datetime64[D]"),
        "event_timestamp": events.at_us,
        "event_name": [names[i] for i in events.step.tolist()],
        "user_pseudo_id": [f"{base + u}.{1_700_000_000 + u}" for u in events.user[s].tolist()],
        "ga_session_id": events.session_start_us[s] // 1_000_000,
        "ga_session_number": events.session_number[s],
        "traffic_source_source": [events.source[i] for i in s.tolist()],
        "traffic_source_medium": [events.medium[i] for i in s.tolist()],
        "traffic_source_name": [events.campaign[i] for i in s.tolist()],
        "page_location": _page(tenant, events),
        "ecommerce_transaction_id": np.where(purchase, order_ids, None),
        "ecommerce_purchase_revenue": np.where(purchase, events.revenue[s], np.nan),
    }


def _amplitude(events: Events, tenant: str, base: int) -> dict:
    names = EVENT_NAMES["amplitude"]
    s = events.session.tolist()
    steps = events.step.tolist()
    seed_uuid = uuid.UUID(int=base)
    pages = _page(tenant, events)
    return {
        "uuid": [str(uuid.uuid5(seed_uuid, str(i))) for i in range(len(s))],
        "event_time": (events.at_us // 1000).astype("datetime64[ms]"),
        "event_type": [names[i] for i in steps],
        "user_id": [f"user_{base + u}" for u in events.user[events.session].tolist()],
        "device_id": [f"device_{base + u}" for u in events.user[events.session].tolist()],
        "session_id": events.session_start_us[events.session] // 1000,
        "event_properties": [
            json.dumps(
                {"order_id": events.order_id[i], "revenue": events.revenue[i], "page": page}
                if step == 5
                else {"page": page}
            )  # fmt: skip
            for i, step, page in zip(s, steps, pages, strict=True)
        ],
        "user_properties": [
            json.dumps(
                {
                    "utm_source": events.source[i],
                    "utm_medium": events.medium[i],
                    "utm_campaign": events.campaign[i],
                }
            )  # fmt: skip
            for i in s
        ],
        "revenue": np.where(events.step == 5, events.revenue[events.session], np.nan),
    }


def _mixpanel(events: Events, tenant: str, base: int) -> dict:
    names = EVENT_NAMES["mixpanel"]
    s = events.session.tolist()
    steps = events.step.tolist()
    pages = _page(tenant, events)
    properties = []
    for i, step, page in zip(s, steps, pages, strict=True):
        values = {
            "$current_url": page, "session_id": str(base + i), "utm_source": events.source[i],
            "utm_medium": events.medium[i], "utm_campaign": events.campaign[i],
        }  # fmt: skip
        if step == 5:
            values |= {"order_id": events.order_id[i], "revenue": events.revenue[i]}
        properties.append(json.dumps(values))
    return {
        "event": [names[i] for i in steps],
        "distinct_id": [f"{base + u}" for u in events.user[events.session].tolist()],
        "time": events.at_us // 1_000_000,
        "insert_id": [f"{base:x}-{i}" for i in range(len(s))],
        "properties": properties,
    }


_SHAPERS: dict[str, Callable[[Events, str, int], dict]] = {
    "google_analytics": _google_analytics,
    "amplitude": _amplitude,
    "mixpanel": _mixpanel,
}
