"""Mock shop sources: customers, and orders with line items drawn from a product catalogue,
taxes, and refunds (full or partial). Each connector names and nests them as its API does:
Shopify's `total_price` and `refunds`, BigCommerce's `total_inc_tax` and `products`,
WooCommerce's `total` and `line_items`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sbdk.multitenant.mock.world import (
    ShopOrder,
    TenantWorld,
    id_base,
    stream,
    to_datetimes,
    window_seconds,
)
from sbdk.multitenant.tenants import EcommerceMock
from sbdk.pipelines.vocabulary import PRODUCT_CATALOG, build_name_pools, email_local_part

TAX_RATE = 0.08
PRODUCTS = [product for products in PRODUCT_CATALOG.values() for product in products]
# Of the orders: paid, refunded in full, refunded in part, still pending.
FINANCIAL_STATUSES = ("paid", "refunded", "partially_refunded", "pending")
FINANCIAL_WEIGHTS = (0.86, 0.05, 0.04, 0.05)
CURRENCY = "USD"


@dataclass(frozen=True)
class Orders:
    ids: np.ndarray
    customer: np.ndarray  # index into the customers
    created_at: np.ndarray  # epoch seconds
    subtotal_cents: np.ndarray
    tax_cents: np.ndarray
    total_cents: np.ndarray
    status: np.ndarray  # FINANCIAL_STATUSES
    refund_cents: np.ndarray
    line_items: list[list[dict]]


@dataclass(frozen=True)
class Customers:
    ids: np.ndarray
    first_names: list[str]
    last_names: list[str]
    emails: list[str]
    created_at: np.ndarray  # epoch seconds


def draw(seed: int, tenant: str, platform: str, mock: EcommerceMock) -> tuple[Customers, Orders]:
    rng = stream(seed, tenant, platform)
    base = id_base(tenant, platform, digits=9)
    start, end = window_seconds(mock)
    pools = build_name_pools(seed, size=120)
    first = rng.integers(0, len(pools.first_names), mock.customers)
    last = rng.integers(0, len(pools.last_names), mock.customers)
    first_names = [pools.first_names[i] for i in first.tolist()]
    last_names = [pools.last_names[i] for i in last.tolist()]
    domain = f"{tenant.replace('_', '-')}-mail.example"
    emails = [
        f"{email_local_part(first)}.{email_local_part(last)}{i}@{domain}"
        for i, (first, last) in enumerate(zip(first_names, last_names, strict=True))
    ]
    customers = Customers(
        ids=base + np.arange(mock.customers),
        first_names=first_names,
        last_names=last_names,
        emails=emails,
        created_at=start - rng.integers(0, 365 * 86_400, mock.customers),
    )

    # A few customers buy often: a Zipf-like choice of buyer per order.
    popularity = rng.pareto(1.2, mock.customers) + 1
    buyer = rng.choice(mock.customers, mock.orders, p=popularity / popularity.sum())
    created = np.sort(rng.integers(start, end, mock.orders))
    lines = rng.choice([1, 2, 3, 4], mock.orders, p=[0.5, 0.28, 0.14, 0.08])
    product = rng.integers(0, len(PRODUCTS), int(lines.sum()))
    quantity = rng.choice([1, 2, 3], int(lines.sum()), p=[0.7, 0.2, 0.1])
    price_cents = np.array([round(PRODUCTS[p][2] * 100) for p in product.tolist()])
    line_cents = price_cents * quantity
    order_of_line = np.repeat(np.arange(mock.orders), lines)
    subtotal = np.bincount(order_of_line, weights=line_cents, minlength=mock.orders).astype("int64")
    tax = np.round(subtotal * TAX_RATE).astype("int64")
    total = subtotal + tax
    status = rng.choice(FINANCIAL_STATUSES, mock.orders, p=FINANCIAL_WEIGHTS)
    refund = np.where(
        status == "refunded",
        total,
        np.where(status == "partially_refunded", np.round(total * rng.uniform(0.1, 0.5)), 0),
    ).astype("int64")

    items: list[list[dict]] = [[] for _ in range(mock.orders)]
    for line, (order, p, q, cents) in enumerate(
        zip(order_of_line.tolist(), product.tolist(), quantity.tolist(), price_cents.tolist(),
            strict=True)
    ):  # fmt: skip
        sku, title, _ = PRODUCTS[p]
        items[order].append(
            {"id": base * 10 + line, "sku": sku, "title": title, "quantity": q,
             "price": f"{cents / 100:.2f}"}
        )  # fmt: skip
    orders = Orders(
        ids=base + 500_000 + np.arange(mock.orders),
        customer=buyer,
        created_at=created,
        subtotal_cents=subtotal,
        tax_cents=tax,
        total_cents=total,
        status=status,
        refund_cents=refund,
        line_items=items,
    )
    return customers, orders


def generate(seed: int, world: TenantWorld, platform: str, mock: EcommerceMock) -> dict[str, dict]:
    """The shop's customers and orders as its API names them; its orders join the world."""
    customers, orders = draw(seed, world.slug, platform, mock)
    world.orders += [
        ShopOrder(platform, str(order_id), created, total / 100, str(customers.ids[c]),
                  customers.emails[c])
        for order_id, created, total, c in zip(
            orders.ids.tolist(), orders.created_at.tolist(), orders.total_cents.tolist(),
            orders.customer.tolist(), strict=True,
        )
    ]  # fmt: skip
    return _SHAPERS[platform](customers, orders)


