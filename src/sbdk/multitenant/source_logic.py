"""What sbdk knows of each connector beyond its contract, to generate a tenant's models and
tests: the business logic its objects accept from tenants.yaml (and the defaults), and the
raw columns a reconciliation reads (spend, impressions, clicks; orders and revenue) and an
isolation check keys on, independently of the engines."""

from __future__ import annotations

from dataclasses import dataclass

from sbdk.multitenant.mock.product_analytics import EVENT_NAMES
from sbdk.multitenant.tenants import ObjectLogic

DEFAULT_COST_MICROS_DIVISOR = 1_000_000  # Google Ads reports money in micros


@dataclass(frozen=True)
class EventLogic:
    events_object: str
    event_column: str
    conversion_events: tuple[str, ...]
    funnel_steps: tuple[str, ...]


# Product analytics: the column naming the event, and the default conversion and funnel.
EVENTS = {
    tool: EventLogic("events", column, (names[-1],), (names[0], *names[2:]))
    for tool, column, names in (
        ("google_analytics", "event_name", EVENT_NAMES["google_analytics"]),
        ("amplitude", "event_type", EVENT_NAMES["amplitude"]),
        ("mixpanel", "event", EVENT_NAMES["mixpanel"]),
    )
}


# Micros to the currency per row, as the intermediate view does, so sums agree to the cent.
_GOOGLE_SPEND = "cast(round(metrics_cost_micros / {divisor}, 2) as decimal(18, 2))"


@dataclass(frozen=True)
class AdMeasures:
    """Raw columns of a paid-ads source's daily report, and its campaigns' key."""

    report: str
    spend: str  # a SQL expression on the report's columns, {divisor} for micros
    impressions: str
    clicks: str
    ad_key: str  # the column the analytics' ad_id comes from
    campaigns: str
    campaign_key: str


AD_MEASURES = {
    "facebook_ads": AdMeasures("ads_insights", "spend", "impressions", "clicks", "ad_id",
                               "campaigns", "id"),
    "instagram_ads": AdMeasures("ads_insights", "spend", "impressions", "clicks", "ad_id",
                                "campaigns", "id"),
    "google_ads": AdMeasures("ad_stats", _GOOGLE_SPEND,
                             "metrics_impressions", "metrics_clicks", "ad_group_ad_ad_id",
                             "campaigns", "campaign_id"),
    "bing_ads": AdMeasures("ad_performance_report_daily", "spend", "impressions", "clicks",
                           "ad_id", "campaigns", "id"),
    "linkedin_ads": AdMeasures("ad_analytics_by_creative", "cost_in_local_currency",
                               "impressions", "clicks", "creative_id", "campaign_groups", "id"),
    "amazon_ads": AdMeasures("sponsored_products_advertised_product_report", "cost",
                             "impressions", "clicks", "ad_id", "sponsored_products_campaigns",
                             "campaign_id"),
    "tiktok_ads": AdMeasures("ad_reports_daily", "spend", "impressions", "clicks", "ad_id",
                             "campaigns", "campaign_id"),
}  # fmt: skip


@dataclass(frozen=True)
class OrderMeasures:
    orders: str
    order_key: str
    revenue: str  # the order's total, tax included


ORDER_MEASURES = {
    "shopify": OrderMeasures("orders", "id", "total_price"),
    "bigcommerce": OrderMeasures("orders", "id", "total_inc_tax"),
    "woocommerce": OrderMeasures("orders", "id", "total"),
}

# Product analytics: the raw column the analytics' user_pseudo_id comes from.
USER_KEYS = {"google_analytics": "user_pseudo_id", "amplitude": "device_id",
             "mixpanel": "distinct_id"}  # fmt: skip


def cost_micros_divisor(logic: ObjectLogic | None) -> int:
    if logic is None or logic.cost_micros_divisor is None:
        return DEFAULT_COST_MICROS_DIVISOR
    return logic.cost_micros_divisor


def event_logic(tool: str, logic: ObjectLogic | None) -> EventLogic:
    """The tool's events logic with the tenant's conversion events and funnel, if given."""
    default = EVENTS[tool]
    if logic is None:
        return default
    return EventLogic(
        default.events_object,
        default.event_column,
        tuple(logic.conversion_events) or default.conversion_events,
        tuple(logic.funnel_steps) or default.funnel_steps,
    )
