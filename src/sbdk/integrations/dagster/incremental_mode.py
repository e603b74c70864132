"""Incremental mode: `landing` (the next simulated days) feeds the processed models (sbdk's
StreamProcessor, batch by batch) and the dbt models downstream of them."""

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets
from dagster_dbt import DbtProject as DagsterDbtProject

from sbdk import build_mode, warehouse
from sbdk.config import Settings
from sbdk.incremental import cursors
from sbdk.incremental.processing import MODE_VARS, StreamProcessor
from sbdk.incremental.streams import StreamConfig
from sbdk.integrations.dagster.dbt_project import DbtInvoker
from sbdk.integrations.dagster.failures import check_result, one_line_failures
from sbdk.integrations.dagster.translator import (
    PROCESSED_TAG,
    WarehouseTranslator,
    landing_key,
    model_props,
    relation,
)
from sbdk.transform import DbtProject

# No `from __future__ import annotations`: Dagster reads the asset functions' annotations
# (the context type) at definition time.


def incremental_assets(
    settings: Settings,
    project: DagsterDbtProject,
    manifest: Mapping[str, Any],
    translator: WarehouseTranslator,
    runner: DbtInvoker,
    streams: Sequence[StreamConfig],
) -> list[dg.AssetsDefinition]:
    processed_keys = {
        stream.name: translator.get_asset_key(model_props(manifest, stream.model))
        for stream in streams
    }
    downstream_keys = {
        stream.name: _downstream_model_keys(manifest, translator, stream.model)
        for stream in streams
    }

    def unprocessed_streams() -> list[StreamConfig]:
        """The streams whose processed table does not exist yet (no file processed so far)."""
        with one_line_failures():
            existing = _existing_relations(settings.warehouse_path)
        return [
            stream
            for stream in streams
            if relation(model_props(manifest, stream.model)) not in existing
        ]

    @dg.multi_asset(
        name="landing",
        specs=[
            dg.AssetSpec(
                landing_key(stream),
                group_name="landing",
                kinds={"parquet"},
                description=f"Parquet files of stream {stream.source}/{stream.name} under the "
                "landing root, Hive-partitioned by extraction day; each materialization lands "
                "the next simulated days.",
            )
            for stream in streams
        ],
    )
    def landing(context: AssetExecutionContext):
        """Land the next [incremental] step_days simulated days, like `sbdk run --incremental`."""
        from sbdk.landing import land_next_days

        with one_line_failures():
            landed = land_next_days(settings, settings.landing_storage_options())
        if not landed.days:
            context.log.info("no new days: the simulated clock has reached the end of the window")
        for stream in streams:
            yield dg.MaterializeResult(
                asset_key=landing_key(stream),
                metadata={
                    "landed_days": ", ".join(str(day) for day in landed.days) or "none",
                    "rows": landed.rows.get(stream.name, 0),
                    "files": len(landed.files.get(stream.name, [])),
                },
            )

    @dbt_assets(
        manifest=manifest,
        project=project,
        select=f"tag:{PROCESSED_TAG}",
        dagster_dbt_translator=translator,
        name="processed_models",
    )
    def processed_models(context: AssetExecutionContext):
        """Process the new files of the selected streams in batches, advancing each stream's
        cursor after every batch (sbdk's StreamProcessor), then test the processed models."""
        dbt = DbtProject(settings)  # in process: its runner is warm by the time tests run
        with one_line_failures():
            processor = StreamProcessor(settings, dbt, settings.landing_storage_options())
            selected = [
                name for name, key in processed_keys.items() if key in context.selected_asset_keys
            ]
            outcomes = processor.process_new_files(only=selected)
        for outcome in outcomes:
            if outcome.failure:
                raise dg.Failure(f"stream {outcome.stream}: {outcome.failure}")
            yield dg.MaterializeResult(
                asset_key=processed_keys[outcome.stream],
                metadata={
                    "new_files": outcome.new_files,
                    "processed_files": outcome.processed_files,
                    "batches": outcome.batches,
                },
            )
        # dagster-dbt names a test's check after the test; a table no file was processed into
        # yet has nothing to test.
        missing = {processed_keys[stream.name] for stream in unprocessed_streams()}
        checks = {
            key.name: key
            for key in context.selected_asset_check_keys
            if key.asset_key not in missing
        }
        if checks:
            with one_line_failures():
                tested = dbt.test(sorted(checks), variables=MODE_VARS)
            if tested.error:
                raise dg.Failure(f"dbt test failed: {tested.error}")
            for node in tested.tests:
                if node.name in checks:
                    yield check_result(checks[node.name], node)

    @dbt_assets(
        manifest=manifest,
        project=project,
        exclude=f"tag:{PROCESSED_TAG}",
        dagster_dbt_translator=translator,
        name="dbt_models",
    )
    def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
        """Build and test the models downstream of the processed models (`dbt build`), but
        not yet those reading a stream none of whose files was processed so far: a stream's
        first run can come before another's, and they are built by that other stream's run."""
        waiting = unprocessed_streams()
        with one_line_failures():  # so that `sbdk test` tests them in this mode
            build_mode.record_built_mode(
                settings.warehouse_path, build_mode.INCREMENTAL, context.run.run_id
            )
        yield from runner.stream(
            "build", context, dbt, exclude=[f"{stream.model}+" for stream in waiting]
        )
        built = set(context.selected_asset_keys).difference(
            *(downstream_keys[stream.name] for stream in waiting)
        )
        # A stream whose every downstream model was rebuilt after its files were processed has
        # nothing left pending, which `sbdk run --incremental` would otherwise rebuild again.
        # Runs of several streams may share that work, hence the materializations on record.
        caught_up = [
            stream.name
            for stream in streams
            if _rebuilt_since(
                context.instance, processed_keys[stream.name], downstream_keys[stream.name], built
            )
        ]
        if caught_up:
            with one_line_failures():
                cursors.clear_pending_downstream(settings.warehouse_path, caught_up)

    return [landing, processed_models, dbt_models]


def _rebuilt_since(
    instance: dg.DagsterInstance,
    upstream: dg.AssetKey,
    downstream: set[dg.AssetKey],
    built_now: set[dg.AssetKey],
) -> bool:
    """Whether every asset of `downstream` was built in this run or materialized after the
    latest materialization of `upstream` (which, processed outside Dagster, has none)."""
    latest = instance.get_latest_materialization_event(upstream)
    for key in downstream - built_now:
        event = instance.get_latest_materialization_event(key)
        if latest is None or event is None or event.timestamp < latest.timestamp:
            return False
    return True


def _existing_relations(path: Path) -> set[tuple[str, str]]:
    """(schema, name) of every table and view in the warehouse."""
    with warehouse.connect(path, read_only=True) as connection:
        rows = connection.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    return {(schema, name) for schema, name in rows}


def _downstream_model_keys(
    manifest: Mapping[str, Any], translator: WarehouseTranslator, model: str
) -> set[dg.AssetKey]:
    """The asset keys of every model built on `model`, directly or not (ephemeral models are
    inlined into others, never built: they are no assets)."""
    children = manifest["child_map"]
    pending, seen = [model_props(manifest, model)["unique_id"]], set()
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in seen:
                seen.add(child)
                pending.append(child)
    nodes = manifest["nodes"]
    return {
        translator.get_asset_key(nodes[unique_id])
        for unique_id in seen
        if unique_id in nodes
        and nodes[unique_id]["resource_type"] == "model"
        and nodes[unique_id]["config"].get("materialized") != "ephemeral"
    }