def _refunds(orders: Orders) -> list[str]:
    return [
        json.dumps([{"id": int(i) * 7, "amount": f"{cents / 100:.2f}"}] if cents else [])
        for i, cents in zip(orders.ids.tolist(), orders.refund_cents.tolist(), strict=True)
    ]


def _shopify(customers: Customers, orders: Orders) -> dict[str, dict]:
    spent = np.bincount(
        orders.customer, weights=orders.total_cents - orders.refund_cents,
        minlength=len(customers.ids),
    )  # fmt: skip
    counts = np.bincount(orders.customer, minlength=len(customers.ids))
    return {
        "orders": {
            "id": orders.ids,
            "name": [f"#{1000 + i}" for i in range(len(orders.ids))],
            "email": [customers.emails[c] for c in orders.customer.tolist()],
            "customer_id": customers.ids[orders.customer],
            "created_at": to_datetimes(orders.created_at),
            "processed_at": to_datetimes(orders.created_at + 45),
            "currency": [CURRENCY] * len(orders.ids),
            "subtotal_price": orders.subtotal_cents / 100,
            "total_tax": orders.tax_cents / 100,
            "total_price": orders.total_cents / 100,
            "financial_status": orders.status,
            "fulfillment_status": np.where(orders.status == "pending", None, "fulfilled"),
            "landing_site": ["/"] * len(orders.ids),
            "line_items": [json.dumps(items) for items in orders.line_items],
            "refunds": _refunds(orders),
        },
        "customers": {
            "id": customers.ids,
            "email": customers.emails,
            "first_name": customers.first_names,
            "last_name": customers.last_names,
            "state": ["enabled"] * len(customers.ids),
            "orders_count": counts,
            "total_spent": spent / 100,
            "created_at": to_datetimes(customers.created_at),
        },
    }


_BIGCOMMERCE_STATUS = {
    "paid": "Completed", "refunded": "Refunded", "partially_refunded": "Partially Refunded",
    "pending": "Awaiting Payment",
}  # fmt: skip


def _bigcommerce(customers: Customers, orders: Orders) -> dict[str, dict]:
    return {
        "orders": {
            "id": orders.ids,
            "customer_id": customers.ids[orders.customer],
            "date_created": to_datetimes(orders.created_at),
            "status": [_BIGCOMMERCE_STATUS[s] for s in orders.status],
            "currency_code": [CURRENCY] * len(orders.ids),
            "subtotal_inc_tax": orders.total_cents / 100,
            "total_tax": orders.tax_cents / 100,
            "total_inc_tax": orders.total_cents / 100,
            "refunded_amount": orders.refund_cents / 100,
            "billing_address": [
                json.dumps({"email": customers.emails[c], "country_iso2": "US"})
                for c in orders.customer.tolist()
            ],
            "products": [
                json.dumps(
                    [
                        {
                            "product_id": i["id"],
                            "sku": i["sku"],
                            "name": i["title"],
                            "quantity": i["quantity"],
                            "price_inc_tax": i["price"],
                        }
                        for i in items
                    ]
                )  # fmt: skip
                for items in orders.line_items
            ],
            "external_source": ["www"] * len(orders.ids),
        },
        "customers": {
            "id": customers.ids,
            "email": customers.emails,
            "first_name": customers.first_names,
            "last_name": customers.last_names,
            "customer_group_id": np.zeros(len(customers.ids), dtype="int64"),
            "date_created": to_datetimes(customers.created_at),
        },
    }


_WOOCOMMERCE_STATUS = {
    "paid": "completed", "refunded": "refunded", "partially_refunded": "completed",
    "pending": "pending",
}  # fmt: skip


def _woocommerce(customers: Customers, orders: Orders) -> dict[str, dict]:
    return {
        "orders": {
            "id": orders.ids,
            "number": [str(i) for i in orders.ids.tolist()],
            "customer_id": customers.ids[orders.customer],
            "status": [_WOOCOMMERCE_STATUS[s] for s in orders.status],
            "currency": [CURRENCY] * len(orders.ids),
            "date_created_gmt": to_datetimes(orders.created_at),
            "total": orders.total_cents / 100,
            "total_tax": orders.tax_cents / 100,
            "billing": [
                json.dumps({"email": customers.emails[c], "country": "US"})
                for c in orders.customer.tolist()
            ],
            "line_items": [json.dumps(items) for items in orders.line_items],
            "refunds": [
                json.dumps([{"id": int(i) * 7, "total": f"-{cents / 100:.2f}"}] if cents else [])
                for i, cents in zip(orders.ids.tolist(), orders.refund_cents.tolist(), strict=True)
            ],
            "meta_data": ["[]"] * len(orders.ids),
        },
        "customers": {
            "id": customers.ids,
            "email": customers.emails,
            "first_name": customers.first_names,
            "last_name": customers.last_names,
            "role": ["customer"] * len(customers.ids),
            "date_created_gmt": to_datetimes(customers.created_at),
        },
    }


_SHAPERS: dict[str, Callable[[Customers, Orders], dict[str, dict]]] = {
    "shopify": _shopify,
    "bigcommerce": _bigcommerce,
    "woocommerce": _woocommerce,
}
