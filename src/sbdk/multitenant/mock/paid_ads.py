"""Mock paid-ads sources: campaign -> ad group -> ad hierarchies, and a daily report per ad
with plausible impressions, click-through rates, costs per click and conversion rates. One
hierarchy is drawn per source; each connector then names and types it as its API does."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sbdk.multitenant.mock.world import Campaign, TenantWorld, days, id_base, stream
from sbdk.multitenant.tenants import PaidAdsMock

THEMES = (
    "brand", "prospecting", "retargeting", "spring_sale", "new_arrivals", "lookalike",
    "search_generic", "competitors", "bestsellers", "remarketing_cart",
)  # fmt: skip
# utm_source and utm_medium of the sessions each platform's ads bring.
UTM = {
    "facebook_ads": ("facebook", "paid_social"),
    "instagram_ads": ("instagram", "paid_social"),
    "google_ads": ("google", "cpc"),
    "bing_ads": ("bing", "cpc"),
    "linkedin_ads": ("linkedin", "paid_social"),
    "amazon_ads": ("amazon", "cpc"),
    "tiktok_ads": ("tiktok", "paid_social"),
}
# Per platform: median daily impressions per ad, click-through rate range, cost per click
# range (in the account's currency) and conversion rate range.
PROFILES = {
    "facebook_ads": (1800, (0.006, 0.018), (0.40, 1.60), (0.010, 0.040)),
    "instagram_ads": (1500, (0.004, 0.012), (0.50, 1.80), (0.008, 0.030)),
    "google_ads": (900, (0.020, 0.070), (0.60, 2.50), (0.020, 0.060)),
    "bing_ads": (400, (0.015, 0.050), (0.40, 1.80), (0.020, 0.050)),
    "linkedin_ads": (700, (0.003, 0.009), (3.00, 8.00), (0.010, 0.030)),
    "amazon_ads": (1200, (0.002, 0.008), (0.50, 1.50), (0.080, 0.150)),
    "tiktok_ads": (2500, (0.005, 0.015), (0.20, 1.00), (0.005, 0.020)),
}
STATUSES = ("ACTIVE", "ACTIVE", "ACTIVE", "PAUSED")


@dataclass(frozen=True)
class Hierarchy:
    """One source's campaigns, ad groups, ads and daily stats, before an API names them."""

    campaign_ids: np.ndarray
    campaign_names: list[str]
    campaign_status: np.ndarray
    campaign_budget: np.ndarray  # daily, in the currency
    ad_group_ids: np.ndarray
    ad_group_campaign: np.ndarray  # index into the campaigns
    ad_group_bid: np.ndarray
    ad_ids: np.ndarray
    ad_ad_group: np.ndarray  # index into the ad groups
    ad_status: np.ndarray
    stat_day: np.ndarray  # datetime64[D]
    stat_ad: np.ndarray  # index into the ads
    impressions: np.ndarray
    clicks: np.ndarray
    spend_cents: np.ndarray
    conversions: np.ndarray
    conversion_value_cents: np.ndarray

    def campaign_of_ad(self) -> np.ndarray:
        return self.ad_group_campaign[self.ad_ad_group]


