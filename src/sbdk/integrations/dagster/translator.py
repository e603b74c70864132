"""Asset keys and groups: where the data lives (schema/table, landing/<source>/<stream>)."""

from collections.abc import Mapping, Sequence
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator

from sbdk.errors import SbdkError
from sbdk.incremental.streams import StreamConfig

PROCESSED_TAG = "processed"  # the dbt tag of the processed models (dbt_project.yml)


class WarehouseTranslator(DagsterDbtTranslator):
    """dbt nodes as assets keyed by their warehouse relation (schema/table) and grouped by
    schema; a processed model also depends on the landed files of its stream."""

    def __init__(self, streams: Sequence[StreamConfig]) -> None:
        super().__init__()
        self._landing_by_tag = {stream.tag: landing_key(stream) for stream in streams}

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)  # source/table: raw/raw_users
        return dg.AssetKey(list(relation(dbt_resource_props)))

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]

    def get_asset_spec(self, manifest, unique_id, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        if PROCESSED_TAG not in spec.tags:
            return spec
        landing = [key for tag, key in self._landing_by_tag.items() if tag in spec.tags]
        return spec.merge_attributes(deps=landing)


def landing_key(stream: StreamConfig) -> dg.AssetKey:
    return dg.AssetKey(["landing", stream.source, stream.name])


def relation(props: Mapping[str, Any]) -> tuple[str, str]:
    return props["schema"], props.get("alias") or props["name"]


def model_props(manifest: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    for props in manifest["nodes"].values():
        if props["resource_type"] == "model" and props["name"] == name:
            return props
    raise SbdkError(
        f"the dbt project has no model {name}: restore dbt/models/processed (`sbdk init . --force`)"
    )
