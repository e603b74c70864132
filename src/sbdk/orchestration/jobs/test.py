"""`sbdk test`: the data tests (and dbt unit tests) against the warehouse as it is, in the mode
its models were last built in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sbdk import build_mode, warehouse
from sbdk.build_mode import FULL, INCREMENTAL
from sbdk.incremental.processing import MODE_VARS
from sbdk.orchestration.graph import Step
from sbdk.orchestration.jobs import TEST, TEST_COMMAND, Job, RunOptions
from sbdk.orchestration.jobs.dbt_steps import checked, describe_dbt
from sbdk.project_templates import MULTITENANT

if TYPE_CHECKING:
    from sbdk.workspace import Workspace


def job(workspace: Workspace, options: RunOptions, run_id: str) -> Job:
    """`options.incremental` (a flag, None if not given) must agree with the mode the
    warehouse was last built in; `options.select` narrows the tests."""
    path = workspace.settings.warehouse_path
    incremental, select = options.incremental, options.select
    asked = None if incremental is None else (INCREMENTAL if incremental else FULL)
    mode = build_mode.mode_to_test(path, asked)
    if workspace.settings.config.project.template == MULTITENANT:
        from sbdk.orchestration.jobs.multitenant import landed_rows

        raw_rows = landed_rows(workspace)
    else:
        raw_rows = warehouse.raw_row_counts(path) if mode == FULL else {}
    variables = MODE_VARS if mode == INCREMENTAL else None

    def test():
        return checked(workspace.dbt.test(select, workspace.node_progress, variables=variables))

    step = Step(TEST, "Running data tests", test, describe=describe_dbt,
                if_interrupted="no data changed; not every test ran")  # fmt: skip
    return Job(TEST_COMMAND, mode, [step], raw_rows)