def draw_hierarchy(seed: int, tenant: str, platform: str, mock: PaidAdsMock) -> Hierarchy:
    rng = stream(seed, tenant, platform)
    base = id_base(tenant, platform)
    campaigns = mock.campaigns
    groups = campaigns * mock.ad_groups_per_campaign
    ads = groups * mock.ads_per_ad_group
    themes = rng.permutation(len(THEMES))
    prefix = platform.removesuffix("_ads")
    names = [
        f"{prefix}_{THEMES[themes[i % len(THEMES)]]}_{i // len(THEMES) + 1:02d}"
        for i in range(campaigns)
    ]
    median, ctr_range, cpc_range, cvr_range = PROFILES[platform]

    window_days = days(mock)
    stat_day = np.repeat(window_days, ads)
    stat_ad = np.tile(np.arange(ads), len(window_days))
    # Each ad has its own reach, click-through, cost per click and conversion rate; days vary.
    ad_reach = rng.lognormal(np.log(median), 0.6, ads)
    ad_ctr = rng.uniform(*ctr_range, ads)
    ad_cpc = rng.uniform(*cpc_range, ads)
    ad_cvr = rng.uniform(*cvr_range, ads)
    weekday = (stat_day.astype("int64") + 3) % 7  # 0 = Monday
    day_factor = np.where(weekday >= 5, 0.8, 1.0) * rng.lognormal(0, 0.25, len(stat_day))
    impressions = rng.poisson(ad_reach[stat_ad] * day_factor)
    clicks = rng.binomial(impressions, ad_ctr[stat_ad])
    cost_per_click = ad_cpc[stat_ad] * rng.lognormal(0, 0.15, len(stat_day))
    spend_cents = np.round(clicks * cost_per_click * 100).astype("int64")
    conversions = rng.binomial(clicks, ad_cvr[stat_ad])
    value_cents = np.round(conversions * rng.lognormal(np.log(60), 0.5, len(stat_day)) * 100)

    return Hierarchy(
        campaign_ids=base + np.arange(campaigns),
        campaign_names=names,
        campaign_status=rng.choice(STATUSES, campaigns),
        campaign_budget=np.round(rng.uniform(20, 400, campaigns), 2),
        ad_group_ids=base + 100_000 + np.arange(groups),
        ad_group_campaign=np.repeat(np.arange(campaigns), mock.ad_groups_per_campaign),
        ad_group_bid=np.round(rng.uniform(*cpc_range, groups), 2),
        ad_ids=base + 200_000 + np.arange(ads),
        ad_ad_group=np.repeat(np.arange(groups), mock.ads_per_ad_group),
        ad_status=rng.choice(STATUSES, ads),
        stat_day=stat_day,
        stat_ad=stat_ad,
        impressions=impressions.astype("int64"),
        clicks=clicks.astype("int64"),
        spend_cents=spend_cents,
        conversions=conversions.astype("int64"),
        conversion_value_cents=value_cents.astype("int64"),
    )


def generate(seed: int, world: TenantWorld, platform: str, mock: PaidAdsMock) -> dict[str, dict]:
    """The source's objects as {object: {column: values}}, named as its API names them; its
    campaigns join the tenant's world."""
    h = draw_hierarchy(seed, world.slug, platform, mock)
    campaign_clicks = np.bincount(
        h.campaign_of_ad()[h.stat_ad], weights=h.clicks, minlength=len(h.campaign_ids)
    )
    source, medium = UTM[platform]
    world.campaigns += [
        Campaign(platform, name, source, medium, int(clicks))
        for name, clicks in zip(h.campaign_names, campaign_clicks, strict=True)
    ]
    return _SHAPERS[platform](h, world.slug)


def _money(cents: np.ndarray) -> np.ndarray:
    return cents / 100


def _strs(values: np.ndarray) -> list[str]:
    return [str(v) for v in values.tolist()]


def _created(h: Hierarchy, count: int) -> np.ndarray:
    first_day = h.stat_day[0].astype("datetime64[s]")
    return first_day - np.timedelta64(30, "D") + np.arange(count) * np.timedelta64(3571, "s")


def _meta(h: Hierarchy, tenant: str) -> dict[str, dict]:
    account = str(id_base(tenant, "meta_account"))
    campaign_of_ad = h.campaign_of_ad()
    actions = [
        json.dumps(
            [
                {"action_type": "link_click", "value": str(c)},
                {"action_type": "purchase", "value": str(p)},
            ]
        )
        for c, p in zip(h.clicks.tolist(), h.conversions.tolist(), strict=True)
    ]
    return {
        "campaigns": {
            "id": _strs(h.campaign_ids),
            "account_id": [account] * len(h.campaign_ids),
            "name": h.campaign_names,
            "objective": ["OUTCOME_SALES"] * len(h.campaign_ids),
            "status": h.campaign_status,
            "daily_budget": np.round(h.campaign_budget * 100).astype("int64"),
            "created_time": _created(h, len(h.campaign_ids)),
            "updated_time": _created(h, len(h.campaign_ids)) + np.timedelta64(2, "D"),
        },
        "adsets": {
            "id": _strs(h.ad_group_ids),
            "campaign_id": _strs(h.campaign_ids[h.ad_group_campaign]),
            "account_id": [account] * len(h.ad_group_ids),
            "name": [f"adset_{i + 1:03d}" for i in range(len(h.ad_group_ids))],
            "status": ["ACTIVE"] * len(h.ad_group_ids),
            "optimization_goal": ["OFFSITE_CONVERSIONS"] * len(h.ad_group_ids),
            "billing_event": ["IMPRESSIONS"] * len(h.ad_group_ids),
            "daily_budget": np.round(h.ad_group_bid * 5000).astype("int64"),
            "created_time": _created(h, len(h.ad_group_ids)),
        },
        "ads": {
            "id": _strs(h.ad_ids),
            "adset_id": _strs(h.ad_group_ids[h.ad_ad_group]),
            "campaign_id": _strs(h.campaign_ids[campaign_of_ad]),
            "account_id": [account] * len(h.ad_ids),
            "name": [f"ad_{i + 1:03d}" for i in range(len(h.ad_ids))],
            "status": h.ad_status,
            "creative_id": _strs(h.ad_ids + 500_000),
            "created_time": _created(h, len(h.ad_ids)),
        },
        "ads_insights": {
            "date_start": h.stat_day,
            "ad_id": _strs(h.ad_ids[h.stat_ad]),
            "adset_id": _strs(h.ad_group_ids[h.ad_ad_group[h.stat_ad]]),
            "campaign_id": _strs(h.campaign_ids[campaign_of_ad[h.stat_ad]]),
            "account_id": [account] * len(h.stat_ad),
            "impressions": h.impressions,
            "clicks": h.clicks,
            "reach": np.round(h.impressions * 0.8).astype("int64"),
            "spend": _money(h.spend_cents),
            "actions": actions,
        },
    }


