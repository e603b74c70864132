"""Routing landed tables by fingerprint, in a real DuckDB file (no dbt): drift is quarantined
and recorded, never misrouted; restoring the schema routes the table again."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import duckdb
import pytest

from sbdk.multitenant import landing, mock
from sbdk.multitenant.platform import load_platform
from sbdk.multitenant.registry import init_registry
from sbdk.multitenant.routing import route

TEMPLATE = Path(str(resources.files("sbdk") / "templates" / "multitenant" / "project"))
TABLE = "tyrell_corp_google_ads__campaigns"


@pytest.fixture(scope="module")
def platform():
    return load_platform(TEMPLATE)


@pytest.fixture(scope="module")
def generated(platform):
    return mock.generate(platform, seed=1).tables


@pytest.fixture
def landed(tmp_path, generated):
    path = tmp_path / "warehouse.duckdb"
    landing.land(path, generated)
    init_registry(path)
    return path


def _sql(path, statement):
    with duckdb.connect(str(path)) as connection:
        return connection.execute(statement).fetchall()


def test_every_landed_table_routes_to_its_contract(landed, platform):
    result = route(landed, platform.source_tables(), "run-1")
    assert not result.quarantined
    assert set(result.routed) == {t.name for t in platform.source_tables()}
    statuses = _sql(landed, "select distinct routing_status from registry.source_schema_history")
    assert statuses == [("routed",)]


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ("add column bidding_strategy varchar", "unexpected bidding_strategy"),
        ("drop column campaign_start_date", "missing campaign_start_date"),
        ("alter customer_id type varchar", "retyped customer_id BIGINT -> VARCHAR"),
    ],
)  # fmt: skip
def test_a_drifted_table_is_quarantined_recorded_and_routes_again_once_restored(
    landed, platform, generated, change, detail
):
    tables = platform.source_tables()
    before = route(landed, tables, "run-1").routed[TABLE]
    _sql(landed, f"alter table raw.{TABLE} {change}")
    drifted = route(landed, tables, "run-2")
    assert TABLE not in drifted.routed and len(drifted.quarantined) == 1
    quarantined = drifted.quarantined[0]
    assert quarantined.table.name == TABLE and detail in quarantined.describe()
    assert quarantined.source_schema_hash != before
    recorded = _sql(
        landed,
        "select source_table, expected_contract, reason from registry.quarantined_tables",
    )
    assert recorded == [(TABLE, "google_ads_api/v1/campaigns", quarantined.reason)]
    history = _sql(
        landed,
        f"select routing_status from registry.source_schema_history where source_table = '{TABLE}' "
        "order by first_seen_at, routing_status",
    )
    assert sorted(history) == [("quarantined",), ("routed",)]

    landing.land(landed, generated)  # the connector is fixed
    restored = route(landed, tables, "run-3")
    assert restored.routed[TABLE] == before and not restored.quarantined
    assert _sql(
        landed,
        f"select last_seen_run_id from registry.source_schema_history "
        f"where source_table = '{TABLE}' and source_schema_hash = '{before}'",
    ) == [("run-3",)]


def test_a_table_holding_another_objects_schema_is_quarantined_not_misrouted(landed, platform):
    meta = "tyrell_corp_facebook_ads__campaigns"
    _sql(landed, f"create or replace table raw.{TABLE} as select * from raw.{meta}")
    result = route(landed, platform.source_tables(), "run-1")
    assert TABLE not in result.routed
    (quarantined,) = result.quarantined
    assert quarantined.closest.contract_id == "facebook_ads_api/v1/campaigns"
    assert "has the schema of facebook_ads_api/v1/campaigns" in quarantined.describe()
    assert result.dbt_vars["sbdk_routes"].get(TABLE) is None
