"""Landing contracts of the paid-ads connectors, v1: campaign -> ad group -> ad, and a daily
report per ad. Column names are the APIs' own (flattened as the usual extractors land them):
Google reports money in micros, Meta and TikTok spend in the account's currency, LinkedIn's
levels are campaign group -> campaign -> creative. Facebook and Instagram both land the Meta
Marketing API's objects, so they share these contracts (and master models)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from sbdk.multitenant.contracts.base import Json, LandingContract, Money

# --- Meta Marketing API (facebook_ads, instagram_ads) ---------------------------------------


class MetaCampaign(LandingContract):
    api, version, object_name = "facebook_ads_api", "v1", "campaigns"
    id: str | None = None
    account_id: str | None = None
    name: str | None = None
    objective: str | None = None
    status: str | None = None
    daily_budget: int | None = None  # in the currency's minor unit, as Meta sends it
    created_time: datetime | None = None
    updated_time: datetime | None = None


class MetaAdSet(LandingContract):
    api, version, object_name = "facebook_ads_api", "v1", "adsets"
    id: str | None = None
    campaign_id: str | None = None
    account_id: str | None = None
    name: str | None = None
    status: str | None = None
    optimization_goal: str | None = None
    billing_event: str | None = None
    daily_budget: int | None = None
    created_time: datetime | None = None


class MetaAd(LandingContract):
    api, version, object_name = "facebook_ads_api", "v1", "ads"
    id: str | None = None
    adset_id: str | None = None
    campaign_id: str | None = None
    account_id: str | None = None
    name: str | None = None
    status: str | None = None
    creative_id: str | None = None
    created_time: datetime | None = None


class MetaAdInsight(LandingContract):
    api, version, object_name = "facebook_ads_api", "v1", "ads_insights"
    date_start: date | None = None
    ad_id: str | None = None
    adset_id: str | None = None
    campaign_id: str | None = None
    account_id: str | None = None
    impressions: int | None = None
    clicks: int | None = None
    reach: int | None = None
    spend: Money | None = None
    actions: Json | None = None  # [{"action_type": "purchase", "value": "3"}, ...]


# --- Google Ads API -------------------------------------------------------------------------


class GoogleCampaign(LandingContract):
    api, version, object_name = "google_ads_api", "v1", "campaigns"
    campaign_id: int | None = None
    customer_id: int | None = None
    campaign_name: str | None = None
    campaign_status: str | None = None
    advertising_channel_type: str | None = None
    campaign_budget_amount_micros: int | None = None
    campaign_start_date: date | None = None


class GoogleAdGroup(LandingContract):
    api, version, object_name = "google_ads_api", "v1", "ad_groups"
    ad_group_id: int | None = None
    campaign_id: int | None = None
    customer_id: int | None = None
    ad_group_name: str | None = None
    ad_group_status: str | None = None
    ad_group_cpc_bid_micros: int | None = None


class GoogleAd(LandingContract):
    api, version, object_name = "google_ads_api", "v1", "ads"
    ad_group_ad_ad_id: int | None = None
    ad_group_id: int | None = None
    campaign_id: int | None = None
    customer_id: int | None = None
    ad_group_ad_ad_type: str | None = None
    ad_group_ad_status: str | None = None
    ad_group_ad_ad_final_urls: Json | None = None


class GoogleAdStats(LandingContract):
    api, version, object_name = "google_ads_api", "v1", "ad_stats"
    segments_date: date | None = None
    ad_group_ad_ad_id: int | None = None
    ad_group_id: int | None = None
    campaign_id: int | None = None
    customer_id: int | None = None
    metrics_impressions: int | None = None
    metrics_clicks: int | None = None
    metrics_cost_micros: int | None = None
    metrics_conversions: float | None = None
    metrics_conversions_value: float | None = None


# --- Microsoft Advertising (bing_ads) -------------------------------------------------------


class BingCampaign(LandingContract):
    api, version, object_name = "bing_ads_api", "v1", "campaigns"
    id: int | None = None
    account_id: int | None = None
    name: str | None = None
    status: str | None = None
    campaign_type: str | None = None
    budget_type: str | None = None
    daily_budget: float | None = None


class BingAdGroup(LandingContract):
    api, version, object_name = "bing_ads_api", "v1", "ad_groups"
    id: int | None = None
    campaign_id: int | None = None
    name: str | None = None
    status: str | None = None
    cpc_bid_amount: float | None = None


class BingAd(LandingContract):
    api, version, object_name = "bing_ads_api", "v1", "ads"
    id: int | None = None
    ad_group_id: int | None = None
    type: str | None = None
    status: str | None = None
    final_urls: Json | None = None


class BingAdPerformance(LandingContract):
    api, version, object_name = "bing_ads_api", "v1", "ad_performance_report_daily"
    time_period: date | None = None
    account_id: int | None = None
    campaign_id: int | None = None
    ad_group_id: int | None = None
    ad_id: int | None = None
    impressions: int | None = None
    clicks: int | None = None
    spend: Money | None = None
    conversions: float | None = None
    revenue: Money | None = None


# --- LinkedIn Marketing API -----------------------------------------------------------------


class LinkedinCampaignGroup(LandingContract):
    api, version, object_name = "linkedin_ads_api", "v1", "campaign_groups"
    id: int | None = None
    account: str | None = None  # an URN: urn:li:sponsoredAccount:<id>
    name: str | None = None
    status: str | None = None
    run_schedule_start: datetime | None = None


class LinkedinCampaign(LandingContract):
    api, version, object_name = "linkedin_ads_api", "v1", "campaigns"
    id: int | None = None
    account: str | None = None
    campaign_group: str | None = None  # urn:li:sponsoredCampaignGroup:<id>
    name: str | None = None
    status: str | None = None
    type: str | None = None
    cost_type: str | None = None
    daily_budget_amount: Money | None = None
    daily_budget_currency_code: str | None = None


class LinkedinCreative(LandingContract):
    api, version, object_name = "linkedin_ads_api", "v1", "creatives"
    id: str | None = None  # urn:li:sponsoredCreative:<id>
    campaign: str | None = None  # urn:li:sponsoredCampaign:<id>
    intended_status: str | None = None
    created_at: datetime | None = None


class LinkedinAdAnalytics(LandingContract):
    api, version, object_name = "linkedin_ads_api", "v1", "ad_analytics_by_creative"
    day: date | None = None
    creative_id: str | None = None
    campaign_id: int | None = None
    impressions: int | None = None
    clicks: int | None = None
    cost_in_local_currency: Money | None = None
    external_website_conversions: int | None = None


# --- Amazon Ads (Sponsored Products) --------------------------------------------------------


class AmazonCampaign(LandingContract):
    api, version, object_name = "amazon_ads_api", "v1", "sponsored_products_campaigns"
    campaign_id: int | None = None
    profile_id: int | None = None
    name: str | None = None
    state: str | None = None
    targeting_type: str | None = None
    daily_budget: Money | None = None
    start_date: date | None = None


class AmazonAdGroup(LandingContract):
    api, version, object_name = "amazon_ads_api", "v1", "sponsored_products_ad_groups"
    ad_group_id: int | None = None
    campaign_id: int | None = None
    name: str | None = None
    state: str | None = None
    default_bid: Money | None = None


class AmazonProductAd(LandingContract):
    api, version, object_name = "amazon_ads_api", "v1", "sponsored_products_product_ads"
    ad_id: int | None = None
    ad_group_id: int | None = None
    campaign_id: int | None = None
    asin: str | None = None
    sku: str | None = None
    state: str | None = None


class AmazonAdvertisedProductReport(LandingContract):
    api, version = "amazon_ads_api", "v1"
    object_name = "sponsored_products_advertised_product_report"
    report_date: date | None = Field(None, alias="date")  # a field named date hides the type
    ad_id: int | None = None
    ad_group_id: int | None = None
    campaign_id: int | None = None
    impressions: int | None = None
    clicks: int | None = None
    cost: Money | None = None
    purchases14d: int | None = None
    sales14d: Money | None = None


# --- TikTok Marketing API -------------------------------------------------------------------


class TiktokCampaign(LandingContract):
    api, version, object_name = "tiktok_ads_api", "v1", "campaigns"
    campaign_id: int | None = None
    advertiser_id: int | None = None
    campaign_name: str | None = None
    objective_type: str | None = None
    operation_status: str | None = None
    budget: Money | None = None
    create_time: datetime | None = None


class TiktokAdGroup(LandingContract):
    api, version, object_name = "tiktok_ads_api", "v1", "adgroups"
    adgroup_id: int | None = None
    campaign_id: int | None = None
    advertiser_id: int | None = None
    adgroup_name: str | None = None
    operation_status: str | None = None
    bid_price: Money | None = None


class TiktokAd(LandingContract):
    api, version, object_name = "tiktok_ads_api", "v1", "ads"
    ad_id: int | None = None
    adgroup_id: int | None = None
    campaign_id: int | None = None
    advertiser_id: int | None = None
    ad_name: str | None = None
    operation_status: str | None = None
    landing_page_url: str | None = None


class TiktokAdReportDaily(LandingContract):
    api, version, object_name = "tiktok_ads_api", "v1", "ad_reports_daily"
    stat_time_day: date | None = None
    ad_id: int | None = None
    adgroup_id: int | None = None
    campaign_id: int | None = None
    advertiser_id: int | None = None
    impressions: int | None = None
    clicks: int | None = None
    spend: Money | None = None
    conversion: int | None = None
    total_purchase_value: Money | None = None
