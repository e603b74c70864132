"""The categorical distributions of the synthetic world, and small Faker-built pools of names.

Weights are relative; they are normalised where they are used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from faker import Faker

COUNTRIES = {
    "US": 32, "GB": 9, "DE": 8, "IN": 8, "FR": 6, "CA": 5, "BR": 5, "AU": 4, "NL": 3, "ES": 3,
    "IT": 3, "JP": 3, "MX": 3, "SE": 2, "PL": 2, "SG": 2, "NG": 1, "ZA": 1,
}  # fmt: skip

REFERRERS = {
    "organic": 28, "google": 22, "direct": 15, "facebook": 10, "friend_referral": 8,
    "newsletter": 7, "twitter": 5, "linkedin": 5,
}  # fmt: skip

# A session's landing event carries the UTM source of a paid or owned channel, if any.
REFERRER_UTM_SOURCE = {
    "google": "google", "facebook": "facebook", "newsletter": "newsletter",
    "twitter": "twitter", "linkedin": "linkedin",
}  # fmt: skip
RETURN_VISIT_UTM_SOURCES = {
    "": 60,
    "google": 14,
    "newsletter": 12,
    "facebook": 8,
    "twitter": 3,
    "linkedin": 3,
}

EMAIL_DOMAINS = {
    "gmail.com": 38, "outlook.com": 12, "yahoo.com": 10, "hotmail.com": 6, "icloud.com": 6,
    "proton.me": 3, "gmx.de": 2, "fastmail.com": 1,
}  # fmt: skip
COMPANY_EMAIL_SHARE = 0.22

# Median amount and log-normal spread per product category: amounts are right-skewed.
PRODUCT_CATEGORIES = {
    # name: (weight, median amount, sigma)
    "subscription": (35, 29.0, 0.45),
    "addon": (18, 14.0, 0.6),
    "renewal": (17, 99.0, 0.4),
    "course": (12, 79.0, 0.5),
    "template": (12, 24.0, 0.5),
    "consulting": (6, 450.0, 0.7),
}
# The products of each category: (product_id, product_name, list price). An order's first line
# is one of its category's products; its other lines are further products of the same
# category, priced in proportion to their list prices. Every category needs at least
# line_items.MAX_LINES products, so that an order never lists a product twice.
PRODUCT_CATALOG = {
    "subscription": (
        ("SUB-STARTER", "Starter plan, monthly", 19.0),
        ("SUB-TEAM", "Team plan, monthly", 49.0),
        ("SUB-SEAT", "Extra seat, monthly", 9.0),
        ("SUB-STORAGE", "Extra storage 100 GB, monthly", 5.0),
        ("SUB-SUPPORT", "Priority support, monthly", 15.0),
    ),
    "addon": (
        ("ADD-API", "API access pack", 12.0),
        ("ADD-SSO", "Single sign-on", 20.0),
        ("ADD-AUDIT", "Audit log export", 8.0),
        ("ADD-THEMES", "Custom themes", 6.0),
        ("ADD-BACKUP", "Daily backups", 10.0),
    ),
    "renewal": (
        ("REN-STARTER", "Starter plan, annual renewal", 190.0),
        ("REN-TEAM", "Team plan, annual renewal", 490.0),
        ("REN-SEATS", "Extra seats, annual renewal", 90.0),
        ("REN-SUPPORT", "Priority support, annual renewal", 150.0),
        ("REN-STORAGE", "Extra storage, annual renewal", 50.0),
    ),
    "course": (
        ("CRS-SQL", "SQL for analysts", 79.0),
        ("CRS-DBT", "dbt fundamentals", 99.0),
        ("CRS-PY", "Python for data engineering", 129.0),
        ("CRS-VIZ", "Dashboards that get used", 59.0),
        ("CRS-CERT", "Certification exam voucher", 49.0),
    ),
    "template": (
        ("TPL-KPI", "KPI dashboard template", 24.0),
        ("TPL-CRM", "CRM pipeline template", 29.0),
        ("TPL-OKR", "OKR tracker template", 19.0),
        ("TPL-FIN", "Finance model template", 39.0),
        ("TPL-ICONS", "Icon set", 9.0),
    ),
    "consulting": (
        ("CON-HOUR", "Consulting hour", 180.0),
        ("CON-AUDIT", "Data stack audit", 900.0),
        ("CON-WORKSHOP", "Team workshop, half day", 600.0),
        ("CON-SETUP", "Warehouse setup", 1200.0),
        ("CON-REVIEW", "Model code review", 350.0),
    ),
}
# Lines per order, and the quantity of each line after the first (the first has quantity 1).
LINES_PER_ORDER = {1: 50, 2: 28, 3: 14, 4: 8}
EXTRA_LINE_QUANTITY = {1: 70, 2: 20, 3: 10}
# The first line's share of the order amount; the other lines share the rest.
FIRST_LINE_SHARE = (0.55, 0.85)

PAYMENT_METHODS = {"credit_card": 62, "paypal": 24, "gift_card": 6, "wire": 3}
WIRE_SHARE_FOR_LARGE_ORDERS = 0.45
LARGE_ORDER_AMOUNT = 300.0

STATIC_PAGES = {
    "/": 20, "/pricing": 10, "/features": 8, "/docs": 8, "/blog": 6, "/about": 2,
    "/integrations": 4, "/changelog": 2, "/account": 6, "/dashboard": 14,
}  # fmt: skip

# Relative activity by hour of day (UTC) and by weekday (Monday first).
HOUR_OF_DAY_ACTIVITY = np.array(
    [0.25, 0.18, 0.14, 0.12, 0.12, 0.18, 0.35, 0.6, 0.85, 1.0, 1.05, 1.05,
     1.0, 1.05, 1.1, 1.05, 0.95, 0.85, 0.85, 0.95, 1.0, 0.9, 0.65, 0.4]
)  # fmt: skip
WEEKDAY_ACTIVITY = np.array([1.0, 1.06, 1.06, 1.02, 0.94, 0.68, 0.62])


def weights(distribution: dict) -> tuple[list[str], np.ndarray]:
    """Split a {value: weight} mapping into values and probabilities that sum to one."""
    values = list(distribution)
    raw = np.array(
        [w[0] if isinstance(w, tuple) else w for w in distribution.values()], dtype=float
    )
    return values, raw / raw.sum()


@dataclass(frozen=True)
class NamePools:
    first_names: list[str]
    last_names: list[str]
    company_domains: list[str]
    blog_slugs: list[str]


def build_name_pools(seed: int, size: int = 300) -> NamePools:
    """Draw small, de-duplicated pools with Faker; rows then pick from them by index."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return NamePools(
        first_names=_unique(fake.first_name() for _ in range(size * 3 // 2))[:size],
        last_names=_unique(fake.last_name() for _ in range(size * 3 // 2))[:size],
        company_domains=_unique(fake.domain_name() for _ in range(size // 4)),
        blog_slugs=_unique(fake.slug() for _ in range(size // 8)),
    )


def email_local_part(name: str) -> str:
    """Lower-case ASCII letters only, so that generated addresses are valid and predictable."""
    return re.sub(r"[^a-z]", "", name.lower()) or "user"


def _unique(values: Iterable[str]) -> list[str]:
    """Drop repeats, keeping the first occurrence's order (deterministic for a seed)."""
    return list(dict.fromkeys(values))
