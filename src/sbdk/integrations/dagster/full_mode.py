"""Full mode: `raw_tables` (generate and load with dlt) feeds every dbt model (`dbt build`)."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_dbt import DbtProject as DagsterDbtProject

from sbdk import build_mode, catalogue, warehouse
from sbdk.config import Settings
from sbdk.errors import SbdkError
from sbdk.integrations.dagster.dbt_project import DbtInvoker
from sbdk.integrations.dagster.failures import one_line_failures
from sbdk.integrations.dagster.translator import WarehouseTranslator

# No `from __future__ import annotations`: Dagster reads the asset functions' annotations
# (the context type) at definition time.


def full_mode_assets(
    settings: Settings,
    project: DagsterDbtProject,
    manifest: Mapping[str, Any],
    translator: WarehouseTranslator,
    runner: DbtInvoker,
) -> list[dg.AssetsDefinition]:
    @dbt_assets(
        manifest=manifest, project=project, dagster_dbt_translator=translator, name="dbt_models"
    )
    def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
        """Build and test the dbt models (`dbt build`)."""
        with one_line_failures():  # so that `sbdk test` tests them in this mode
            build_mode.record_built_mode(
                settings.warehouse_path, build_mode.FULL, context.run.run_id
            )
        yield from runner.stream("build", context, dbt)

    raw_keys = _raw_source_keys(manifest, translator)

    @dg.multi_asset(
        name="raw_tables",
        specs=[
            dg.AssetSpec(
                key,
                group_name=warehouse.RAW_SCHEMA,
                kinds={"dlt", "duckdb"},
                description=f"Synthetic {table.removeprefix('raw_')} (seed and sizes from "
                "sbdk.toml [data]), loaded with dlt; each load replaces the table.",
            )
            for table, key in raw_keys.items()
        ],
    )
    def raw_tables(context: AssetExecutionContext):
        """Generate the synthetic world and load it into the raw schema, like `sbdk run`."""
        from sbdk.pipelines.load import load_raw
        from sbdk.pipelines.synthetic import generate

        with one_line_failures():
            warehouse.ensure_writable(
                settings.warehouse_path, settings.config.warehouse.storage_version
            )
            tables = generate(settings.config.data).by_raw_name()
            loaded = load_raw(tables, settings.warehouse_path, settings.state_dir)
        for table, key in raw_keys.items():
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={"rows": loaded.row_counts[table], "load_id": loaded.load_id},
            )

    return [raw_tables, dbt_models]


def _raw_source_keys(
    manifest: Mapping[str, Any], translator: WarehouseTranslator
) -> dict[str, dg.AssetKey]:
    """raw table -> the asset key of the dbt source that reads it."""
    sources = {
        props["name"]: translator.get_asset_key(props)
        for props in manifest["sources"].values()
        if props["source_name"] == warehouse.RAW_SCHEMA
    }
    missing = [table for table in catalogue.RAW_TABLES if table not in sources]
    if missing:
        raise SbdkError(
            f"the dbt project declares no source {warehouse.RAW_SCHEMA}.{missing[0]}: "
            "restore dbt/models/staging/_sources.yml (`sbdk init . --force`)"
        )
    return {table: sources[table] for table in catalogue.RAW_TABLES}
