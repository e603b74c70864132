"""End-to-end fixtures: the real `sbdk` console entry point against temporary projects."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

SMALL_RUN = ["--users", "1500", "--events-per-user", "20"]


@dataclass
class Completed:
    code: int
    output: str


def sbdk(*args: str, cwd: Path, env: dict | None = None) -> Completed:
    """Run `python -m sbdk ...` in a fresh process, like a user's shell would."""
    completed = subprocess.run(
        [sys.executable, "-m", "sbdk", *args],
        cwd=cwd,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )
    return Completed(completed.returncode, completed.stdout + completed.stderr)


def query(project: Path, sql: str, parameters: list | None = None):
    with duckdb.connect(str(project / "data" / "warehouse.duckdb"), read_only=True) as connection:
        return connection.execute(sql, parameters).fetchall()


def scalar(project: Path, sql: str):
    return query(project, sql)[0][0]


@dataclass
class BuiltProject:
    root: Path
    first_run: Completed
    second_run: Completed
    counts_after_first_run: dict[str, int]


RAW_COUNTS_SQL = """
select 'raw_users', count(*) from raw.raw_users union all
select 'raw_events', count(*) from raw.raw_events union all
select 'raw_orders', count(*) from raw.raw_orders union all
select 'user_metrics', count(*) from marts.user_metrics union all
select 'int_event_sessions', count(*) from intermediate.int_event_sessions
"""


def counts(project: Path) -> dict[str, int]:
    return dict(query(project, RAW_COUNTS_SQL))


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> BuiltProject:
    """init -> run -> run again, at a small size; tests only read from it."""
    workdir = tmp_path_factory.mktemp("e2e")
    init = sbdk("init", "shop", cwd=workdir)
    assert init.code == 0, init.output
    root = workdir / "shop"
    first = sbdk("run", *SMALL_RUN, cwd=root)
    assert first.code == 0, first.output
    after_first = counts(root)
    second = sbdk("run", *SMALL_RUN, cwd=root)
    assert second.code == 0, second.output
    return BuiltProject(root, first, second, after_first)
