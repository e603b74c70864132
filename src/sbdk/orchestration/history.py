"""Every `sbdk run` and `sbdk test`, recorded in the warehouse beside the data it produced.

Four tables in the `observability` schema (next to the dbt run metadata the bundled project's
on-run-end hooks record there), one run id across them:

- sbdk_runs          one row per run: mode, status, timings, models built, tests passed/failed
- sbdk_run_steps     one row per step of the run's graph, with its dbt invocation id (if any),
                     which joins to observability.run_results for node-level detail
- sbdk_run_tables    rows landed/generated/loaded per table, files processed per stream
- sbdk_run_failures  the models and tests that failed or warned, with their message

Written once per run, at its end, in one transaction: a run interrupted before its record
step leaves no partial record.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sbdk import warehouse
from sbdk.errors import SbdkError
from sbdk.orchestration import interrupts

SCHEMA = "observability"
RUNS, STEPS = f"{SCHEMA}.sbdk_runs", f"{SCHEMA}.sbdk_run_steps"
TABLES, FAILURES = f"{SCHEMA}.sbdk_run_tables", f"{SCHEMA}.sbdk_run_failures"

_DDL = [
    f"create schema if not exists {SCHEMA}",
    f"""create table if not exists {RUNS} (
        run_id varchar primary key,
        command varchar not null,         -- run | test
        mode varchar not null,            -- full | incremental
        status varchar not null,          -- success | failed | no_new_data | interrupted
        started_at timestamp not null,    -- UTC
        finished_at timestamp not null,
        seconds double not null,
        failed_step varchar,
        message varchar,
        models_built integer not null,
        models_failed integer not null,
        tests_passed integer not null,
        tests_failed integer not null,
        tests_warned integer not null,
        sbdk_version varchar not null
    )""",
    f"""create table if not exists {STEPS} (
        run_id varchar not null,
        step_number integer not null,
        step varchar not null,
        status varchar not null,  -- success | failed | skipped | upstream_failed | interrupted
        started_at timestamp,
        seconds double not null,
        detail varchar,
        message varchar,
        dbt_invocation_id varchar,
        primary key (run_id, step)
    )""",
    f"""create table if not exists {TABLES} (
        run_id varchar not null,
        step varchar not null,
        table_name varchar not null,
        rows bigint,
        files bigint
    )""",
    f"""create table if not exists {FAILURES} (
        run_id varchar not null,
        step varchar not null,
        node varchar not null,
        resource_type varchar not null,
        status varchar not null,
        message varchar,
        failing_rows bigint,
        failures_relation varchar
    )""",
]


@dataclass(frozen=True)
class StepRecord:
    step: str
    status: str
    started_at: datetime | None
    seconds: float
    detail: str = ""
    message: str = ""
    dbt_invocation_id: str | None = None


@dataclass(frozen=True)
class TableRecord:
    step: str
    table_name: str
    rows: int | None = None
    files: int | None = None


@dataclass(frozen=True)
class FailureRecord:
    step: str
    node: str
    resource_type: str
    status: str
    message: str = ""
    failing_rows: int | None = None
    failures_relation: str | None = None


@dataclass
class RunRecord:
    run_id: str
    command: str
    mode: str
    status: str
    started_at: datetime
    finished_at: datetime
    failed_step: str | None = None
    message: str | None = None
    models_built: int = 0
    models_failed: int = 0
    tests_passed: int = 0
    tests_failed: int = 0
    tests_warned: int = 0
    sbdk_version: str = ""
    steps: list[StepRecord] = field(default_factory=list)
    tables: list[TableRecord] = field(default_factory=list)
    failures: list[FailureRecord] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()


def new_run_id(now: datetime | None = None) -> str:
    """Sortable by start time, readable, unique: 20261123-153312-4f2a."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def record_run(path: Path, run: RunRecord) -> None:
    """Write the run in one transaction. A stop request while it is written is remembered,
    not raised: a run is either recorded whole or, if the write fails, not at all."""
    with interrupts.deferred(), warehouse.writing(path) as connection:
        for statement in _DDL:
            connection.execute(statement)
        connection.execute("begin")
        connection.execute(
            f"insert into {RUNS} values ({', '.join('?' * 15)})",
            [
                run.run_id, run.command, run.mode, run.status, run.started_at,
                run.finished_at, run.seconds, run.failed_step, run.message, run.models_built,
                run.models_failed, run.tests_passed, run.tests_failed, run.tests_warned,
                run.sbdk_version,
            ],
        )  # fmt: skip
        if run.steps:
            connection.executemany(
                f"insert into {STEPS} values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [run.run_id, number, s.step, s.status, s.started_at, s.seconds,
                     s.detail, s.message, s.dbt_invocation_id]
                    for number, s in enumerate(run.steps, start=1)
                ],
            )  # fmt: skip
        if run.tables:
            connection.executemany(
                f"insert into {TABLES} values (?, ?, ?, ?, ?)",
                [[run.run_id, t.step, t.table_name, t.rows, t.files] for t in run.tables],
            )
        if run.failures:
            connection.executemany(
                f"insert into {FAILURES} values (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [run.run_id, f.step, f.node, f.resource_type, f.status, f.message,
                     f.failing_rows, f.failures_relation]
                    for f in run.failures
                ],
            )  # fmt: skip
        connection.execute("commit")


