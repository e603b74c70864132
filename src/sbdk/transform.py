"""dbt run and test through dbt's Python API, with results as plain objects.

The project is parsed once per set of vars and the manifest handed to every later
invocation, until a file of the dbt project changes; dbt's partial parsing
(`target/partial_parse.msgpack`) makes that parse cheap in a new process.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sbdk import catalogue
from sbdk.config import Settings
from sbdk.dbt_fingerprint import project_files_fingerprint
from sbdk.environment import scoped_environment
from sbdk.errors import SbdkError, one_line
from sbdk.statuses import NODE_FAILING, NODE_OK, NODE_WITH_ROWS, NodeStatus, node_status

# The bundled profiles.yml reads the warehouse path from here, so a project works from any
# directory; plain `dbt` run from the project root falls back to the relative default.
WAREHOUSE_ENV = "SBDK_WAREHOUSE_PATH"
# With an s3:// landing root, the profile registers s3fs with DuckDB (`filesystems:`), so the
# processed models read s3:// through fsspec: DuckDB's httpfs cannot be installed offline.
# Credentials are not passed: s3fs reads the standard AWS_* variables itself.
LANDING_FILESYSTEM_ENV = "SBDK_LANDING_FILESYSTEM"
S3_ENDPOINT_ENV = "SBDK_INCREMENTAL_S3_ENDPOINT_URL"
TEST_RESOURCE_TYPES = {"test", "unit_test"}


@dataclass(frozen=True)
class NodeResult:
    unique_id: str
    name: str
    resource_type: str  # model, test, unit_test, seed, snapshot
    status: NodeStatus | str  # a NodeStatus; a status of a newer dbt stays a string
    seconds: float
    message: str = ""
    failures: int | None = None
    failures_relation: str | None = None  # where dbt stored the failing rows
    failures_table: str | None = None  # where a data test's rows go when they are stored

    @property
    def is_test(self) -> bool:
        return self.resource_type in TEST_RESOURCE_TYPES

    @property
    def ok(self) -> bool:
        return self.status in NODE_OK


@dataclass
class DbtResult:
    command: str
    success: bool
    nodes: list[NodeResult] = field(default_factory=list)
    error: str | None = None  # dbt could not run at all (parse or compile error, bad selector)
    invocation_id: str | None = None  # joins to the observability.* tables dbt's hooks fill

    @property
    def models(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.resource_type == "model"]

    @property
    def tests(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.is_test]

    @property
    def failed(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in NODE_FAILING]

    @property
    def models_built(self) -> int:
        return sum(1 for node in self.models if node.ok)

    @property
    def tests_passed(self) -> int:
        return sum(1 for node in self.tests if node.ok)

    @property
    def tests_warned(self) -> int:
        return sum(1 for node in self.tests if node.status == NodeStatus.WARN)

    @property
    def skipped(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status == NodeStatus.SKIPPED]


@dataclass(frozen=True)
class NodeProgress:
    """A node dbt is starting or has finished, for live progress display."""

    name: str
    resource_type: str
    index: int
    total: int
    status: str | None = None  # None while running
    seconds: float = 0.0


ProgressCallback = Callable[[NodeProgress], None]


class DbtProject:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._runner: Any = None
        self._parsed_runners: dict[str, tuple[str, Any]] = {}  # vars -> (files, runner)
        self._progress: ProgressCallback | None = None

    def run(
        self,
        select: Sequence[str],
        *,
        exclude: Sequence[str] = (),
        variables: Mapping[str, Any] | None = None,
        full_refresh: bool = False,
        progress: ProgressCallback | None = None,
        parse_with: Mapping[str, Any] | None = None,
    ) -> DbtResult:
        """`dbt run`: models only, e.g. one batch of files through a stream's processed model.

        The manifest is parsed with `parse_with` (default: `variables`) and reused: vars that
        change per call (a batch's files) would otherwise force a full re-parse (~1 s) on
        every call. Vars that change the graph must be in `parse_with`.
        """
        return self._invoke(
            "run",
            select,
            progress,
            exclude=exclude,
            variables=variables,
            full_refresh=full_refresh,
            parse_with=parse_with,
        )

    def test(
        self,
        select: Sequence[str] = (),
        progress: ProgressCallback | None = None,
        *,
        variables: Mapping[str, Any] | None = None,
        parse_with: Mapping[str, Any] | None = None,
    ) -> DbtResult:
        """`dbt test`; the failing rows of the tests that fail or warn are stored, one table
        per test in `test_failures` (see failing_rows.py)."""
        from sbdk import failing_rows

        def rerun_storing(names: Sequence[str]) -> DbtResult:
            return self._invoke(
                "test", names, None, variables=variables, parse_with=parse_with,
                store_failures=True,
            )  # fmt: skip

        result = self._invoke("test", select, progress, variables=variables, parse_with=parse_with)
        return failing_rows.store(result, rerun_storing, self.settings.warehouse_path)

    def _invoke(
        self,
        command: str,
        select: Sequence[str],
        progress: ProgressCallback | None,
        *,
        exclude: Sequence[str] = (),
        variables: Mapping[str, Any] | None = None,
        full_refresh: bool = False,
        parse_with: Mapping[str, Any] | None = None,
        store_failures: bool = False,
    ) -> DbtResult:
        dbt_dir = self.settings.dbt_dir
        if not (dbt_dir / "dbt_project.yml").is_file():
            raise SbdkError(
                f"no dbt project at {dbt_dir}: run `sbdk init . --force` in the project "
                "to restore the bundled one"
            )
        args = [command, *self._common_args(), *self._vars_args(variables)]
        for selector in select:
            args += ["--select", selector]
        for selector in exclude:
            args += ["--exclude", selector]
        if full_refresh:
            args.append("--full-refresh")
        if store_failures:
            args.append("--store-failures")

        self._progress = progress
        try:
            with scoped_environment(dbt_environment(self.settings)):
                runner = self._parsed((variables or {}) if parse_with is None else parse_with)
                outcome = runner.invoke(args)
        finally:
            self._progress = None
            _release_warehouse()
        result = _to_result(command, outcome, store_failures)
        result.invocation_id = _last_invocation_id()
        if select and result.success and not result.nodes:
            # dbt treats a selector that matches nothing as success; that is usually a typo.
            raise SbdkError(f"--select {' '.join(select)} matched nothing in {dbt_dir}")
        return result

    def _common_args(self) -> list[str]:
        dbt_dir = str(self.settings.dbt_dir)
        return [
            "--project-dir", dbt_dir,
            "--profiles-dir", dbt_dir,
            "--threads", str(self.settings.config.dbt.threads),
            "--log-level", "none",
            "--log-level-file", "info",
            "--no-use-colors",
            "--no-version-check",
        ]  # fmt: skip

    def _vars_args(self, variables: Mapping[str, Any] | None) -> list[str]:
        merged = {**self.settings.config.dbt.vars, **catalogue.dbt_vars(), **(variables or {})}
        return ["--vars", json.dumps(merged, default=str)]

    def parse(
        self,
        variables: Mapping[str, Any] | None = None,
        target_path: Path | None = None,
        *,
        write_json: bool = True,
    ) -> Any:
        """`dbt parse` with `variables`; returns dbt's manifest. manifest.json (unless not
        `write_json`) and the partial parse file dbt reuses are written to `target_path`, by
        default the project's target/."""
        args = ["parse", *self._common_args(), *self._vars_args(variables)]
        if target_path is not None:
            args += ["--target-path", str(target_path)]
        if not write_json:
            args.append("--no-write-json")
        with scoped_environment(dbt_environment(self.settings)):
            outcome = self._dbt_runner().invoke(args)
        if not outcome.success or outcome.result is None:
            reason = one_line(str(outcome.exception)) if outcome.exception else "see dbt.log"
            raise SbdkError(f"dbt could not parse the project: {reason}")
        return outcome.result

    def generate_docs(self) -> Path:
        """`dbt docs generate`: the manifest, the catalog (read from the warehouse) and dbt's
        docs page in target/; returns that folder."""
        args = ["docs", "generate", *self._common_args(), *self._vars_args(None)]
        try:
            with scoped_environment(dbt_environment(self.settings)):
                outcome = self._dbt_runner().invoke(args)
        finally:
            _release_warehouse()
        if not outcome.success:
            reason = one_line(str(outcome.exception)) if outcome.exception else "see dbt.log"
            raise SbdkError(f"dbt docs generate failed: {reason}")
        return self.settings.dbt_dir / "target"

    def _parsed(self, variables: Mapping[str, Any]) -> Any:
        """A runner holding a manifest parsed with `variables`, reused while no file of the
        dbt project changes: loading even a partially parsed manifest costs ~0.6 s per
        invocation, parsing it again after a change far more. Every dbt invocation writes
        manifest.json itself, so the parse does not."""
        key = json.dumps(variables, sort_keys=True, default=str)
        files = project_files_fingerprint(self.settings.dbt_dir)
        cached = self._parsed_runners.get(key)
        if cached is None or cached[0] != files:
            manifest = self.parse(variables, write_json=False)
            from dbt.cli.main import dbtRunner

            cached = (files, dbtRunner(manifest=manifest, callbacks=[self._on_event]))
            self._parsed_runners[key] = cached
        _forget_compilation(cached[1].manifest)
        return cached[1]

    def _dbt_runner(self) -> Any:
        if self._runner is None:
            from dbt.cli.main import dbtRunner
            from dbt_common.events.event_manager_client import cleanup_event_logger

            # dbt starts with a stdout logger that prints until our flags are applied; an
            # error (or Ctrl-C) in that window would print a traceback. Start silent instead.
            cleanup_event_logger()
            self._runner = dbtRunner(callbacks=[self._on_event])
        return self._runner

    def _on_event(self, event: Any) -> None:
        if self._progress is None:
            return
        name = event.info.name
        if name == "LogStartLine":
            node = event.data.node_info
            self._progress(
                NodeProgress(
                    name=node.node_name,
                    resource_type=node.resource_type,
                    index=event.data.index,
                    total=event.data.total,
                )
            )
        elif name == "NodeFinished":
            node = event.data.node_info
            result = event.data.run_result
            self._progress(
                NodeProgress(
                    name=node.node_name,
                    resource_type=node.resource_type,
                    index=0,
                    total=0,
                    status=result.status or node.node_status,
                    seconds=result.execution_time,
                )
            )


