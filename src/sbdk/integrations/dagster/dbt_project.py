"""The bundled dbt project as dagster-dbt sees it: a manifest parsed for the project's mode,
the dbt CLI resource, and dbt commands run with sbdk's vars and environment."""

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource
from dagster_dbt import DbtProject as DagsterDbtProject

from sbdk.config import STATE_DIR, Settings
from sbdk.dbt_fingerprint import project_files_fingerprint
from sbdk.environment import scoped_environment
from sbdk.transform import DbtProject, dbt_environment

DAGSTER_DIR = f"{STATE_DIR}/dagster"  # relative to the project; the template's dagster.yaml agrees
_PARSE_STAMP = "sbdk_parse_fingerprint"
_PARTIAL_PARSE = "partial_parse.msgpack"


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


class DbtInvoker:
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
        if command in {"build", "test"}:
            # Failing rows findable as with sbdk: one dbt invocation per Dagster step leaves
            # no room to re-run only the failures, so every test stores its rows.
            args.append("--store-failures")
        for selector in exclude:  # on top of the selection dagster-dbt derives from the context
            args += ["--exclude", selector]
        # One directory for every invocation rather than dagster-dbt's one per invocation,
        # which would pile up: runs take turns anyway (one DuckDB writer).
        target = self.settings.root / DAGSTER_DIR / "dbt" / "runs"
        with scoped_environment(dbt_environment(self.settings)):
            invocation = dbt.cli(args, context=context, target_path=target)
        yield from invocation.stream()


def _parse_fingerprint(dbt_dir: Path, vars_json: str) -> str:
    """What a parsed manifest depends on: dbt's version, the vars, the project's files."""
    return project_files_fingerprint(dbt_dir, salt=f"{version('dbt-core')}\n{vars_json}")


def dbt_executable() -> str:
    """sbdk's dbt (`sbdk-dbt`, which answers `--version` without asking PyPI) of this Python
    environment, also when its scripts are not on PATH (pipx, or a venv's python run without
    activating it)."""
    for name in ("sbdk-dbt", "sbdk-dbt.exe"):
        beside = Path(sys.executable).with_name(name)
        if beside.is_file():
            return str(beside)
    return "sbdk-dbt"
