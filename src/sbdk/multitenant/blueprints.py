"""The connector blueprints registry, and routing landed tables by their fingerprint.

A blueprint says what a physical schema is: the connector object and API version whose landing
contract has exactly that fingerprint, and the master model its records go to. The registry is
built from the contracts alone, so routing is decided here, in Python, from the columns of the
tables actually landed: a table's name is never consulted. A table whose fingerprint matches
no blueprint is quarantined, with its difference from the closest blueprint, and not routed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sbdk.multitenant.contracts import CONTRACTS, ContractKey, contract_id
from sbdk.multitenant.contracts.base import LandingContract
from sbdk.multitenant.fingerprint import canonical_columns, schema_hash


@dataclass(frozen=True)
class Blueprint:
    api: str
    version: str
    object_name: str
    source_schema_hash: str
    columns: tuple[tuple[str, str], ...]  # canonical (name, type) pairs

    @property
    def master_model(self) -> str:
        """The multi-tenant table every tenant's records of this object go to."""
        return f"platform_mm__{self.api}_{self.version}_{self.object_name}"

    @property
    def contract_id(self) -> str:
        return contract_id((self.api, self.version, self.object_name))


@dataclass(frozen=True)
class SchemaDifference:
    missing: tuple[str, ...]  # the blueprint's columns the table lacks
    unexpected: tuple[str, ...]  # the table's columns the blueprint lacks
    retyped: tuple[tuple[str, str, str], ...]  # (column, blueprint's type, table's type)

    @property
    def size(self) -> int:
        return len(self.missing) + len(self.unexpected) + len(self.retyped)

    def describe(self) -> str:
        parts = []
        if self.missing:
            parts.append("missing " + ", ".join(self.missing))
        if self.unexpected:
            parts.append("unexpected " + ", ".join(self.unexpected))
        if self.retyped:
            parts.append(
                "retyped " + ", ".join(f"{c} {was} -> {now}" for c, was, now in self.retyped)
            )
        return "; ".join(parts) or "no difference"


@dataclass(frozen=True)
class Quarantined:
    table: str
    source_schema_hash: str
    columns: tuple[tuple[str, str], ...]
    closest: Blueprint
    difference: SchemaDifference

    def describe(self) -> str:
        return (
            f"{self.table} matches no connector blueprint (closest: {self.closest.contract_id}: "
            f"{self.difference.describe()})"
        )


@dataclass(frozen=True)
class Routing:
    routed: dict[str, Blueprint] = field(default_factory=dict)  # landed table -> blueprint
    quarantined: dict[str, Quarantined] = field(default_factory=dict)


class Registry:
    """Fingerprint -> blueprint, for every landing contract."""

    def __init__(self, contracts: Mapping[ContractKey, type[LandingContract]] = CONTRACTS):
        self.blueprints: dict[str, Blueprint] = {}
        for (api, version, object_name), contract in contracts.items():
            columns = contract.columns()
            blueprint = Blueprint(
                api, version, object_name, schema_hash(columns),
                tuple(canonical_columns(columns)),
            )  # fmt: skip
            other = self.blueprints.get(blueprint.source_schema_hash)
            if other is not None:
                # The router could not tell the two apart: a contract must be distinguishable.
                raise ValueError(
                    f"landing contracts {other.contract_id} and {blueprint.contract_id} have "
                    "the same physical schema"
                )
            self.blueprints[blueprint.source_schema_hash] = blueprint

    def route(self, tables: Mapping[str, Mapping[str, str]]) -> Routing:
        """Route landed tables (name -> {column: DuckDB type}) by their fingerprint alone."""
        routing = Routing()
        for table, columns in tables.items():
            fingerprint = schema_hash(columns)
            blueprint = self.blueprints.get(fingerprint)
            if blueprint is not None:
                routing.routed[table] = blueprint
                continue
            canonical = tuple(canonical_columns(columns))
            closest, difference = self.closest(canonical)
            routing.quarantined[table] = Quarantined(
                table, fingerprint, canonical, closest, difference
            )
        return routing

    def closest(self, columns: tuple[tuple[str, str], ...]) -> tuple[Blueprint, SchemaDifference]:
        """The blueprint with the fewest differing columns (ties: the first contract id)."""
        ranked = sorted(
            ((difference(b.columns, columns), b) for b in self.blueprints.values()),
            key=lambda pair: (pair[0].size, pair[1].contract_id),
        )
        best_difference, best = ranked[0]
        return best, best_difference


def difference(
    expected: tuple[tuple[str, str], ...], actual: tuple[tuple[str, str], ...]
) -> SchemaDifference:
    wanted, found = dict(expected), dict(actual)
    return SchemaDifference(
        missing=tuple(sorted(wanted.keys() - found.keys())),
        unexpected=tuple(sorted(found.keys() - wanted.keys())),
        retyped=tuple(
            (name, wanted[name], found[name])
            for name in sorted(wanted.keys() & found.keys())
            if wanted[name] != found[name]
        ),
    )