def _google(h: Hierarchy, tenant: str) -> dict[str, dict]:
    customer = id_base(tenant, "google_customer", digits=10)
    campaign_of_ad = h.campaign_of_ad()
    n_c, n_g, n_a, n_s = len(h.campaign_ids), len(h.ad_group_ids), len(h.ad_ids), len(h.stat_ad)
    status = {"ACTIVE": "ENABLED", "PAUSED": "PAUSED"}
    return {
        "campaigns": {
            "campaign_id": h.campaign_ids,
            "customer_id": np.full(n_c, customer),
            "campaign_name": h.campaign_names,
            # One campaign in ten was removed: the default tenants' row_filter leaves it out.
            "campaign_status": [
                "REMOVED" if i % 10 == 9 else status[s] for i, s in enumerate(h.campaign_status)
            ],
            "advertising_channel_type": ["SEARCH"] * n_c,
            "campaign_budget_amount_micros": np.round(h.campaign_budget * 1e6).astype("int64"),
            "campaign_start_date": np.full(n_c, h.stat_day[0]),
        },
        "ad_groups": {
            "ad_group_id": h.ad_group_ids,
            "campaign_id": h.campaign_ids[h.ad_group_campaign],
            "customer_id": np.full(n_g, customer),
            "ad_group_name": [f"ad_group_{i + 1:03d}" for i in range(n_g)],
            "ad_group_status": ["ENABLED"] * n_g,
            "ad_group_cpc_bid_micros": np.round(h.ad_group_bid * 1e6).astype("int64"),
        },
        "ads": {
            "ad_group_ad_ad_id": h.ad_ids,
            "ad_group_id": h.ad_group_ids[h.ad_ad_group],
            "campaign_id": h.campaign_ids[campaign_of_ad],
            "customer_id": np.full(n_a, customer),
            "ad_group_ad_ad_type": ["RESPONSIVE_SEARCH_AD"] * n_a,
            "ad_group_ad_status": [status[s] for s in h.ad_status],
            "ad_group_ad_ad_final_urls": [
                json.dumps([f"https://www.{tenant}.example/landing/{i}"]) for i in range(n_a)
            ],
        },
        "ad_stats": {
            "segments_date": h.stat_day,
            "ad_group_ad_ad_id": h.ad_ids[h.stat_ad],
            "ad_group_id": h.ad_group_ids[h.ad_ad_group[h.stat_ad]],
            "campaign_id": h.campaign_ids[campaign_of_ad[h.stat_ad]],
            "customer_id": np.full(n_s, customer),
            "metrics_impressions": h.impressions,
            "metrics_clicks": h.clicks,
            "metrics_cost_micros": h.spend_cents * 10_000,
            "metrics_conversions": h.conversions.astype("float64"),
            "metrics_conversions_value": _money(h.conversion_value_cents),
        },
    }


