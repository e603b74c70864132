"""`sbdk run` as a graph of recorded steps: failures stop dependents, the sensor waits."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from .conftest import query, sbdk
from .test_incremental import new_project

pytestmark = pytest.mark.integration

FULL_STEPS = ["generate", "load", "build", "test", "record"]


def model_count(root) -> int:
    """Models dbt builds in the project's current mode (ephemeral ones are inlined, not built)."""
    manifest = json.loads((root / "dbt" / "target" / "manifest.json").read_text())
    return sum(
        1
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] != "ephemeral"
    )


def recorded_runs(root) -> list[tuple]:
    return query(
        root,
        """select run_id, status, failed_step, message, models_built, tests_passed, tests_failed
           from observability.sbdk_runs order by started_at, run_id""",
    )


def recorded_steps(root, run_id: str) -> dict[str, str]:
    return dict(
        query(
            root,
            "select step, status from observability.sbdk_run_steps where run_id = ? "
            "order by step_number",
            [run_id],
        )
    )


def printed_run_id(output: str) -> str:
    """The run id `sbdk run` prints in its summary (`history  sbdk history <id>`)."""
    [run_id] = re.findall(r"sbdk history (\d{8}-\d{6}-[0-9a-f]{4})", output)
    return run_id


def fixture_runs(built_project) -> list[tuple]:
    """The recorded runs of the fixture's two `sbdk run`s, oldest first (other tests sharing
    the project, such as `sbdk test`, record runs of their own)."""
    printed = [
        printed_run_id(run.output) for run in (built_project.first_run, built_project.second_run)
    ]
    runs = [run for run in recorded_runs(built_project.root) if run[0] in printed]
    assert [run[0] for run in runs] == printed
    return runs


def test_every_run_is_recorded_and_listed(built_project):
    runs = fixture_runs(built_project)
    assert len(runs) == 2
    models_in_project = model_count(built_project.root)
    for run_id, status, failed_step, _, models, tests_passed, tests_failed in runs:
        assert (status, failed_step, tests_failed) == ("success", None, 0)
        assert models == models_in_project
        assert tests_passed > 90
        assert list(recorded_steps(built_project.root, run_id).items()) == [
            (step, "success") for step in FULL_STEPS
        ]
        assert run_id in built_project.first_run.output + built_project.second_run.output

    listing = sbdk("history", cwd=built_project.root)
    assert listing.code == 0, listing.output
    assert all(run_id in listing.output for run_id, *_ in runs)
    # newest first
    assert listing.output.index(runs[1][0]) < listing.output.index(runs[0][0])


def test_one_run_shows_its_steps_tables_and_dbt_invocations(built_project):
    run_id = fixture_runs(built_project)[-1][0]
    details = sbdk("history", run_id[:-2], cwd=built_project.root)  # a unique prefix
    assert details.code == 0, details.output
    assert f"Run {run_id}" in details.output
    for step in FULL_STEPS:
        assert step in details.output
    assert "raw.raw_users" in details.output and "1,500" in details.output
    invocations = query(
        built_project.root,
        "select step, dbt_invocation_id from observability.sbdk_run_steps "
        "where run_id = ? and dbt_invocation_id is not null order by step_number",
        [run_id],
    )
    assert [step for step, _ in invocations] == ["build", "test"]
    assert invocations[0][1] != invocations[1][1]
    assert all(invocation in details.output for _, invocation in invocations)


def test_history_of_an_unknown_run_is_a_one_line_error(built_project):
    result = sbdk("history", "19990101", cwd=built_project.root)
    assert result.code == 1
    assert "no run '19990101'" in result.output
    assert "Traceback" not in result.output


def test_a_failed_step_stops_its_dependents_is_recorded_and_the_next_run_recovers(tmp_path):
    assert sbdk("init", "shop", cwd=tmp_path).code == 0
    root = tmp_path / "shop"
    model = root / "dbt" / "models" / "marts" / "daily_summary.sql"
    original = model.read_text()
    model.write_text("select error('simulated outage in daily_summary') as order_date")

    failed = sbdk("run", "--users", "300", "--events-per-user", "10", cwd=root)
    assert failed.code == 1
    assert "failed at step 'build': 1 model(s) failed: daily_summary" in failed.output
    assert "Traceback" not in failed.output
    [(run_id, status, failed_step, message, models, _, _)] = recorded_runs(root)
    assert (status, failed_step, models) == ("failed", "build", model_count(root) - 1)
    assert "daily_summary" in message
    assert recorded_steps(root, run_id) == {
        "generate": "success",
        "load": "success",
        "build": "failed",
        "test": "upstream_failed",
        "record": "success",
    }
    [(node, node_status, node_message)] = query(
        root,
        "select node, status, message from observability.sbdk_run_failures where run_id = ?",
        [run_id],
    )
    assert (node, node_status) == ("daily_summary", "error")
    assert "simulated outage in daily_summary" in node_message
    details = sbdk("history", run_id, cwd=root)
    assert "failed at step build" in details.output
    assert "simulated outage" in details.output

    model.write_text(original)
    recovered = sbdk("run", "--skip-generate", cwd=root)
    assert recovered.code == 0, recovered.output
    runs = recorded_runs(root)
    assert [run[1] for run in runs] == ["failed", "success"]
    assert recorded_steps(root, runs[-1][0]) == {
        "build": "success",
        "test": "success",
        "record": "success",
    }
    assert query(root, "select count(*) from marts.daily_summary")[0][0] > 0


def test_the_sensor_ends_cleanly_without_new_data_and_wakes_up_when_files_land(tmp_path):
    root = new_project(tmp_path, "shop")
    first = sbdk("run", cwd=root)  # lands and processes two days
    assert first.code == 0, first.output

    started = time.monotonic()
    idle = sbdk("run", "--skip-generate", "--wait", "1", "--poll-interval", "0.2", cwd=root)
    assert idle.code == 0, idle.output
    assert time.monotonic() - started >= 1
    assert "no new data after waiting 1s" in idle.output
    assert query(root, "select status from observability.sbdk_runs order by started_at desc")[
        0
    ] == ("no_new_data",)

    # A waiting run, then a file lands (a re-delivered copy of a landed users file: the
    # processed model keeps one row per user whatever the copies).
    waiting = subprocess.Popen(
        [sys.executable, "-m", "sbdk", "run", "--skip-generate", "--wait", "120",
         "--poll-interval", "0.2"],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    seen = []
    for line in waiting.stdout:
        seen.append(line)
        if "Waiting for new files (up to 120s)" in line:
            break
    users = sorted((root / "landing" / "app" / "users").rglob("*.parquet"))
    late = root / "landing/app/users/year=2025/month=01/day=20/9999.redelivered.parquet"
    late.parent.mkdir(parents=True)
    time.sleep(0.5)  # the sensor has looked at least once and found nothing
    shutil.copy(users[-1], late)
    rest, _ = waiting.communicate(timeout=120)
    output = "".join(seen) + rest
    assert waiting.returncode == 0, output
    assert "1 new users file(s)" in output
    assert "✓ build" in output and "✓ test" in output
    assert query(root, "select count(*) - count(distinct user_id) from processed.int_app__users")[
        0
    ] == (0,)
