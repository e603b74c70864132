"""The platform's registry in the warehouse (schema `registry`, see registry.sql): the
connector blueprints built from the landing contracts (`sbdk registry init`, and every run
when one is missing), and each version of each tenant's configuration."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from sbdk import warehouse
from sbdk.multitenant.blueprints import Registry
from sbdk.multitenant.platform import Platform

REGISTRY_SCHEMA = "registry"


@dataclass(frozen=True)
class RegistryResult:
    blueprints: int  # in the registry
    added: int  # by this call
    tenant_configs_changed: list[str]  # tenants whose configuration is a new version


def create_tables(connection) -> None:
    script = (resources.files("sbdk.multitenant") / "registry.sql").read_text(encoding="utf-8")
    connection.execute(script)


def init_registry(path: Path, registry: Registry | None = None) -> RegistryResult:
    """Register every contract's blueprint that is not registered yet; never removes one."""
    with warehouse.writing(path) as connection:
        connection.execute("begin")
        count, added = _register_blueprints(connection, registry or Registry())
        connection.execute("commit")
    return RegistryResult(count, added, [])


def init_project_registry(settings) -> RegistryResult:
    """`sbdk registry init`: the blueprints of every landing contract, in the warehouse."""
    from sbdk import project_lock
    from sbdk.multitenant.onboarding import require_multitenant

    require_multitenant(settings, "registry init")
    with project_lock.exclusive(settings.state_dir):
        return init_registry(settings.warehouse_path)


def record_run_registry(path: Path, platform: Platform, run_id: str) -> RegistryResult:
    """Before a run routes anything: the blueprints, and a new version of each tenant's
    configuration that changed since the last run."""
    now = _utc_now()
    with warehouse.writing(path) as connection:
        connection.execute("begin")
        count, added = _register_blueprints(connection, Registry())
        changed = []
        for tenant in platform.tenants.tenants:
            config = tenant.model_dump_json()
            digest = hashlib.md5(config.encode()).hexdigest()  # noqa: S324 - a fingerprint
            known = connection.execute(
                f"select 1 from {REGISTRY_SCHEMA}.tenant_config_history "
                "where tenant_slug = ? and config_hash = ?",
                [tenant.slug, digest],
            ).fetchone()
            if known:
                continue
            connection.execute(
                f"insert into {REGISTRY_SCHEMA}.tenant_config_history "
                "select ?, coalesce(max(config_version), 0) + 1, ?, ?, ?, ? "
                f"from {REGISTRY_SCHEMA}.tenant_config_history where tenant_slug = ?",
                [tenant.slug, digest, config, run_id, now, tenant.slug],
            )
            changed.append(tenant.slug)
        connection.execute("commit")
    return RegistryResult(count, added, changed)


def _register_blueprints(connection, registry: Registry) -> tuple[int, int]:
    """The registry's tables, and the blueprints not registered yet: (blueprints, added)."""
    create_tables(connection)
    added = _add_blueprints(connection, registry)
    count = connection.execute(
        f"select count(*) from {REGISTRY_SCHEMA}.connector_blueprints"
    ).fetchone()[0]
    return count, added


def _add_blueprints(connection, registry: Registry) -> int:
    known = {
        row[0]
        for row in connection.execute(
            f"select source_schema_hash from {REGISTRY_SCHEMA}.connector_blueprints"
        ).fetchall()
    }
    now = _utc_now()
    rows = [
        (b.source_schema_hash, b.contract_id, b.api, b.version, b.object_name, b.master_model,
         json.dumps([list(pair) for pair in b.columns]), now)
        for b in registry.blueprints.values()
        if b.source_schema_hash not in known
    ]  # fmt: skip
    if rows:
        connection.executemany(
            f"insert into {REGISTRY_SCHEMA}.connector_blueprints values (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return len(rows)


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
