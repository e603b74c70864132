"""The multi-tenant platform template end to end, through the real CLI: a project is built
once per module; the tests that break it (a leaked row, a drifted schema) work on copies."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.integration.conftest import query, sbdk, scalar

TENANTS = ("tyrell_corp", "wayne_enterprises")
ANALYTICS = ("fct_{}__ad_performance", "dim_{}__campaigns", "fct_{}__orders", "fct_{}__sessions")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("mt") / "agency"
    init = sbdk("init", str(root), "--template", "multitenant", cwd=root.parent)
    assert init.code == 0, init.output
    first = sbdk("run", cwd=root)
    assert first.code == 0, first.output
    return root, first


def _copy(built, tmp_path) -> Path:
    copy = tmp_path / "agency"
    shutil.copytree(built[0], copy, ignore=shutil.ignore_patterns(".sbdk"))
    return copy


def _fingerprints(root: Path) -> dict[str, tuple]:
    """Row count and an order-independent digest of every master, platform hub and
    analytics table."""
    with duckdb.connect(str(root / "data/warehouse.duckdb"), read_only=True) as connection:
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('master', 'analytics') or table_name = 'hub_tenant_keys'"
        ).fetchall()
        return {
            f"{schema}.{name}": connection.execute(
                "select count(*), md5(string_agg(row_hash, '' order by row_hash)) from "
                f'(select md5(cast(t as varchar)) as row_hash from {schema}."{name}" t)'
            ).fetchone()
            for schema, name in tables
        }


@pytest.mark.integration
def test_a_run_builds_every_tenants_star_schema(built):
    root, first = built
    assert "135/135 models built" in first.output
    assert "every landed table was routed" in first.output
    for tenant in TENANTS:
        for table in ANALYTICS:
            assert scalar(root, f"select count(*) from analytics.{table.format(tenant)}") > 0
    # ads -> sessions -> orders join: paid sessions name the tenant's campaigns, and the
    # revenue of converting sessions is that of shop orders.
    joined = scalar(
        root,
        "select count(*) from analytics.fct_tyrell_corp__sessions s "
        "join analytics.dim_tyrell_corp__campaigns c on c.campaign_name = s.traffic_campaign",
    )
    assert joined > 1000


@pytest.mark.integration
def test_sbdk_test_runs_the_named_tenant_tests(built):
    root, _ = built
    tested = sbdk("test", cwd=root)
    assert tested.code == 0, tested.output
    names = {
        row[0]
        for row in query(
            root,
            "select name from observability.test_definitions "
            "where name like 'assert_%' or name like 'sbdk_unique%'",
        )
    }
    for tenant in TENANTS:
        assert {f"assert_{tenant}__isolated", f"assert_{tenant}__reconciles_with_raw",
                f"assert_{tenant}__engines_match_contracts"} <= names  # fmt: skip


@pytest.mark.integration
def test_analytics_reconcile_with_the_raw_tables(built):
    root, _ = built
    # Computed here from the raw tables, independently of the project's own tests.
    raw_spend = scalar(
        root,
        "select sum(spend) from raw.tyrell_corp_facebook_ads__ads_insights",
    ) + scalar(
        root,
        "select sum(cast(round(metrics_cost_micros / 1000000, 2) as decimal(18, 2))) "
        "from raw.tyrell_corp_google_ads__ad_stats",
    )
    analytics_spend = scalar(
        root,
        "select sum(spend) from analytics.fct_tyrell_corp__ad_performance "
        "where source_platform in ('facebook_ads', 'google_ads')",
    )
    assert raw_spend == analytics_spend
    raw_orders = query(
        root,
        "select count(*), sum(total) from raw.wayne_enterprises_woocommerce__orders",
    )[0]
    analytics_orders = query(
        root,
        "select count(*), sum(total_price) from analytics.fct_wayne_enterprises__orders "
        "where source_platform = 'woocommerce'",
    )[0]
    assert raw_orders == analytics_orders


@pytest.mark.integration
def test_star_schemas_have_identical_contracts_across_tenants(built):
    root, _ = built
    for table in ANALYTICS:
        shapes = [query(root, f"describe analytics.{table.format(tenant)}") for tenant in TENANTS]
        assert [row[:2] for row in shapes[0]] == [row[:2] for row in shapes[1]], table


@pytest.mark.integration
def test_a_second_run_changes_no_master_model_hub_or_analytics_table(built, tmp_path):
    root = _copy(built, tmp_path)
    before = _fingerprints(root)
    again = sbdk("run", cwd=root)
    assert again.code == 0, again.output
    assert "up to date" in again.output  # onboarding had nothing to do
    assert _fingerprints(root) == before
    assert len(before) == 33 + 8 + 1


@pytest.mark.integration
def test_a_row_leaked_into_another_tenant_fails_the_isolation_test(built, tmp_path):
    root = _copy(built, tmp_path)
    with duckdb.connect(str(root / "data/warehouse.duckdb")) as connection:
        connection.execute(
            "insert into master.platform_mm__google_ads_api_v1_ad_stats "
            "select 'wayne_enterprises', source_platform, md5('leaked'), source_schema_hash, "
            "loaded_at, raw_data_payload from master.platform_mm__google_ads_api_v1_ad_stats "
            "where tenant_slug = 'tyrell_corp' limit 1"
        )
    leaked = sbdk("run", "--skip-generate", cwd=root)
    assert leaked.code == 1, leaked.output
    assert "assert_wayne_enterprises__isolated" in leaked.output
    assert "assert_tyrell_corp__isolated" not in leaked.output


@pytest.mark.integration
def test_drift_is_quarantined_never_misrouted_and_routes_again_once_restored(built, tmp_path):
    root = _copy(built, tmp_path)
    table = "tyrell_corp_google_ads__campaigns"
    master = "master.platform_mm__google_ads_api_v1_campaigns"
    records = query(root, f"select tenant_skey, raw_data_payload from {master} order by 1")
    with duckdb.connect(str(root / "data/warehouse.duckdb")) as connection:
        connection.execute(f"alter table raw.{table} add column bidding_strategy varchar")
        connection.execute(f"update raw.{table} set campaign_name = campaign_name || ' (new)'")

    drifted = sbdk("run", "--skip-generate", cwd=root)
    assert drifted.code == 1, drifted.output
    line = next(line for line in drifted.output.splitlines() if "quarantined, not routed" in line)
    assert f"raw.{table}" in line and "unexpected bidding_strategy" in line
    assert query(root, f"select tenant_skey, raw_data_payload from {master} order by 1") == records
    assert query(
        root,
        "select expected_contract, unexpected_columns from registry.quarantined_tables",
    ) == [("google_ads_api/v1/campaigns", '["bidding_strategy"]')]
    assert (
        scalar(
            root,
            f"select count(*) from registry.source_schema_history where source_table = '{table}'",
        )
        == 2
    )

    # The connector is fixed, and a tenant without ads joins: its ads table is empty, typed.
    added = sbdk("tenant", "add", "acme", "--source", "shopify", "--source", "mixpanel",
                 cwd=root)  # fmt: skip
    assert added.code == 0, added.output
    restored = sbdk("run", cwd=root)
    assert restored.code == 0, restored.output
    assert scalar(root, f"select count(*) from {master} where raw_data_payload::varchar "
                        "like '%(new)%'") == 0  # fmt: skip
    assert scalar(root, "select count(*) from analytics.fct_acme__ad_performance") == 0
    assert query(root, "describe analytics.fct_acme__ad_performance") == query(
        root, "describe analytics.fct_tyrell_corp__ad_performance"
    )
    assert scalar(root, "select count(*) from analytics.fct_acme__sessions") > 0


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(root)): hashlib.sha1(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".sbdk" not in path.parts
    }


def _edit_tenants(root: Path, change) -> None:
    path = root / "tenants.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _set(data, keys, value):
    for key in keys[:-1]:
        data = data[key]
    data[keys[-1]] = value


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad") / "agency"
    assert sbdk("init", str(root), "--template", "multitenant", cwd=root.parent).code == 0
    return root


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["tenants"][0]["sources"].update({"myspace_ads": d["tenants"][0]["sources"]
                                                      ["bing_ads"]}),
         "tenants.yaml: tenants.0.sources.myspace_ads: unknown connector"),
        (lambda d: _set(d, ["tenants", 1, "slug"], "tyrell_corp"),
         "tenants.yaml: tenants.1.slug: tyrell_corp is also tenant 0's slug"),
        (lambda d: _set(d, ["tenants", 0, "slug"], "Tyrell-Corp"), "tenants.yaml: tenants.0.slug"),
        (lambda d: _set(d, ["tenants", 0, "sources", "shopify", "mock", "end_date"], "2025-01-01"),
         "tenants.yaml: tenants.0.sources.shopify.mock: end_date 2025-01-01 is before"),
        (lambda d: _set(d, ["tenants", 0, "sources", "google_ads", "logic", "keywords"], {}),
         "tenants.0.sources.google_ads.logic.keywords: google_ads has no such object"),
    ],
)  # fmt: skip
def test_a_mistake_in_tenants_yaml_is_one_line_and_writes_nothing(scaffolded, tmp_path, change,
                                                                  message):  # fmt: skip
    root = tmp_path / "agency"
    shutil.copytree(scaffolded, root)
    _edit_tenants(root, change)
    before = _snapshot(root)
    for command in (["run"], ["onboard"]):
        failed = sbdk(*command, cwd=root)
        assert failed.code == 1, failed.output
        lines = failed.output.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], failed.output
        assert "Traceback" not in failed.output
    assert _snapshot(root) == before


def test_a_mistake_in_the_catalogue_or_a_flag_of_the_default_template_is_one_line(
    scaffolded, tmp_path
):
    root = tmp_path / "agency"
    shutil.copytree(scaffolded, root)
    catalogue = root / "supported_connectors.yaml"
    catalogue.write_text(catalogue.read_text().replace("ad_stats:", "ad_statistics:"))
    before = _snapshot(root)
    failed = sbdk("run", cwd=root)
    assert failed.code == 1 and len(failed.output.strip().splitlines()) == 1, failed.output
    assert "supported_connectors.yaml: connectors.google_ads: objects.ad_statistics" in (
        failed.output
    )
    assert _snapshot(root) == before
    sized = sbdk("run", "--users", "10", cwd=scaffolded)
    assert sized.code == 1 and "mock volumes are in tenants.yaml" in sized.output


def test_tenant_add_refuses_a_paused_tenant_and_an_unknown_connector(scaffolded, tmp_path):
    root = tmp_path / "agency"
    shutil.copytree(scaffolded, root)
    _edit_tenants(root, lambda d: _set(d, ["tenants", 1, "status"], "paused"))
    before = _snapshot(root)
    paused = sbdk("tenant", "add", "wayne_enterprises", "--source", "shopify", cwd=root)
    assert paused.code == 1 and "tenant wayne_enterprises is paused" in paused.output
    unknown = sbdk("tenant", "add", "acme", "--source", "myspace_ads", cwd=root)
    assert unknown.code == 1 and "unknown connector myspace_ads" in unknown.output
    bad_slug = sbdk("tenant", "add", "Acme!", "--source", "shopify", cwd=root)
    assert bad_slug.code == 1 and "tenants.yaml: tenants.2.slug" in bad_slug.output
    assert _snapshot(root) == before
