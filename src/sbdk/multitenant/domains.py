"""The canonical contract of each domain's analytics: the columns and types every engine maps
its connector onto, and so the columns of every tenant's star schema (the dbt contracts of
`fct_<tenant>__*` and `dim_<tenant>__campaigns` are generated from these, identical across
tenants). `source_platform` says which source a row comes from."""

from __future__ import annotations

from dataclasses import dataclass

from sbdk.multitenant.connectors import Domain


@dataclass(frozen=True)
class AnalyticsTable:
    name: str  # fct_<tenant>__<name> or dim_<tenant>__<name>
    kind: str  # fct | dim
    domain: Domain
    factory: str  # the macro that builds it from the tenant's sources
    columns: tuple[tuple[str, str], ...]
    keys: tuple[str, ...]  # unique together
    description: str

    def model(self, tenant: str) -> str:
        return f"{self.kind}_{tenant}__{self.name}"


AD_PERFORMANCE = AnalyticsTable(
    "ad_performance", "fct", Domain.PAID_ADS, "build_fct_ad_performance",
    (
        ("source_platform", "VARCHAR"), ("report_date", "DATE"), ("campaign_id", "VARCHAR"),
        ("ad_group_id", "VARCHAR"), ("ad_id", "VARCHAR"), ("spend", "DECIMAL(18,2)"),
        ("impressions", "BIGINT"), ("clicks", "BIGINT"), ("conversions", "DOUBLE"),
    ),
    ("source_platform", "report_date", "ad_id"),
    "One row per ad and day, from every paid-ads source of the tenant: spend in the "
    "account's currency, impressions, clicks and conversions as the platform reports them.",
)  # fmt: skip
CAMPAIGNS = AnalyticsTable(
    "campaigns", "dim", Domain.PAID_ADS, "build_dim_campaigns",
    (
        ("source_platform", "VARCHAR"), ("campaign_id", "VARCHAR"),
        ("campaign_name", "VARCHAR"), ("campaign_status", "VARCHAR"),
    ),
    ("source_platform", "campaign_id"),
    "One row per campaign of every paid-ads source of the tenant; campaign_name is also the "
    "utm_campaign of the sessions it brings (fct sessions' traffic_campaign). Status is "
    "active, paused or removed.",
)  # fmt: skip
ORDERS = AnalyticsTable(
    "orders", "fct", Domain.ECOMMERCE, "build_fct_orders",
    (
        ("source_platform", "VARCHAR"), ("order_id", "VARCHAR"), ("order_date", "DATE"),
        ("total_price", "DECIMAL(18,2)"), ("currency", "VARCHAR"),
        ("financial_status", "VARCHAR"), ("customer_email", "VARCHAR"),
        ("customer_id", "VARCHAR"), ("line_items_json", "JSON"),
    ),
    ("source_platform", "order_id"),
    "One row per order of every shop of the tenant; total_price includes tax; "
    "financial_status is paid, pending, refunded or partially_refunded.",
)  # fmt: skip
SESSIONS = AnalyticsTable(
    "sessions", "fct", Domain.PRODUCT_ANALYTICS, "build_fct_sessions",
    (
        ("source_platform", "VARCHAR"), ("session_id", "VARCHAR"),
        ("user_pseudo_id", "VARCHAR"), ("session_start_ts", "TIMESTAMP"),
        ("session_end_ts", "TIMESTAMP"), ("traffic_source", "VARCHAR"),
        ("traffic_medium", "VARCHAR"), ("traffic_campaign", "VARCHAR"),
        ("is_conversion_session", "BOOLEAN"), ("session_revenue", "DECIMAL(18,2)"),
    ),
    ("source_platform", "session_id"),
    "One row per session of every product-analytics source of the tenant: its traffic "
    "source (traffic_campaign is the ad campaign's name for paid traffic), whether it "
    "converted (the tenant's conversion events) and the revenue of its conversions.",
)  # fmt: skip

ANALYTICS_TABLES = (AD_PERFORMANCE, CAMPAIGNS, ORDERS, SESSIONS)
