"""An sbdk project as Dagster definitions: `dagster dev` in a project shows and runs its graph.

    defs = build_definitions(Path("demo"))  # what the project's definitions.py does

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

# No `from __future__ import annotations`: Dagster reads the asset functions' annotations
# (the context type) at definition time.
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version
from pathlib import Path
from typing import Any

from sbdk.errors import SbdkError

try:
    import dagster as dg
    from dagster import AssetExecutionContext
    from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
    from dagster_dbt import DbtProject as DagsterDbtProject
    from packaging.version import Version  # a dependency of dagster-dbt
except ImportError as error:  # an optional extra: say how to get it, in one line
    raise SbdkError(
        f"the Dagster integration needs dagster and dagster-dbt ({error}): "
        "install sbdk[dagster] (pip install 'sbdk[dagster]')"
    ) from None

from sbdk import build_mode, catalogue, warehouse
from sbdk.config import STATE_DIR, Settings, load_settings
from sbdk.environment import scoped_environment
from sbdk.incremental import cursors
from sbdk.incremental.discovery import LandedFile, files_after, list_landed_files
from sbdk.incremental.processing import MODE_VARS, StreamProcessor
from sbdk.incremental.streams import StreamConfig, read_stream_configs
from sbdk.statuses import NodeStatus
from sbdk.transform import DbtProject, NodeResult, dbt_environment

DAGSTER_DIR = f"{STATE_DIR}/dagster"  # relative to the project; the template's dagster.yaml agrees
PROCESSED_TAG = "processed"  # the dbt tag of the processed models (dbt_project.yml)
RUN_JOB = "sbdk_run"
LAND_JOB = "land_next_days"
SENSOR_INTERVAL_SECONDS = 30
# What dbt writes inside its project; not part of what a manifest is parsed from.
_DBT_OUTPUT_DIRS = {"target", "logs", "dbt_packages"}
_PARSE_STAMP = "sbdk_parse_fingerprint"
_PARTIAL_PARSE = "partial_parse.msgpack"


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
    runner = _DbtInvoker(settings, dbt_vars)

    sensors: list[dg.SensorDefinition] = []
    if incremental:
        assets = _incremental_assets(settings, project, manifest, translator, runner, streams)
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
            sensors.append(_stream_sensor(settings, stream, job))
    else:
        assets = _full_mode_assets(settings, project, manifest, translator, runner)
        jobs = []
    jobs.append(
        dg.define_asset_job(
            RUN_JOB,
            selection=dg.AssetSelection.all(),
            description="Everything `sbdk run` does in this mode, as one run.",
        )
    )
    return dg.Definitions(
        assets=assets,
        jobs=jobs,
        sensors=sensors,
        resources={
            "dbt": LocalDbtCliResource(project_dir=project, dbt_executable=_dbt_executable())
        },
        # DuckDB admits one writer: the steps of a run take turns in one process.
        executor=dg.in_process_executor,
    )


class LocalDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource, without its `dbt --version` call before the first
    command of every run: that call also asks PyPI for dbt's latest release (a network
    request, or a 1 s timeout offline), and what dagster-dbt needs is the version installed
    here, the one sbdk pins."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(version("dbt-core"))


def prepare_dbt_project(settings: Settings, dbt_vars: Mapping[str, Any]) -> DagsterDbtProject:
    """The dbt project with a manifest parsed with `dbt_vars`.

    Every process that loads the definitions (the code server, each run worker) calls this,
    so dbt parses only when a file of the dbt project, the vars or dbt changed since the last
    parse. The parse writes into a directory of its own and the manifest is moved into place
    whole, so a process loading the definitions at the same time never reads half of it.
    """
    vars_json = json.dumps(dbt_vars, sort_keys=True, default=str)
    target = settings.root / DAGSTER_DIR / "dbt" / str(dbt_vars["sbdk_mode"])
    project = DagsterDbtProject(
        project_dir=settings.dbt_dir, profiles_dir=settings.dbt_dir, target_path=target
    )
    fingerprint = _parse_fingerprint(settings.dbt_dir, vars_json)
    stamp = target / _PARSE_STAMP
    if project.manifest_path.is_file() and stamp.is_file() and stamp.read_text() == fingerprint:
        return project
    target.mkdir(parents=True, exist_ok=True)
    parse_dir = Path(tempfile.mkdtemp(prefix="parse-", dir=target))
    try:
        partial = target / _PARTIAL_PARSE
        if partial.is_file():  # dbt checks that it still applies, and re-reads what changed
            shutil.copy2(partial, parse_dir / _PARTIAL_PARSE)
        # In process: the dbt import is shared with what runs the assets later.
        DbtProject(settings).parse(dbt_vars, target_path=parse_dir)
        if (parse_dir / _PARTIAL_PARSE).is_file():  # not with partial_parse: false
            os.replace(parse_dir / _PARTIAL_PARSE, partial)
        os.replace(parse_dir / "manifest.json", project.manifest_path)
        stamp.write_text(fingerprint)
    finally:
        shutil.rmtree(parse_dir, ignore_errors=True)
    return project


class WarehouseTranslator(DagsterDbtTranslator):
    """dbt nodes as assets keyed by their warehouse relation (schema/table) and grouped by
    schema; a processed model also depends on the landed files of its stream."""

    def __init__(self, streams: Sequence[StreamConfig]) -> None:
        super().__init__()
        self._landing_by_tag = {stream.tag: landing_key(stream) for stream in streams}

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)  # source/table: raw/raw_users
        return dg.AssetKey(list(_relation(dbt_resource_props)))

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


def unprocessed_files(settings: Settings, stream: StreamConfig) -> list[LandedFile]:
    """The landed files of `stream` after its cursor, read without locking the warehouse."""
    landed = list_landed_files(
        settings.landing_root, stream.source, stream.name, settings.landing_storage_options()
    )
    return files_after(landed, cursors.peek_cursors(settings.warehouse_path).get(stream.name))


class _DbtInvoker:
    """Runs dbt commands for dagster-dbt assets with the vars and environment of sbdk's own
    invocations (transform.py), so both build the same tables."""

    def __init__(self, settings: Settings, dbt_vars: Mapping[str, Any]) -> None:
        self.settings = settings
        self.dbt_vars = dict(dbt_vars)

    def stream(
        self,
        command: str,
        context: AssetExecutionContext,
        dbt: DbtCliResource,
        exclude: Sequence[str] = (),
    ) -> Iterator[Any]:
        args = [
            command,
            "--vars", json.dumps(self.dbt_vars, default=str),
            "--threads", str(self.settings.config.dbt.threads),
        ]  # fmt: skip
        for selector in exclude:  # on top of the selection dagster-dbt derives from the context
            args += ["--exclude", selector]
        # One directory for every invocation rather than dagster-dbt's one per invocation,
        # which would pile up: runs take turns anyway (one DuckDB writer).
        target = self.settings.root / DAGSTER_DIR / "dbt" / "runs"
        with scoped_environment(dbt_environment(self.settings)):
            invocation = dbt.cli(args, context=context, target_path=target)
        yield from invocation.stream()


def _full_mode_assets(
    settings: Settings,
    project: DagsterDbtProject,
    manifest: Mapping[str, Any],
    translator: WarehouseTranslator,
    runner: _DbtInvoker,
) -> list[dg.AssetsDefinition]:
    @dbt_assets(
        manifest=manifest, project=project, dagster_dbt_translator=translator, name="dbt_models"
    )
    def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource):
        """Build and test the dbt models (`dbt build`)."""
        with _one_line_failures():  # so that `sbdk test` tests them in this mode
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

        with _one_line_failures():
            warehouse.ensure_writable(settings.warehouse_path)
            tables = generate(settings.config.data).by_raw_name()
            loaded = load_raw(tables, settings.warehouse_path, settings.state_dir)
        for table, key in raw_keys.items():
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={"rows": loaded.row_counts[table], "load_id": loaded.load_id},
            )

    return [raw_tables, dbt_models]


def _incremental_assets(
    settings: Settings,
    project: DagsterDbtProject,
    manifest: Mapping[str, Any],
    translator: WarehouseTranslator,
    runner: _DbtInvoker,
    streams: Sequence[StreamConfig],
) -> list[dg.AssetsDefinition]:
    processed_keys = {
        stream.name: translator.get_asset_key(_model(manifest, stream.model)) for stream in streams
    }
    downstream_keys = {
        stream.name: _downstream_model_keys(manifest, translator, stream.model)
        for stream in streams
    }

    def unprocessed_streams() -> list[StreamConfig]:
        """The streams whose processed table does not exist yet (no file processed so far)."""
        with _one_line_failures():
            existing = _existing_relations(settings.warehouse_path)
        return [
            stream
            for stream in streams
            if _relation(_model(manifest, stream.model)) not in existing
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

        with _one_line_failures():
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
        with _one_line_failures():
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
            with _one_line_failures():
                tested = dbt.test(sorted(checks), variables=MODE_VARS)
            if tested.error:
                raise dg.Failure(f"dbt test failed: {tested.error}")
            for node in tested.tests:
                if node.name in checks:
                    yield _check_result(checks[node.name], node)

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
        with _one_line_failures():  # so that `sbdk test` tests them in this mode
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
            with _one_line_failures():
                cursors.clear_pending_downstream(settings.warehouse_path, caught_up)

    return [landing, processed_models, dbt_models]


def _stream_sensor(settings: Settings, stream: StreamConfig, job: Any) -> dg.SensorDefinition:
    @dg.sensor(
        name=f"{stream.source}_{stream.name}_sensor",
        job=job,
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Requests a run of {job.name} when files of stream "
        f"{stream.source}/{stream.name} landed after the stream's cursor.",
    )
    def stream_sensor(context: dg.SensorEvaluationContext):
        try:
            new_files = unprocessed_files(settings, stream)
        except SbdkError as error:  # e.g. a run holds the warehouse: look again next tick
            return dg.SkipReason(str(error))
        if not new_files:
            return dg.SkipReason(f"no new files of {stream.source}/{stream.name}")
        # Keyed by the newest new file: ticks while that run waits or works ask for the same
        # key, which Dagster skips; a failed run is retried by re-executing it.
        return dg.RunRequest(
            run_key=f"{stream.tag}:{new_files[-1].key}",
            tags={"sbdk/stream": stream.tag, "sbdk/new_files": str(len(new_files))},
        )

    return stream_sensor


def _check_result(key: dg.AssetCheckKey, node: NodeResult) -> dg.AssetCheckResult:
    """A dbt test's result as dagster-dbt reports it: a warning fails with severity WARN."""
    metadata: dict[str, Any] = {"status": str(node.status)}  # Dagster stores plain strings
    if node.failures is not None:
        metadata["failing_rows"] = node.failures
    if node.failures_relation:
        metadata["failing_rows_table"] = node.failures_relation
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=node.status == NodeStatus.PASS,
        severity=dg.AssetCheckSeverity.WARN
        if node.status == NodeStatus.WARN
        else dg.AssetCheckSeverity.ERROR,
        metadata=metadata,
        description=node.message or None,
    )


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