def _forget_compilation(manifest: Any) -> None:
    """Make a reused manifest compile as a freshly parsed one does. dbt compiles nodes in the
    manifest it is given and keeps what it did: a node compiled once is not given its
    ephemeral models' CTEs again (dim_customers would select from a CTE that is not there),
    and a test compiled with --store-failures keeps the table name it stored its rows in."""
    for node in manifest.nodes.values():
        if getattr(node, "extra_ctes_injected", False):
            node.extra_ctes_injected = False
            node.extra_ctes = []
        if node.resource_type == "test" and not getattr(node.config, "store_failures", None):
            node.relation_name = None


def dbt_environment(settings: Settings) -> dict[str, str]:
    """The environment variables every dbt invocation of the project runs with: the profile
    reads the warehouse path, and what it needs to read an s3:// landing root (empty values:
    nothing), from them."""
    import importlib.util

    incremental = settings.config.incremental
    # Without s3fs, incremental runs stop earlier with a clear error; full-mode builds,
    # which read no landed file, must not fail on it.
    s3 = settings.landing_is_s3 and importlib.util.find_spec("s3fs") is not None
    return {
        WAREHOUSE_ENV: str(settings.warehouse_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        LANDING_FILESYSTEM_ENV: "s3" if s3 else "",
        S3_ENDPOINT_ENV: (incremental.s3_endpoint_url or "") if s3 else "",
    }


def _release_warehouse() -> None:
    """dbt-duckdb keeps its DuckDB instance open for the life of the process; close it so the
    file lock is released and the next load or query (or another process) can open it."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # dbt was never imported
        return
    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        if environment is not None:
            environment.close()
        DuckDBConnectionManager.close_all_connections()


def _last_invocation_id() -> str | None:
    try:
        from dbt_common.invocation import get_invocation_id
    except ImportError:
        return None
    return get_invocation_id()


def _to_result(command: str, outcome: Any, stored_failures: bool = False) -> DbtResult:
    if isinstance(outcome.exception, KeyboardInterrupt):
        raise KeyboardInterrupt  # dbt returns Ctrl-C as a result; the user asked to stop
    if outcome.exception is not None:
        message = one_line(str(outcome.exception)) or type(outcome.exception).__name__
        return DbtResult(command, success=False, error=message)
    run_results = outcome.result
    if run_results is None or not hasattr(run_results, "results"):
        return DbtResult(command, success=bool(outcome.success), error=None)
    nodes = [_node_result(r, stored_failures) for r in run_results.results]
    error = None
    if not outcome.success and not any(n.status in NODE_FAILING for n in nodes):
        error = "dbt reported a failure without a failing node; see dbt/logs/dbt.log"
    return DbtResult(command, success=bool(outcome.success), nodes=nodes, error=error)


def _node_result(result: Any, stored_failures: bool = False) -> NodeResult:
    """`stored_failures`: dbt ran with --store-failures."""
    node = result.node
    status = node_status(str(getattr(result.status, "value", result.status)))
    is_test = node.resource_type in TEST_RESOURCE_TYPES
    table = f"{node.schema}.{node.alias}" if node.resource_type == "test" else None
    stored = stored_failures or bool(getattr(node.config, "store_failures", None))
    with_rows = stored and status in NODE_WITH_ROWS
    return NodeResult(
        unique_id=node.unique_id,
        name=node.name,
        resource_type=str(getattr(node.resource_type, "value", node.resource_type)),
        status=status,
        seconds=float(result.execution_time or 0.0),
        message=one_line(result.message or ""),
        failures=result.failures if is_test else None,
        failures_relation=table if with_rows else None,
        failures_table=table,
    )


def dbt_log_path(dbt_dir: Path) -> Path:
    return dbt_dir / "logs" / "dbt.log"
