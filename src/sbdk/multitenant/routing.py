"""Routing the landed tables of a run: each source table's fingerprint, computed from its
physical columns, picks its blueprint. A table is routed when that blueprint is the contract
its source lands; otherwise it is quarantined, whether its fingerprint matches nothing (the
connector's schema drifted) or another contract (it holds another object's records), so
nothing is ever pushed into the wrong master model. Every fingerprint seen is kept in the
schema history; every quarantined table is recorded with its difference from the expected
contract and from the closest blueprint."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sbdk import warehouse
from sbdk.multitenant.blueprints import Blueprint, Registry, SchemaDifference, difference
from sbdk.multitenant.fingerprint import landed_columns
from sbdk.multitenant.platform import RAW_SCHEMA, SourceTable
from sbdk.multitenant.registry import REGISTRY_SCHEMA
from sbdk.statuses import StrEnum


class RoutingStatus(StrEnum):
    ROUTED = "routed"
    QUARANTINED = "quarantined"


@dataclass(frozen=True)
class QuarantinedTable:
    table: SourceTable
    source_schema_hash: str
    columns: tuple[tuple[str, str], ...]
    expected: Blueprint  # the contract the table's source lands
    closest: Blueprint  # the blueprint nearest to what landed
    difference: SchemaDifference  # from the expected contract

    @property
    def reason(self) -> str:
        if self.closest.source_schema_hash == self.source_schema_hash:
            return (
                f"has the schema of {self.closest.contract_id}, not of "
                f"{self.expected.contract_id} which its source lands"
            )
        return f"does not match {self.expected.contract_id}: {self.difference.describe()}"

    def describe(self) -> str:
        return f"{RAW_SCHEMA}.{self.table.name} {self.reason}"


@dataclass(frozen=True)
class RoutingResult:
    routed: dict[str, str] = field(default_factory=dict)  # landed table -> its fingerprint
    quarantined: list[QuarantinedTable] = field(default_factory=list)
    new_fingerprints: list[str] = field(default_factory=list)  # tables with a schema not seen

    @property
    def dbt_vars(self) -> dict[str, dict[str, str]]:
        """What the staging pushers need: the fingerprint of each routed table. A pusher whose
        table is not in it pushes nothing."""
        return {"sbdk_routes": dict(sorted(self.routed.items()))}


def route(path: Path, tables: list[SourceTable], run_id: str) -> RoutingResult:
    """Fingerprint the landed `tables`, route or quarantine each, and record it."""
    registry = Registry()
    by_key = {(b.api, b.version, b.object_name): b for b in registry.blueprints.values()}
    now = datetime.now(UTC).replace(tzinfo=None)
    result = RoutingResult()
    with warehouse.writing(path) as connection:
        landed = landed_columns(connection, RAW_SCHEMA)
        # The registry's own routing, by fingerprint alone; a table is then routed only to
        # the contract its source lands.
        by_fingerprint = registry.route({table.name: landed[table.name] for table in tables})
        connection.execute("begin")
        for table in tables:
            connector = table.connector
            expected = by_key[(connector.api, connector.version, table.object_name)]
            matched = by_fingerprint.routed.get(table.name)
            if matched == expected:
                fingerprint, canonical = matched.source_schema_hash, matched.columns
                result.routed[table.name] = fingerprint
                status, master_model = RoutingStatus.ROUTED, expected.master_model
            else:
                unmatched = by_fingerprint.quarantined.get(table.name)
                if unmatched is not None:
                    fingerprint, canonical = unmatched.source_schema_hash, unmatched.columns
                    closest = unmatched.closest
                else:  # another contract's schema
                    fingerprint, canonical, closest = (
                        matched.source_schema_hash, matched.columns, matched,
                    )  # fmt: skip
                quarantined = QuarantinedTable(
                    table, fingerprint, canonical, expected, closest,
                    difference(expected.columns, canonical),
                )  # fmt: skip
                result.quarantined.append(quarantined)
                _record_quarantine(connection, quarantined, run_id, now)
                status, master_model = RoutingStatus.QUARANTINED, None
            if _record_fingerprint(connection, table, fingerprint, canonical, status,
                                   master_model, run_id, now):  # fmt: skip
                result.new_fingerprints.append(table.name)
        connection.execute("commit")
    return result


def _record_fingerprint(connection, table, fingerprint, canonical, status, master_model,
                        run_id, now) -> bool:  # fmt: skip
    """Update the table's row for this fingerprint, or add one; True if it is new."""
    updated = connection.execute(
        f"update {REGISTRY_SCHEMA}.source_schema_history "
        "set last_seen_run_id = ?, last_seen_at = ?, routing_status = ? "
        "where source_table = ? and source_schema_hash = ? returning 1",
        [run_id, now, status.value, table.name, fingerprint],
    ).fetchall()
    if updated:
        return False
    connection.execute(
        f"insert into {REGISTRY_SCHEMA}.source_schema_history "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [table.name, table.tenant, table.platform, table.object_name, fingerprint,
         _columns_json(canonical), status.value, master_model, run_id, now, run_id, now],
    )  # fmt: skip
    return True


def _record_quarantine(connection, quarantined: QuarantinedTable, run_id: str, now) -> None:
    table, diff = quarantined.table, quarantined.difference
    connection.execute(
        f"insert into {REGISTRY_SCHEMA}.quarantined_tables "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, now, table.name, table.tenant, table.platform, table.object_name,
         quarantined.source_schema_hash, _columns_json(quarantined.columns),
         quarantined.expected.contract_id, quarantined.closest.contract_id,
         json.dumps(list(diff.missing)), json.dumps(list(diff.unexpected)),
         json.dumps([{"column": c, "expected": e, "landed": a} for c, e, a in diff.retyped]),
         quarantined.reason],
    )  # fmt: skip


def _columns_json(columns: tuple[tuple[str, str], ...]) -> str:
    return json.dumps([{"name": name, "type": kind} for name, kind in columns])
