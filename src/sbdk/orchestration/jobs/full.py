"""`sbdk run` in full mode: regenerate everything, load it, rebuild and test every model.

    generate -> load -> build -> test        (--skip-generate: build -> test)

generate draws the synthetic tables; load publishes them into `raw` with dlt, all at once;
build is `dbt run`, test is `dbt test` (data and unit tests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sbdk import warehouse
from sbdk.build_mode import FULL
from sbdk.orchestration.graph import Step
from sbdk.orchestration.jobs import BUILD, GENERATE, LOAD, RUN_COMMAND, TEST, Job, RunOptions
from sbdk.orchestration.jobs.dbt_steps import checked, describe_dbt

if TYPE_CHECKING:
    from sbdk.pipelines.load import LoadResult
    from sbdk.pipelines.synthetic import SyntheticTables
    from sbdk.workspace import Workspace

UNCHANGED = "the warehouse was not changed"


def job(workspace: Workspace, options: RunOptions, run_id: str) -> Job:
    settings = workspace.settings
    steps: list[Step] = []
    raw_rows: dict[str, int] = {}
    if options.skip_generate:
        # Before any work: without raw data there is nothing to build on.
        raw_rows = warehouse.raw_row_counts(settings.warehouse_path)
    else:
        steps += [
            Step(GENERATE, "Generating synthetic data", lambda: _generate(workspace),
                 describe=_describe_generated, if_interrupted=UNCHANGED),
            Step(LOAD, "Loading raw tables with dlt",
                 lambda generate: _load(workspace, generate), inputs=[GENERATE],
                 describe=lambda loaded: f"{sum(loaded.row_counts.values()):,} rows into raw",
                 if_interrupted=f"{UNCHANGED} (new raw tables are published all at once, "
                                "at the end of the load)"),
        ]  # fmt: skip
    raw = "the raw tables hold the new data; " if steps else ""

    def build():
        workspace.record_build_mode(FULL, run_id)
        return checked(workspace.dbt.run(options.select, progress=workspace.node_progress))

    def test():
        return checked(workspace.dbt.test(options.select, workspace.node_progress))

    steps += [
        Step(BUILD, "Building models", build, depends_on=[LOAD] if steps else [],
             describe=describe_dbt,
             if_interrupted=f"{raw}each model holds its new or its previous version"),
        Step(TEST, "Running data tests", test, depends_on=[BUILD], describe=describe_dbt,
             if_interrupted=f"{raw}every model is rebuilt; not every test ran"),
    ]  # fmt: skip
    return Job(RUN_COMMAND, FULL, steps, raw_rows)


def _generate(workspace: Workspace) -> SyntheticTables:
    from sbdk.pipelines import synthetic  # numpy, pyarrow, Faker: only when generating

    return synthetic.generate(workspace.settings.config.data)


def _load(workspace: Workspace, tables: SyntheticTables) -> LoadResult:
    from sbdk.pipelines import load  # dlt: only when loading

    settings = workspace.settings
    return load.load_raw(tables.by_raw_name(), settings.warehouse_path, settings.state_dir)


def _describe_generated(tables: SyntheticTables) -> str:
    return ", ".join(
        f"{t.num_rows:,} {n.removeprefix('raw_')}" for n, t in tables.by_raw_name().items()
    )