def _bing(h: Hierarchy, tenant: str) -> dict[str, dict]:
    account = id_base(tenant, "bing_account", digits=9)
    campaign_of_ad = h.campaign_of_ad()
    n_c, n_g, n_a, n_s = len(h.campaign_ids), len(h.ad_group_ids), len(h.ad_ids), len(h.stat_ad)
    status = {"ACTIVE": "Active", "PAUSED": "Paused"}
    return {
        "campaigns": {
            "id": h.campaign_ids,
            "account_id": np.full(n_c, account),
            "name": h.campaign_names,
            "status": [status[s] for s in h.campaign_status],
            "campaign_type": ["Search"] * n_c,
            "budget_type": ["DailyBudgetStandard"] * n_c,
            "daily_budget": h.campaign_budget,
        },
        "ad_groups": {
            "id": h.ad_group_ids,
            "campaign_id": h.campaign_ids[h.ad_group_campaign],
            "name": [f"ad_group_{i + 1:03d}" for i in range(n_g)],
            "status": ["Active"] * n_g,
            "cpc_bid_amount": h.ad_group_bid,
        },
        "ads": {
            "id": h.ad_ids,
            "ad_group_id": h.ad_group_ids[h.ad_ad_group],
            "type": ["ResponsiveSearch"] * n_a,
            "status": [status[s] for s in h.ad_status],
            "final_urls": [json.dumps([f"https://www.{tenant}.example/b/{i}"]) for i in range(n_a)],
        },
        "ad_performance_report_daily": {
            "time_period": h.stat_day,
            "account_id": np.full(n_s, account),
            "campaign_id": h.campaign_ids[campaign_of_ad[h.stat_ad]],
            "ad_group_id": h.ad_group_ids[h.ad_ad_group[h.stat_ad]],
            "ad_id": h.ad_ids[h.stat_ad],
            "impressions": h.impressions,
            "clicks": h.clicks,
            "spend": _money(h.spend_cents),
            "conversions": h.conversions.astype("float64"),
            "revenue": _money(h.conversion_value_cents),
        },
    }


def _linkedin(h: Hierarchy, tenant: str) -> dict[str, dict]:
    # LinkedIn's levels: the hierarchy's campaigns are campaign groups, its ad groups are
    # campaigns, its ads are creatives; the report is per creative.
    account = f"urn:li:sponsoredAccount:{id_base(tenant, 'linkedin_account', digits=9)}"
    n_c, n_g, n_a = len(h.campaign_ids), len(h.ad_group_ids), len(h.ad_ids)
    creative_urns = [f"urn:li:sponsoredCreative:{i}" for i in h.ad_ids.tolist()]
    return {
        "campaign_groups": {
            "id": h.campaign_ids,
            "account": [account] * n_c,
            "name": h.campaign_names,
            "status": h.campaign_status,
            "run_schedule_start": _created(h, n_c),
        },
        "campaigns": {
            "id": h.ad_group_ids,
            "account": [account] * n_g,
            "campaign_group": [
                f"urn:li:sponsoredCampaignGroup:{i}"
                for i in h.campaign_ids[h.ad_group_campaign].tolist()
            ],
            "name": [
                f"{h.campaign_names[c]}_{i + 1:02d}" for i, c in enumerate(h.ad_group_campaign)
            ],
            "status": ["ACTIVE"] * n_g,
            "type": ["SPONSORED_UPDATES"] * n_g,
            "cost_type": ["CPC"] * n_g,
            "daily_budget_amount": np.round(h.ad_group_bid * 50, 2),
            "daily_budget_currency_code": ["USD"] * n_g,
        },
        "creatives": {
            "id": creative_urns,
            "campaign": [
                f"urn:li:sponsoredCampaign:{i}" for i in h.ad_group_ids[h.ad_ad_group].tolist()
            ],
            "intended_status": h.ad_status,
            "created_at": _created(h, n_a),
        },
        "ad_analytics_by_creative": {
            "day": h.stat_day,
            "creative_id": [creative_urns[i] for i in h.stat_ad.tolist()],
            "campaign_id": h.ad_group_ids[h.ad_ad_group[h.stat_ad]],
            "impressions": h.impressions,
            "clicks": h.clicks,
            "cost_in_local_currency": _money(h.spend_cents),
            "external_website_conversions": h.conversions,
        },
    }


