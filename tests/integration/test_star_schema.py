"""The star schema (dim_customers, fct_orders, fct_order_items) and the analytics layer,
checked against the raw orders and their JSON line items, recomputed here in Python.
(Incremental mode, where dim_customers is merged run by run: test_incremental.py.)"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import pytest

from .conftest import query, sbdk, scalar

pytestmark = pytest.mark.integration

CENT = Decimal("0.01")


@dataclass(frozen=True)
class RawOrders:
    """raw.raw_orders and its items, parsed with Python's json module (not DuckDB's)."""

    amounts: dict[int, Decimal]  # order_id -> amount
    lines: dict[tuple[int, int], tuple[str, int, Decimal]]  # (order_id, line) -> item

    @property
    def quantity(self) -> int:
        return sum(quantity for _, quantity, _ in self.lines.values())

    @property
    def item_amount(self) -> Decimal:
        return sum((quantity * price for _, quantity, price in self.lines.values()), Decimal(0))


@pytest.fixture(scope="module")
def raw_orders(built_project) -> RawOrders:
    amounts, lines = {}, {}
    for order_id, amount, text in query(
        built_project.root, "select order_id, amount, line_items from raw.raw_orders"
    ):
        amounts[order_id] = amount
        for number, item in enumerate(json.loads(text, parse_float=Decimal), start=1):
            price = item["unit_price"].quantize(CENT)
            lines[order_id, number] = (item["product_id"], item["quantity"], price)
    return RawOrders(amounts, lines)


def test_raw_items_sum_to_their_order_amount(raw_orders):
    per_order: Counter[int] = Counter()
    for (order_id, _), (_, quantity, price) in raw_orders.lines.items():
        per_order[order_id] += quantity * price
    assert raw_orders.amounts  # the small world has orders
    assert dict(per_order) == raw_orders.amounts


def test_star_schema_totals_equal_the_raw_orders_and_items(built_project, raw_orders):
    root = built_project.root
    orders, amount, items, quantity = query(
        root,
        "select count(*), sum(order_amount), sum(item_count), sum(total_quantity) "
        "from marts.fct_orders",
    )[0]
    assert orders == len(raw_orders.amounts)
    assert amount == sum(raw_orders.amounts.values())
    assert items == len(raw_orders.lines)
    assert quantity == raw_orders.quantity

    item_rows, item_quantity, item_amount = query(
        root, "select count(*), sum(quantity), sum(line_amount) from marts.fct_order_items"
    )[0]
    assert item_rows == len(raw_orders.lines)
    assert item_quantity == raw_orders.quantity
    assert item_amount == raw_orders.item_amount == amount

    customers, orders_bought, spent = query(
        root, "select count(*), sum(total_orders), sum(total_spent) from marts.dim_customers"
    )[0]
    assert customers == scalar(root, "select count(*) from raw.raw_users")
    assert (orders_bought, spent) == (orders, amount)  # every generated order is valid


def test_fct_order_items_has_one_row_per_raw_item(built_project, raw_orders):
    rows = query(
        built_project.root,
        "select order_id, line_number, product_id, quantity, unit_price, line_amount "
        "from marts.fct_order_items",
    )
    as_loaded = {(o, n): (p, q, u) for o, n, p, q, u, _ in rows}
    assert len(as_loaded) == len(rows)  # (order_id, line_number) is the grain
    assert as_loaded == raw_orders.lines
    assert all(line_amount == q * u for _, _, _, q, u, line_amount in rows)
    keys = scalar(
        built_project.root,
        "select count(distinct order_item_id) = count(*) "
        "and count(*) filter (where order_item_id = md5(order_id || '-' || line_number)) "
        "= count(*) from marts.fct_order_items",
    )
    assert keys


def test_analytics_totals_equal_the_star_schema(built_project):
    root = built_project.root

    def same(star: str, analytics: str, measures: str) -> None:
        expected = query(root, f"select count(*), {measures} from {star}")[0]
        assert query(root, f"select count(*), {measures} from {analytics}")[0] == expected

    same(
        "marts.fct_orders",
        "analytics.analytics_orders",
        "sum(order_amount), sum(item_count), sum(total_quantity), count(distinct customer_id)",
    )
    same(
        "marts.fct_order_items",
        "analytics.analytics_order_items",
        "sum(quantity), sum(line_amount), count(distinct product_id)",
    )
    same(
        "marts.dim_customers",
        "analytics.analytics_customer_summary",
        "sum(total_orders), sum(total_spent), count(distinct country_code)",
    )
    items, quantity, amount = query(
        root,
        "select sum(total_items), sum(total_quantity), sum(items_amount) "
        "from analytics.analytics_customer_summary",
    )[0]
    assert (items, quantity, amount) == query(
        root, "select count(*), sum(quantity), sum(line_amount) from marts.fct_order_items"
    )[0]
    # Denormalized: every order row carries its customer's attributes.
    assert (
        scalar(root, "select count(*) from analytics.analytics_orders where customer_email is null")
        == 0
    )
    # Activity comes from the existing marts, unchanged.
    assert scalar(
        root, "select sum(total_events) from analytics.analytics_customer_summary"
    ) == scalar(root, "select count(*) from raw.raw_events")


def test_full_mode_builds_dim_customers_as_a_plain_table(built_project):
    root = built_project.root
    assert scalar(root, "select count(source_extracted_at) from marts.dim_customers") == 0
    assert scalar(root, "select count(distinct dbt_updated_at) from marts.dim_customers") == 1


def test_a_model_breaking_its_contract_fails_the_build(built_project, tmp_path):
    project = tmp_path / "copy"
    shutil.copytree(built_project.root, project, ignore=shutil.ignore_patterns("logs"))
    model = project / "dbt" / "models" / "marts" / "fct_orders.sql"
    model.write_text(model.read_text().replace("::integer as item_count", "::bigint as item_count"))
    result = sbdk("run", "--skip-generate", "--select", "fct_orders", cwd=project)
    assert result.code == 1
    assert "enforced contract" in result.output and "item_count" in result.output
    assert "Traceback" not in result.output


# Money columns of marts and analytics: amounts, revenues, averages and per-unit values.
MONEY = (
    "amount", "revenue", "spent", "price", "avg_order_value", "min_order_value",
    "max_order_value", "revenue_per", "daily_customer_value",
)  # fmt: skip


def test_money_is_decimal_and_rates_are_rounded_in_marts_and_analytics(built_project):
    columns = query(
        built_project.root,
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_schema in ('marts', 'analytics')",
    )
    money = [
        c for c in columns
        if any(word in c[2] for word in MONEY) and c[3] not in ("VARCHAR", "BOOLEAN")
        and "_pct" not in c[2]
    ]  # fmt: skip
    assert len(money) > 20
    not_decimal = [c for c in money if not c[3].startswith("DECIMAL")]
    assert not_decimal == []
    rates = [c for c in columns if c[3] == "DOUBLE" and (c[2].endswith("_pct") or "rate" in c[2])]
    assert len(rates) >= 6
    for schema, table, column, _ in rates:
        digits = 4 if column.endswith("_rate") else 2
        unrounded = scalar(
            built_project.root,
            f"select count(*) from {schema}.{table} where {column} <> round({column}, {digits})",
        )
        assert unrounded == 0, f"{schema}.{table}.{column}"
