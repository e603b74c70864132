"""What every mock source of a tenant draws from: its own seeded random stream, the days of its
window, ids that differ between tenants and platforms, and the campaigns and orders other
sources refer to (a session's utm campaign is one of the tenant's ad campaigns; its purchase
is one of the tenant's shop orders), so that ads -> sessions -> orders join."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from sbdk.multitenant.tenants import MockWindow

SECONDS_PER_DAY = 86_400
EPOCH = date(1970, 1, 1)


def stream(seed: int, *names: str) -> np.random.Generator:
    """A random stream of its own per (seed, names): adding a source never changes another's."""
    digest = hashlib.sha256("/".join([str(seed), *names]).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def id_base(*names: str, digits: int = 12) -> int:
    """A large id offset per (tenant, platform): two tenants' ids do not overlap by chance."""
    digest = hashlib.sha256("/".join(names).encode()).digest()
    span = 10 ** (digits - 1)
    return span + (int.from_bytes(digest[:8], "little") % 8_000) * (span // 10_000)


def days(window: MockWindow) -> np.ndarray:
    """The window's days (inclusive), as numpy datetime64[D]."""
    return np.arange(
        np.datetime64(window.start_date), np.datetime64(window.end_date) + 1, dtype="datetime64[D]"
    )


def epoch_seconds(day: date | datetime) -> int:
    if isinstance(day, datetime):
        return int((day - datetime(1970, 1, 1)).total_seconds())
    return (day - EPOCH).days * SECONDS_PER_DAY


def to_datetimes(seconds: np.ndarray) -> np.ndarray:
    return seconds.astype("datetime64[s]")


def window_seconds(window: MockWindow) -> tuple[int, int]:
    """[start, end) of the window in epoch seconds (the end day included)."""
    return epoch_seconds(window.start_date), epoch_seconds(window.end_date + timedelta(days=1))


@dataclass(frozen=True)
class Campaign:
    platform: str
    name: str  # also the utm_campaign of the sessions it brings
    utm_source: str
    utm_medium: str
    clicks: int  # over the window: the share of paid sessions it brings


@dataclass(frozen=True)
class ShopOrder:
    platform: str
    order_id: str
    created_at: int  # epoch seconds
    total: float
    customer_id: str
    email: str


@dataclass
class TenantWorld:
    """The campaigns and orders a tenant's sources have generated so far."""

    slug: str
    campaigns: list[Campaign] = field(default_factory=list)
    orders: list[ShopOrder] = field(default_factory=list)