def _model(manifest: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    for props in manifest["nodes"].values():
        if props["resource_type"] == "model" and props["name"] == name:
            return props
    raise SbdkError(
        f"the dbt project has no model {name}: restore dbt/models/processed (`sbdk init . --force`)"
    )


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


def _relation(props: Mapping[str, Any]) -> tuple[str, str]:
    return props["schema"], props.get("alias") or props["name"]


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
    pending, seen = [_model(manifest, model)["unique_id"]], set()
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


def _parse_fingerprint(dbt_dir: Path, vars_json: str) -> str:
    """What a parsed manifest depends on: dbt's version, the vars, the project's files."""
    digest = hashlib.sha256(f"{version('dbt-core')}\n{vars_json}\n".encode())
    for directory, subdirectories, files in os.walk(dbt_dir):
        if Path(directory) == dbt_dir:
            subdirectories[:] = [d for d in subdirectories if d not in _DBT_OUTPUT_DIRS]
        subdirectories.sort()
        for name in sorted(files):
            path = Path(directory, name)
            stat = path.stat()
            digest.update(
                f"{path.relative_to(dbt_dir)}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode()
            )
    return digest.hexdigest()


def _dbt_executable() -> str:
    """The dbt of this Python environment, also when its scripts are not on PATH (pipx, or a
    venv's python run without activating it)."""
    for name in ("dbt", "dbt.exe"):
        beside = Path(sys.executable).with_name(name)
        if beside.is_file():
            return str(beside)
    return "dbt"


@contextmanager
def _one_line_failures() -> Iterator[None]:
    """sbdk's errors fail the step with their message, without a traceback."""
    try:
        yield
    except SbdkError as error:
        raise dg.Failure(description=str(error)) from None
