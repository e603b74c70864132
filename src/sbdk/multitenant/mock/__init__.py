"""Mock data of every active tenant's sources, generated from the landing contracts: seeded
(the same seed and tenants file give identical tables), vectorized with numpy, and joinable
across a tenant's sources (see world.py). Each table has exactly its contract's columns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from sbdk.multitenant.connectors import Domain
from sbdk.multitenant.mock import ecommerce, paid_ads, product_analytics
from sbdk.multitenant.mock.world import TenantWorld
from sbdk.multitenant.platform import Platform, SourceTable

# Domains in the order they are drawn: sessions refer to the campaigns and orders before them.
_GENERATORS: dict[Domain, Callable[..., dict[str, dict]]] = {
    Domain.PAID_ADS: paid_ads.generate,
    Domain.ECOMMERCE: ecommerce.generate,
    Domain.PRODUCT_ANALYTICS: product_analytics.generate,
}
_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "DECIMAL(18,2)": pa.float64(),  # cast to DECIMAL when landed
    "JSON": pa.string(),  # cast to JSON when landed
}


@dataclass(frozen=True)
class MockTables:
    tables: dict[SourceTable, pa.Table]

    def by_raw_name(self) -> dict[str, pa.Table]:
        return {table.name: data for table, data in self.tables.items()}


def generate(platform: Platform, seed: int) -> MockTables:
    """Every source table of every active tenant, as Arrow tables typed after the contract."""
    tables: dict[SourceTable, pa.Table] = {}
    for tenant in platform.active_tenants:
        world = TenantWorld(tenant.slug)
        by_source = {(t.platform, t.object_name): t for t in platform.source_tables(tenant)}
        for domain, generate_source in _GENERATORS.items():
            for name in platform.platforms_of(tenant, domain):
                objects = generate_source(seed, world, name, tenant.sources[name].mock)
                for object_name, columns in objects.items():
                    table = by_source[(name, object_name)]
                    tables[table] = to_arrow(table, columns)
    return MockTables(tables)


def to_arrow(table: SourceTable, columns: dict) -> pa.Table:
    expected = table.contract.columns()
    if list(columns) != list(expected):
        raise ValueError(
            f"mock {table.name} has columns {list(columns)}, its contract {list(expected)}"
        )
    arrays = {}
    for name, kind in expected.items():
        values = columns[name]
        if isinstance(values, np.ndarray) and values.dtype.kind == "f":
            arrays[name] = pa.array(values, type=pa.float64(), from_pandas=True)  # NaN: null
        elif isinstance(values, np.ndarray) and values.dtype.kind in "US":
            arrays[name] = pa.array(values.tolist(), type=_ARROW_TYPES[kind])
        else:
            arrays[name] = pa.array(values, type=_ARROW_TYPES[kind])
    return pa.table(arrays)
