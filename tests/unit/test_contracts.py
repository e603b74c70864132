"""Landing contracts, their fingerprints and the blueprint registry that routes by them."""

from __future__ import annotations

import duckdb
import pytest

from sbdk.multitenant.blueprints import Registry
from sbdk.multitenant.contracts import CONTRACTS, contract_id
from sbdk.multitenant.contracts import published as publishing
from sbdk.multitenant.contracts.base import LandingContract
from sbdk.multitenant.contracts.paid_ads import GoogleCampaign, MetaCampaign
from sbdk.multitenant.fingerprint import landed_columns, schema_hash

CONNECTOR_APIS = {
    "facebook_ads_api", "google_ads_api", "bing_ads_api", "linkedin_ads_api", "amazon_ads_api",
    "tiktok_ads_api", "shopify_api", "bigcommerce_api", "woocommerce_api",
    "google_analytics_api", "amplitude_api", "mixpanel_api",
}  # fmt: skip


def test_every_connector_api_has_contracts_and_every_field_is_optional():
    assert {api for api, _, _ in CONTRACTS} == CONNECTOR_APIS
    for contract in CONTRACTS.values():
        assert contract().model_dump() == dict.fromkeys(contract.model_fields)  # all None


def test_a_required_field_is_refused():
    class Strict(LandingContract):
        id: int

    with pytest.raises(TypeError, match="optional with a None default"):
        Strict.columns()


def test_the_fingerprint_ignores_column_order_and_case_but_nothing_else():
    columns = {"id": "BIGINT", "name": "VARCHAR", "spend": "DECIMAL(18,2)"}
    base = schema_hash(columns)
    assert schema_hash(dict(reversed(columns.items()))) == base
    assert schema_hash({"ID": "bigint", "Name": "varchar", "spend": "decimal(18, 2)"}) == base
    assert schema_hash({**columns, "clicks": "BIGINT"}) != base  # added
    assert schema_hash({"id": "BIGINT", "name": "VARCHAR"}) != base  # removed
    assert schema_hash({**columns, "spend": "DOUBLE"}) != base  # retyped
    assert schema_hash({"id": "BIGINT", "title": "VARCHAR", "spend": "DECIMAL(18,2)"}) != base


def test_a_landed_table_fingerprints_as_its_contract():
    """The types contracts declare are spelled as DuckDB reports a table's columns."""
    connection = duckdb.connect()
    connection.execute("create schema raw")
    names = {}
    for number, (key, contract) in enumerate(CONTRACTS.items()):
        names[f"t{number}"] = key
        columns = ", ".join(f'"{name}" {kind}' for name, kind in contract.columns().items())
        connection.execute(f"create table raw.t{number} ({columns})")
    routing = Registry().route(landed_columns(connection, "raw"))
    assert not routing.quarantined
    assert {
        table: (b.api, b.version, b.object_name) for table, b in routing.routed.items()
    } == names


def test_routing_reads_the_columns_never_the_name():
    registry = Registry()
    routing = registry.route({"acme_google_ads__campaigns": MetaCampaign.columns()})
    blueprint = routing.routed["acme_google_ads__campaigns"]
    assert blueprint.master_model == "platform_mm__facebook_ads_api_v1_campaigns"


def test_a_drifted_table_is_quarantined_with_its_difference_and_routes_again_once_restored():
    registry = Registry()
    drifted = dict(GoogleCampaign.columns())
    drifted["campaign_budget_amount_micros"] = "DOUBLE"
    del drifted["campaign_start_date"]
    drifted["labels"] = "VARCHAR"
    routing = registry.route({"acme_google_ads__campaigns": drifted})
    assert not routing.routed
    quarantined = routing.quarantined["acme_google_ads__campaigns"]
    assert quarantined.closest.contract_id == "google_ads_api/v1/campaigns"
    assert quarantined.difference.missing == ("campaign_start_date",)
    assert quarantined.difference.unexpected == ("labels",)
    assert quarantined.difference.retyped == (
        ("campaign_budget_amount_micros", "BIGINT", "DOUBLE"),
    )
    assert "closest: google_ads_api/v1/campaigns" in quarantined.describe()
    restored = registry.route({"acme_google_ads__campaigns": GoogleCampaign.columns()})
    assert restored.routed["acme_google_ads__campaigns"].object_name == "campaigns"


def test_two_contracts_with_one_physical_schema_are_refused():
    twin = type("Twin", (MetaCampaign,), {"object_name": "campaigns_again"})
    contracts = {("facebook_ads_api", "v1", "campaigns"): MetaCampaign,
                 ("facebook_ads_api", "v1", "campaigns_again"): twin}  # fmt: skip
    with pytest.raises(ValueError, match="same physical schema"):
        Registry(contracts)


def test_the_declared_contracts_are_the_published_ones():
    assert publishing.violations(publishing.committed(), publishing.current()) == []


def test_publishing_rules_catch_a_changed_an_unpublished_and_a_narrowing_version():
    published = publishing.current()
    name = contract_id(("google_ads_api", "v1", "campaigns"))
    columns = published[name]["columns"]
    changed = {**published, name: {"source_schema_hash": "0" * 32, "columns": columns}}
    assert any(
        "changed after it was published" in p for p in publishing.violations(changed, published)
    )

    narrower = dict(columns)
    del narrower["campaign_name"]
    v2 = "google_ads_api/v2/campaigns"
    declared = {**published, v2: {"source_schema_hash": schema_hash(narrower), "columns": narrower}}
    problems = publishing.violations(published, declared)
    assert any(p.startswith(f"{v2} is not published") for p in problems)
    assert any("drops or retypes campaign_name" in p for p in problems)

    wider = {**columns, "campaign_labels": "JSON"}
    declared = {**published, v2: {"source_schema_hash": schema_hash(wider), "columns": wider}}
    assert publishing.violations({**published, v2: declared[v2]}, declared) == []