def recent_runs(path: Path, limit: int) -> list[RunRecord]:
    """The latest `limit` runs, newest first, with their steps (no tables or failures)."""
    with warehouse.connect(path, read_only=True) as connection:
        if not _has_history(connection):
            return []
        runs = _runs(connection, f"order by started_at desc, run_id desc limit {int(limit)}", [])
        for run in runs:
            run.steps = _steps(connection, run.run_id)
        return runs


def find_run(path: Path, run_id: str) -> RunRecord:
    """One run, with everything recorded about it; `run_id` may be a unique prefix."""
    with warehouse.connect(path, read_only=True) as connection:
        if not _has_history(connection):
            raise SbdkError("no runs recorded yet: run `sbdk run` first")
        matches = _runs(connection, "where starts_with(run_id, ?) order by run_id", [run_id])
        if not matches:
            raise SbdkError(f"no run '{run_id}' (see `sbdk history` for recent run ids)")
        if len(matches) > 1:
            shown = ", ".join(run.run_id for run in matches[:5])
            raise SbdkError(f"'{run_id}' matches {len(matches)} runs ({shown}): give more of it")
        run = matches[0]
        run.steps = _steps(connection, run.run_id)
        run.tables = [
            TableRecord(*row)
            for row in connection.execute(
                f"select step, table_name, rows, files from {TABLES} where run_id = ?",
                [run.run_id],
            ).fetchall()
        ]
        run.failures = [
            FailureRecord(*row)
            for row in connection.execute(
                f"""select step, node, resource_type, status, message, failing_rows,
                        failures_relation
                    from {FAILURES} where run_id = ? order by status, node""",
                [run.run_id],
            ).fetchall()
        ]
        return run


def _has_history(connection) -> bool:
    return bool(
        connection.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
            [SCHEMA, RUNS.split(".")[1]],
        ).fetchone()[0]
    )


def _runs(connection, clause: str, parameters: list) -> list[RunRecord]:
    rows = connection.execute(
        f"""select run_id, command, mode, status, started_at, finished_at, failed_step,
                message, models_built, models_failed, tests_passed, tests_failed,
                tests_warned, sbdk_version
            from {RUNS} {clause}""",
        parameters,
    ).fetchall()
    return [RunRecord(*row) for row in rows]


def _steps(connection, run_id: str) -> list[StepRecord]:
    rows = connection.execute(
        f"""select step, status, started_at, seconds, detail, message, dbt_invocation_id
            from {STEPS} where run_id = ? order by step_number""",
        [run_id],
    ).fetchall()
    return [StepRecord(*row) for row in rows]