def _amazon(h: Hierarchy, tenant: str) -> dict[str, dict]:
    profile = id_base(tenant, "amazon_profile", digits=15)
    campaign_of_ad = h.campaign_of_ad()
    n_c, n_g = len(h.campaign_ids), len(h.ad_group_ids)
    state = {"ACTIVE": "enabled", "PAUSED": "paused"}
    return {
        "sponsored_products_campaigns": {
            "campaign_id": h.campaign_ids,
            "profile_id": np.full(n_c, profile),
            "name": h.campaign_names,
            "state": [state[s] for s in h.campaign_status],
            "targeting_type": ["AUTO"] * n_c,
            "daily_budget": h.campaign_budget,
            "start_date": np.full(n_c, h.stat_day[0]),
        },
        "sponsored_products_ad_groups": {
            "ad_group_id": h.ad_group_ids,
            "campaign_id": h.campaign_ids[h.ad_group_campaign],
            "name": [f"ad_group_{i + 1:03d}" for i in range(n_g)],
            "state": ["enabled"] * n_g,
            "default_bid": h.ad_group_bid,
        },
        "sponsored_products_product_ads": {
            "ad_id": h.ad_ids,
            "ad_group_id": h.ad_group_ids[h.ad_ad_group],
            "campaign_id": h.campaign_ids[campaign_of_ad],
            "asin": [f"B0{i % 100_000_000:08d}" for i in h.ad_ids.tolist()],
            "sku": [f"SKU-{i % 100_000:05d}" for i in h.ad_ids.tolist()],
            "state": [state[s] for s in h.ad_status],
        },
        "sponsored_products_advertised_product_report": {
            "date": h.stat_day,
            "ad_id": h.ad_ids[h.stat_ad],
            "ad_group_id": h.ad_group_ids[h.ad_ad_group[h.stat_ad]],
            "campaign_id": h.campaign_ids[campaign_of_ad[h.stat_ad]],
            "impressions": h.impressions,
            "clicks": h.clicks,
            "cost": _money(h.spend_cents),
            "purchases14d": h.conversions,
            "sales14d": _money(h.conversion_value_cents),
        },
    }


def _tiktok(h: Hierarchy, tenant: str) -> dict[str, dict]:
    advertiser = id_base(tenant, "tiktok_advertiser", digits=16)
    campaign_of_ad = h.campaign_of_ad()
    n_c, n_g, n_a, n_s = len(h.campaign_ids), len(h.ad_group_ids), len(h.ad_ids), len(h.stat_ad)
    status = {"ACTIVE": "ENABLE", "PAUSED": "DISABLE"}
    return {
        "campaigns": {
            "campaign_id": h.campaign_ids,
            "advertiser_id": np.full(n_c, advertiser),
            "campaign_name": h.campaign_names,
            "objective_type": ["CONVERSIONS"] * n_c,
            "operation_status": [status[s] for s in h.campaign_status],
            "budget": h.campaign_budget,
            "create_time": _created(h, n_c),
        },
        "adgroups": {
            "adgroup_id": h.ad_group_ids,
            "campaign_id": h.campaign_ids[h.ad_group_campaign],
            "advertiser_id": np.full(n_g, advertiser),
            "adgroup_name": [f"adgroup_{i + 1:03d}" for i in range(n_g)],
            "operation_status": ["ENABLE"] * n_g,
            "bid_price": h.ad_group_bid,
        },
        "ads": {
            "ad_id": h.ad_ids,
            "adgroup_id": h.ad_group_ids[h.ad_ad_group],
            "campaign_id": h.campaign_ids[campaign_of_ad],
            "advertiser_id": np.full(n_a, advertiser),
            "ad_name": [f"ad_{i + 1:03d}" for i in range(n_a)],
            "operation_status": [status[s] for s in h.ad_status],
            "landing_page_url": [f"https://www.{tenant}.example/t/{i}" for i in range(n_a)],
        },
        "ad_reports_daily": {
            "stat_time_day": h.stat_day,
            "ad_id": h.ad_ids[h.stat_ad],
            "adgroup_id": h.ad_group_ids[h.ad_ad_group[h.stat_ad]],
            "campaign_id": h.campaign_ids[campaign_of_ad[h.stat_ad]],
            "advertiser_id": np.full(n_s, advertiser),
            "impressions": h.impressions,
            "clicks": h.clicks,
            "spend": _money(h.spend_cents),
            "conversion": h.conversions,
            "total_purchase_value": _money(h.conversion_value_cents),
        },
    }


_SHAPERS: dict[str, Callable[[Hierarchy, str], dict[str, dict]]] = {
    "facebook_ads": _meta,
    "instagram_ads": _meta,
    "google_ads": _google,
    "bing_ads": _bing,
    "linkedin_ads": _linkedin,
    "amazon_ads": _amazon,
    "tiktok_ads": _tiktok,
}
