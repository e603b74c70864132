"""The line items of orders: what was bought, how many, at what unit price.

An order's items are a function of (seed, order_id, product category, amount in cents) only,
drawn with keyed_random: the generator draws them for every order, and the landing history
draws them again for a version of an order whose amount was corrected. The products and
quantities depend on the order alone; the prices split the amount, so every version's items
sum to that version's amount, to the cent:

- 1-4 lines of distinct products of the order's category; the first line has quantity 1,
  the others 1-3;
- the first line takes 55-85% of the amount; the other lines share the rest in proportion to
  their list price x quantity, their unit prices rounded down to the cent (at least a cent);
- the first line's unit price absorbs what the rounding left over.

Orders below a dollar have a single line, so that the first line always keeps a positive price.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sbdk.pipelines import vocabulary as vocab
from sbdk.pipelines.keyed_random import categorical, uniform

MAX_LINES = max(vocab.LINES_PER_ORDER)
MAX_QUANTITY = max(vocab.EXTRA_LINE_QUANTITY)
MIN_MULTI_LINE_CENTS = 100


@dataclass(frozen=True)
class Product:
    product_id: str
    name: str
    list_price_cents: int


def catalog() -> list[Product]:
    """Every product, category by category in the order of vocab.PRODUCT_CATEGORIES."""
    return [
        Product(product_id, name, round(price * 100))
        for category in vocab.PRODUCT_CATEGORIES
        for product_id, name, price in vocab.PRODUCT_CATALOG[category]
    ]


@dataclass(frozen=True)
class LineItems:
    """The lines of a set of orders, flattened: order i's lines are offsets[i]:offsets[i + 1]."""

    offsets: np.ndarray  # int64, one more than the orders
    product: np.ndarray  # index into catalog()
    quantity: np.ndarray  # int64, 1-3
    unit_price_cents: np.ndarray  # int64, >= 1

    @property
    def line_amount_cents(self) -> np.ndarray:
        return self.quantity * self.unit_price_cents

    def order_totals_cents(self) -> np.ndarray:
        """Sum of quantity x unit price per order."""
        return np.add.reduceat(self.line_amount_cents, self.offsets[:-1])


def draw_line_items(
    seed: int, order_id: np.ndarray, category: np.ndarray, amount_cents: np.ndarray
) -> LineItems:
    """The line items of each order. `category` indexes vocab.PRODUCT_CATEGORIES."""
    order_id = np.asarray(order_id, dtype=np.int64)
    amount_cents = np.asarray(amount_cents, dtype=np.int64)
    category = np.asarray(category, dtype=np.int64)
    if len(order_id) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return LineItems(np.zeros(1, dtype=np.int64), empty, empty, empty)
    sizes = np.array([len(vocab.PRODUCT_CATALOG[c]) for c in vocab.PRODUCT_CATEGORIES])
    first_of_category = np.cumsum(sizes) - sizes

    counts, count_p = _values_and_probabilities(vocab.LINES_PER_ORDER)
    lines = counts[categorical(uniform(seed, "line_items.lines", order_id), count_p)]
    lines = np.where(amount_cents >= MIN_MULTI_LINE_CENTS, lines, 1)
    offsets = np.zeros(len(order_id) + 1, dtype=np.int64)
    np.cumsum(lines, out=offsets[1:])
    order = np.repeat(np.arange(len(order_id)), lines)
    position = np.arange(int(offsets[-1])) - offsets[:-1][order]  # 0 = the first line
    is_extra = position > 0

    # Consecutive products of the category from a drawn start: distinct within an order.
    size = sizes[category]
    start = np.floor(uniform(seed, "line_items.first_product", order_id) * size).astype(np.int64)
    product = first_of_category[category][order] + (start[order] + position) % size[order]

    quantities, quantity_p = _values_and_probabilities(vocab.EXTRA_LINE_QUANTITY)
    line_key = order_id[order] * MAX_LINES + position
    drawn = categorical(uniform(seed, "line_items.quantity", line_key), quantity_p)
    quantity = np.where(is_extra, quantities[drawn], 1)

    low, high = vocab.FIRST_LINE_SHARE
    first_share = low + (high - low) * uniform(seed, "line_items.first_share", order_id)
    rest_cents = amount_cents - np.rint(amount_cents * first_share).astype(np.int64)
    list_prices = np.array([p.list_price_cents for p in catalog()], dtype=np.int64)
    weight = np.where(is_extra, list_prices[product] * quantity, 0)
    order_weight = np.maximum(np.add.reduceat(weight, offsets[:-1]), 1)
    share = rest_cents[order] * weight // order_weight[order]
    unit_price = np.maximum(share // quantity, 1)
    extras_cents = np.add.reduceat(np.where(is_extra, unit_price * quantity, 0), offsets[:-1])
    unit_price[offsets[:-1]] = amount_cents - extras_cents
    return LineItems(offsets, product, quantity.astype(np.int64), unit_price)


def line_items_json(items: LineItems) -> pa.Array:
    """One JSON array per order, like a shop API's nested line items:
    [{"product_id": ..., "product_name": ..., "quantity": 2, "unit_price": 12.50}, ...]

    Each line's text is three pieces (no per-row Python): from a small pool, the head up to
    the whole units of the price, opening with "[" for an order's first line and "," for the
    others; the whole units; and from another pool the cents, closing the object, with "]"
    for an order's last line. An order's lines back to back are then its JSON array: the
    orders' texts are the lines' texts, only cut at other offsets.
    """
    first = np.zeros(len(items.product), dtype=np.int64)
    first[items.offsets[:-1]] = 1
    last = np.zeros(len(items.product), dtype=np.int64)
    last[items.offsets[1:] - 1] = 1
    heads = _pool(
        f'{opening}{{"product_id":{json.dumps(p.product_id)},'
        f'"product_name":{json.dumps(p.name)},"quantity":{q},"unit_price":'
        for p in catalog()
        for opening in (",", "[")
        for q in range(MAX_QUANTITY + 1)
    )
    cents = _pool(f".{c:02d}}}{closing}" for c in range(100) for closing in ("", "]"))
    lines = pc.binary_join_element_wise(
        heads.take(pa.array((items.product * 2 + first) * (MAX_QUANTITY + 1) + items.quantity)),
        pc.cast(pa.array(items.unit_price_cents // 100), pa.large_string()),
        cents.take(pa.array(items.unit_price_cents % 100 * 2 + last)),
        pa.scalar("", pa.large_string()),
    )
    _, line_offsets, text = lines.buffers()
    if line_offsets is None:  # no lines, no orders
        return pa.array([], pa.large_string())
    line_starts = np.frombuffer(line_offsets, dtype=np.int64)[lines.offset :]
    order_starts = line_starts[items.offsets]
    return pa.LargeStringArray.from_buffers(len(order_starts) - 1, pa.py_buffer(order_starts), text)


def line_items_column(
    seed: int, order_id: np.ndarray, category: np.ndarray, amount_cents: np.ndarray
) -> pa.Array:
    """The `line_items` JSON column of the orders."""
    return line_items_json(draw_line_items(seed, order_id, category, amount_cents))


def _pool(texts: Iterable[str]) -> pa.Array:
    # large_string: at millions of orders the JSON outgrows 32-bit offsets
    return pa.array(list(texts), pa.large_string())


def _values_and_probabilities(distribution: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
    values, probabilities = vocab.weights(distribution)
    return np.array(values, dtype=np.int64), probabilities
