"""The tenants' mock sources: shaped by their contracts, seeded, and joinable across sources."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pyarrow.compute as pc
import pytest

from sbdk.multitenant import mock
from sbdk.multitenant.connectors import Domain
from sbdk.multitenant.platform import load_platform

TEMPLATE = Path(str(resources.files("sbdk") / "templates" / "multitenant" / "project"))


@pytest.fixture(scope="module")
def platform():
    return load_platform(TEMPLATE)


@pytest.fixture(scope="module")
def generated(platform):
    return mock.generate(platform, seed=42).tables


def test_every_source_table_is_generated_with_its_contracts_columns(platform, generated):
    assert set(generated) == set(platform.source_tables())
    for table, data in generated.items():
        assert data.column_names == list(table.contract.columns()), table.name
        assert data.num_rows > 0, table.name


def test_the_same_seed_gives_identical_tables_and_another_seed_other_ones(platform, generated):
    again = mock.generate(platform, seed=42).tables
    assert all(again[table].equals(data) for table, data in generated.items())
    other = mock.generate(platform, seed=7).tables
    differing = [table for table, data in generated.items() if not other[table].equals(data)]
    assert len(differing) == len(generated)


def test_primary_keys_are_unique(generated):
    for table, data in generated.items():
        keys = data.select(table.primary_key).group_by(table.primary_key).aggregate([])
        assert keys.num_rows == data.num_rows, table.name


def test_ads_have_plausible_click_through_and_costs(generated):
    for table, data in generated.items():
        if table.platform == "google_ads" and table.object_name == "ad_stats":
            impressions = pc.sum(data["metrics_impressions"]).as_py()
            clicks = pc.sum(data["metrics_clicks"]).as_py()
            cost = pc.sum(data["metrics_cost_micros"]).as_py() / 1e6
            assert 0.01 < clicks / impressions < 0.1
            assert 0.3 < cost / clicks < 3.0


def _column(generated, tenant, platform, object_name, column):
    for table, data in generated.items():
        if (table.tenant, table.platform, table.object_name) == (tenant, platform, object_name):
            return data[column].to_pylist()
    raise KeyError((tenant, platform, object_name))


def test_sessions_come_from_the_tenants_campaigns_and_buy_its_orders(platform, generated):
    campaigns = set()
    for name in platform.platforms_of(platform.active_tenants[0], Domain.PAID_ADS):
        object_name = "campaign_groups" if name == "linkedin_ads" else "campaigns"
        column = {"google_ads": "campaign_name", "tiktok_ads": "campaign_name"}.get(name, "name")
        campaigns |= set(_column(generated, "tyrell_corp", name, object_name, column))
    utm = {c for c in _column(generated, "tyrell_corp", "google_analytics", "events",
                              "traffic_source_name") if c}  # fmt: skip
    assert utm and utm <= campaigns
    orders = {str(i) for i in _column(generated, "tyrell_corp", "shopify", "orders", "id")}
    bought = {t for t in _column(generated, "tyrell_corp", "google_analytics", "events",
                                 "ecommerce_transaction_id") if t}  # fmt: skip
    assert bought and bought <= orders


def test_wayne_sessions_buy_orders_of_both_its_shops(generated):
    properties = _column(generated, "wayne_enterprises", "amplitude", "events", "event_properties")
    bought = {json.loads(p).get("order_id") for p in properties} - {None}
    woo = {str(i) for i in _column(generated, "wayne_enterprises", "woocommerce", "orders", "id")}
    big = {str(i) for i in _column(generated, "wayne_enterprises", "bigcommerce", "orders", "id")}
    assert bought & woo and bought & big and bought <= woo | big


def test_tenants_ids_do_not_overlap(generated):
    tyrell = set(_column(generated, "tyrell_corp", "google_ads", "ad_stats", "ad_group_ad_ad_id"))
    wayne = set(_column(generated, "wayne_enterprises", "google_ads", "ad_stats",
                        "ad_group_ad_ad_id"))  # fmt: skip
    assert tyrell and wayne and not tyrell & wayne
