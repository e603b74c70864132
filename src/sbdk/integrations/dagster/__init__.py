"""An sbdk project as Dagster definitions: `dagster dev` in a project shows and runs its graph.

    defs = build_definitions(Path("demo"))  # what the project's definitions.py does

The package: translator.py (asset keys and groups), dbt_project.py (the parsed manifest and
the dbt CLI resource), full_mode.py and incremental_mode.py (the assets of each mode),
sensors.py (one per stream), run_history.py (Dagster's runs in `sbdk history`) and
failures.py (errors and test results in Dagster's terms).

The graph follows the project's mode ([incremental] enabled in sbdk.toml), which decides at
dbt parse time which models exist:

- full: the multi-asset `raw_tables` generates the synthetic world and loads it with dlt into
  the dbt sources raw.raw_users / raw_events / raw_orders; every dbt model is an asset and
  every data test an asset check (dagster-dbt), built by `dbt build`.
- incremental: the multi-asset `landing` lands the next simulated days (sbdk.landing) as
  landing/app/<stream>; the processed models processed/int_app__<stream> take each stream's
  new files through sbdk's StreamProcessor (batches, cursors); the models downstream of them
  are dbt assets again. One sensor per stream (`app_<stream>_sensor`) watches the
  landing area and requests a run of the job selecting
  AssetSelection.tag("app__<stream>").downstream().

Asset keys say where the data lives: warehouse relations as schema/table (raw/raw_users,
marts/user_metrics), landed files as landing/<source>/<stream>; asset groups are the schemas.
Dagster's own state stays in the project (the project's dagster.yaml), and so does dbt's.
"""

import json
import os
from collections.abc import Mapping
from pathlib import Path

from sbdk.errors import SbdkError

try:
    import dagster as dg  # noqa: F401
    import dagster_dbt  # noqa: F401
except ImportError as error:  # an optional extra: say how to get it, in one line
    raise SbdkError(
        f"the Dagster integration needs dagster and dagster-dbt ({error}): "
        "install sbdk[dagster] (pip install 'sbdk[dagster]')"
    ) from None

import dagster as dg
from dagster_dbt import DbtCliResource

from sbdk import catalogue
from sbdk.config import load_settings
from sbdk.incremental.processing import MODE_VARS
from sbdk.incremental.streams import read_stream_configs
from sbdk.integrations.dagster.dbt_project import (
    DAGSTER_DIR,
    DbtInvoker,
    dbt_executable,
    prepare_dbt_project,
)
from sbdk.integrations.dagster.full_mode import full_mode_assets
from sbdk.integrations.dagster.incremental_mode import incremental_assets
from sbdk.integrations.dagster.run_history import run_history_sensors
from sbdk.integrations.dagster.sensors import stream_sensor
from sbdk.integrations.dagster.translator import WarehouseTranslator, landing_key

__all__ = ["DAGSTER_DIR", "LAND_JOB", "RUN_JOB", "build_definitions"]

RUN_JOB = "sbdk_run"
LAND_JOB = "land_next_days"


def build_definitions(
    project_dir: Path | str, environ: Mapping[str, str] | None = None
) -> dg.Definitions:
    """The Definitions of the sbdk project at `project_dir`, for the mode of its sbdk.toml.

    Settings are read like the CLI reads them (sbdk.toml, then SBDK_* variables of `environ`,
    by default the process environment); the dbt manifest is parsed for the project's mode.
    """
    root = Path(project_dir).resolve()
    settings = load_settings(root, os.environ if environ is None else environ)
    incremental = settings.config.incremental.enabled
    mode_vars = MODE_VARS if incremental else {"sbdk_mode": "full"}
    dbt_vars = {**settings.config.dbt.vars, **catalogue.dbt_vars(), **mode_vars}
    project = prepare_dbt_project(settings, dbt_vars)
    manifest = json.loads(project.manifest_path.read_text(encoding="utf-8"))
    streams = read_stream_configs(settings.streams_dir)
    translator = WarehouseTranslator(streams)
    runner = DbtInvoker(settings, dbt_vars)

    sensors: list[dg.SensorDefinition] = []
    if incremental:
        assets = incremental_assets(settings, project, manifest, translator, runner, streams)
        jobs = [
            dg.define_asset_job(
                LAND_JOB,
                selection=dg.AssetSelection.assets(*(landing_key(s) for s in streams)),
                description="Land the next [incremental] step_days simulated days of every "
                "stream as Parquet files.",
            )
        ]
        for stream in streams:
            job = dg.define_asset_job(
                f"process_{stream.tag}",
                selection=dg.AssetSelection.tag(stream.tag, "").downstream(),
                description=f"Process the new files of stream {stream.source}/{stream.name}, "
                "then rebuild and test every model downstream of it.",
            )
            jobs.append(job)
            sensors.append(stream_sensor(settings, stream, job))
    else:
        assets = full_mode_assets(settings, project, manifest, translator, runner)
        jobs = []
    jobs.append(
        dg.define_asset_job(
            RUN_JOB,
            selection=dg.AssetSelection.all(),
            description="Everything `sbdk run` does in this mode, as one run.",
        )
    )
    sensors += run_history_sensors(settings, str(mode_vars["sbdk_mode"]))
    return dg.Definitions(
        assets=assets,
        jobs=jobs,
        sensors=sensors,
        resources={"dbt": DbtCliResource(project_dir=project, dbt_executable=dbt_executable())},
        # DuckDB admits one writer: the steps of a run take turns in one process.
        executor=dg.in_process_executor,
    )
