"""Landing contracts of the shop connectors, v1: orders (line items and refunds nested, as the
APIs return them) and customers, with each API's own names: Shopify's `total_price`,
BigCommerce's `total_inc_tax`, WooCommerce's `total`."""

from __future__ import annotations

from datetime import datetime

from sbdk.multitenant.contracts.base import Json, LandingContract, Money

# --- Shopify Admin API ----------------------------------------------------------------------


class ShopifyOrder(LandingContract):
    api, version, object_name = "shopify_api", "v1", "orders"
    id: int | None = None
    name: str | None = None  # "#1001"
    email: str | None = None
    customer_id: int | None = None
    created_at: datetime | None = None
    processed_at: datetime | None = None
    currency: str | None = None
    subtotal_price: Money | None = None
    total_tax: Money | None = None
    total_price: Money | None = None
    financial_status: str | None = None
    fulfillment_status: str | None = None
    landing_site: str | None = None  # the first page, with its utm_* parameters
    line_items: Json | None = None
    refunds: Json | None = None


class ShopifyCustomer(LandingContract):
    api, version, object_name = "shopify_api", "v1", "customers"
    id: int | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    state: str | None = None
    orders_count: int | None = None
    total_spent: Money | None = None
    created_at: datetime | None = None


# --- BigCommerce API ------------------------------------------------------------------------


class BigcommerceOrder(LandingContract):
    api, version, object_name = "bigcommerce_api", "v1", "orders"
    id: int | None = None
    customer_id: int | None = None
    date_created: datetime | None = None
    status: str | None = None
    currency_code: str | None = None
    subtotal_inc_tax: Money | None = None
    total_tax: Money | None = None
    total_inc_tax: Money | None = None
    refunded_amount: Money | None = None
    billing_address: Json | None = None  # holds the buyer's email
    products: Json | None = None  # the line items
    external_source: str | None = None


class BigcommerceCustomer(LandingContract):
    api, version, object_name = "bigcommerce_api", "v1", "customers"
    id: int | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    customer_group_id: int | None = None
    date_created: datetime | None = None


# --- WooCommerce REST API -------------------------------------------------------------------


class WoocommerceOrder(LandingContract):
    api, version, object_name = "woocommerce_api", "v1", "orders"
    id: int | None = None
    number: str | None = None
    customer_id: int | None = None
    status: str | None = None
    currency: str | None = None
    date_created_gmt: datetime | None = None
    total: Money | None = None
    total_tax: Money | None = None
    billing: Json | None = None  # holds the buyer's email
    line_items: Json | None = None
    refunds: Json | None = None
    meta_data: Json | None = None  # utm_* attribution


class WoocommerceCustomer(LandingContract):
    api, version, object_name = "woocommerce_api", "v1", "customers"
    id: int | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    role: str | None = None
    date_created_gmt: datetime | None = None
