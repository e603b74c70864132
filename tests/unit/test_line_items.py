"""Order line items: they add up to the order, to the cent; a function of the order alone."""

import json
from decimal import Decimal

import numpy as np
import pytest

from sbdk.config import DataSection
from sbdk.pipelines import vocabulary as vocab
from sbdk.pipelines.line_items import (
    MAX_LINES,
    catalog,
    draw_line_items,
    line_items_json,
)
from sbdk.pipelines.synthetic import generate

CATEGORIES = list(vocab.PRODUCT_CATEGORIES)


@pytest.fixture(scope="module")
def orders():
    """Many orders, amounts from a cent to tens of thousands, in every category."""
    rng = np.random.default_rng(5)
    count = 50_000
    amounts = np.rint(np.exp(rng.uniform(0, np.log(5_000_000), count))).astype(np.int64)
    amounts[:6] = [1, 2, 99, 100, 101, 9_999_999]  # the edges of the single-line rule
    return {
        "order_id": np.arange(1, count + 1, dtype=np.int64),
        "category": rng.integers(0, len(CATEGORIES), count),
        "amount_cents": amounts,
    }


@pytest.fixture(scope="module")
def items(orders):
    return draw_line_items(7, orders["order_id"], orders["category"], orders["amount_cents"])


def lines_per_order(items) -> np.ndarray:
    return np.diff(items.offsets)


def test_items_sum_to_the_order_amount_to_the_cent(orders, items):
    assert (items.order_totals_cents() == orders["amount_cents"]).all()
    assert items.unit_price_cents.min() >= 1


def test_line_counts_and_quantities_stay_in_range(orders, items):
    lines = lines_per_order(items)
    assert set(np.unique(lines)) == set(vocab.LINES_PER_ORDER)
    assert (lines[orders["amount_cents"] < 100] == 1).all()  # too small to split
    assert set(np.unique(items.quantity)) == set(vocab.EXTRA_LINE_QUANTITY)
    first_lines = items.offsets[:-1]
    assert (items.quantity[first_lines] == 1).all()  # the line that absorbs the rounding
    assert 1.5 < lines.mean() < 2.2  # half the orders have one line, a few have four


def test_products_are_distinct_and_of_the_orders_category(orders, items):
    category_of_product = np.repeat(
        np.arange(len(CATEGORIES)), [len(vocab.PRODUCT_CATALOG[c]) for c in CATEGORIES]
    )
    order_of_line = np.repeat(np.arange(len(orders["order_id"])), lines_per_order(items))
    assert (category_of_product[items.product] == orders["category"][order_of_line]).all()
    pairs = order_of_line * len(catalog()) + items.product
    assert len(np.unique(pairs)) == len(pairs)


def test_every_category_can_fill_an_order_with_distinct_products():
    assert set(vocab.PRODUCT_CATALOG) == set(CATEGORIES)
    assert all(len(products) >= MAX_LINES for products in vocab.PRODUCT_CATALOG.values())
    ids = [p.product_id for p in catalog()]
    assert len(set(ids)) == len(ids)


def test_the_same_seed_draws_the_same_items_and_another_seed_others(orders, items):
    again = draw_line_items(7, orders["order_id"], orders["category"], orders["amount_cents"])
    other = draw_line_items(8, orders["order_id"], orders["category"], orders["amount_cents"])
    for name in ("offsets", "product", "quantity", "unit_price_cents"):
        assert np.array_equal(getattr(again, name), getattr(items, name)), name
    assert not np.array_equal(other.offsets, items.offsets)


def test_an_orders_items_do_not_depend_on_the_other_orders_drawn(orders, items):
    """The landing history draws items for a few orders at a time: they must match."""
    picked = np.array([3, 17, 4_000, 49_999])
    subset = draw_line_items(
        7, orders["order_id"][picked], orders["category"][picked], orders["amount_cents"][picked]
    )
    for position, order in enumerate(picked):
        alone = slice(subset.offsets[position], subset.offsets[position + 1])
        together = slice(items.offsets[order], items.offsets[order + 1])
        assert np.array_equal(subset.product[alone], items.product[together])
        assert np.array_equal(subset.quantity[alone], items.quantity[together])
        assert np.array_equal(subset.unit_price_cents[alone], items.unit_price_cents[together])


def test_a_corrected_amount_reprices_the_same_products(orders, items):
    corrected = orders["amount_cents"] * 3 // 2 + 100
    repriced = draw_line_items(7, orders["order_id"], orders["category"], corrected)
    assert (repriced.order_totals_cents() == corrected).all()
    big_enough = orders["amount_cents"] >= 100  # smaller orders may gain lines when corrected
    same_lines = np.repeat(big_enough, lines_per_order(items))
    assert np.array_equal(lines_per_order(repriced)[big_enough], lines_per_order(items)[big_enough])
    assert np.array_equal(
        repriced.product[np.repeat(big_enough, lines_per_order(repriced))],
        items.product[same_lines],
    )


def test_json_holds_exactly_the_drawn_items(orders, items):
    texts = line_items_json(items).to_pylist()
    products = catalog()
    for order in (0, 3, 5, 123, 40_000):
        parsed = json.loads(texts[order], parse_float=Decimal)
        lines = range(items.offsets[order], items.offsets[order + 1])
        assert parsed == [
            {
                "product_id": products[items.product[line]].product_id,
                "product_name": products[items.product[line]].name,
                "quantity": int(items.quantity[line]),
                "unit_price": Decimal(int(items.unit_price_cents[line])) / 100,
            }
            for line in lines
        ]
        total = sum(line["quantity"] * line["unit_price"] for line in parsed)
        assert total == Decimal(int(orders["amount_cents"][order])) / 100


def test_no_orders_give_no_items():
    empty = np.zeros(0, dtype=np.int64)
    items = draw_line_items(1, empty, empty, empty)
    assert len(items.product) == 0 and list(items.offsets) == [0]
    assert line_items_json(items).to_pylist() == []


def test_generated_orders_carry_items_that_sum_to_their_amount():
    world = generate(DataSection(users=400, events_per_user=20, seed=3))
    amounts = world.orders["amount"].to_pylist()
    texts = world.orders["line_items"].to_pylist()
    assert len(texts) == len(amounts) > 0
    for amount, text in zip(amounts, texts, strict=True):
        lines = json.loads(text, parse_float=Decimal)
        assert 1 <= len(lines) <= MAX_LINES
        assert sum(line["quantity"] * line["unit_price"] for line in lines) == amount
