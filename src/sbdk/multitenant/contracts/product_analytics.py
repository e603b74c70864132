"""Landing contracts of the product-analytics connectors, v1: one events table each, as the
tools export them: GA4's BigQuery export flattened (`event_timestamp` in microseconds, the
session in `ga_session_id`), Amplitude's export (`session_id` in epoch milliseconds), and
Mixpanel's export (`time` in epoch seconds, everything else in `properties`)."""

from __future__ import annotations

from datetime import date, datetime

from sbdk.multitenant.contracts.base import Json, LandingContract


class GoogleAnalyticsEvent(LandingContract):
    api, version, object_name = "google_analytics_api", "v1", "events"
    event_date: date | None = None
    event_timestamp: int | None = None  # microseconds since the epoch
    event_name: str | None = None
    user_pseudo_id: str | None = None
    ga_session_id: int | None = None
    ga_session_number: int | None = None
    traffic_source_source: str | None = None
    traffic_source_medium: str | None = None
    traffic_source_name: str | None = None  # the utm campaign
    page_location: str | None = None
    ecommerce_transaction_id: str | None = None
    ecommerce_purchase_revenue: float | None = None


class AmplitudeEvent(LandingContract):
    api, version, object_name = "amplitude_api", "v1", "events"
    uuid: str | None = None
    event_time: datetime | None = None
    event_type: str | None = None
    user_id: str | None = None
    device_id: str | None = None
    session_id: int | None = None  # the session's start, milliseconds since the epoch
    event_properties: Json | None = None
    user_properties: Json | None = None  # utm_source, utm_medium, utm_campaign
    revenue: float | None = None


class MixpanelEvent(LandingContract):
    api, version, object_name = "mixpanel_api", "v1", "events"
    event: str | None = None
    distinct_id: str | None = None
    time: int | None = None  # seconds since the epoch
    insert_id: str | None = None
    properties: Json | None = None  # $current_url, utm_*, order_id, revenue
