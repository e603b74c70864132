"""Text that is not sbdk's own (names, paths, messages) is printed literally, never as markup."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest

from sbdk import console
from sbdk.orchestration.graph import StepResult
from sbdk.orchestration.history import FailureRecord, RunRecord, StepRecord, TableRecord
from sbdk.orchestration.summary import RunSummary
from sbdk.project import ScaffoldResult
from sbdk.transform import DbtResult, NodeProgress, NodeResult

# A closing tag that matches nothing (Rich raises), and tags Rich would silently eat.
HOSTILE = ["[/x]", "pip install 'sbdk[s3]'", "proj[dev]", "[bold red]x[/]", "ends with \\"]


@pytest.fixture
def output(monkeypatch) -> io.StringIO:
    """Both consoles write plain text to one buffer, as they do when piped."""
    buffer = io.StringIO()
    for name in ("console", "error_console"):
        fake = console._LiteralConsole(file=buffer, width=300, highlight=False, color_system=None)
        monkeypatch.setattr(console, name, fake)
    return buffer


@pytest.mark.parametrize("text", HOSTILE)
def test_error_line_shows_the_message_literally(output, text):
    console.error(f"bad value {text}")
    assert output.getvalue() == f"Error: bad value {text}\n"


@pytest.mark.parametrize("text", HOSTILE)
def test_step_and_node_lines_show_names_and_messages_literally(output, text):
    reporter = console.RichReporter(console.console)
    reporter.step_started("load", f"loading {text}")
    reporter.step_finished(
        StepResult(
            name="load",
            status="failed",
            started_at=datetime(2025, 1, 1),
            detail=text,
            message=f"because {text}",
        )
    )
    reporter.node_progress(
        NodeProgress(name=text, resource_type="model", index=1, total=1, status="error")
    )
    lines = output.getvalue().splitlines()
    assert lines[0] == f"… load       loading {text}"
    assert lines[1].endswith(f"{text}  because {text}")
    assert f"model     {text}" in lines[2]


@pytest.mark.parametrize("text", HOSTILE)
def test_run_summary_and_failures_show_user_text_literally(output, text):
    failing = NodeResult(
        unique_id="m",
        name=text,
        resource_type="model",
        status="error",
        seconds=0.1,
        message=f"dbt says {text}",
    )
    summary = RunSummary(
        run_id="r1",
        command="run",
        mode="full",
        warehouse=Path(f"/p/{text}/w.duckdb"),
        dbt_log=Path(f"/p/{text}/dbt.log"),
        steps=[
            StepResult(
                name="build",
                status="failed",
                message=text,
                value=DbtResult(command="run", success=False, nodes=[failing]),
            )
        ],
    )
    console.RichReporter(console.console).run_finished(summary)
    shown = output.getvalue()
    assert "sbdk run" in shown
    assert f"/p/{text}/w.duckdb" in shown
    assert f"model {text}: dbt says {text}" in shown
    assert f"full dbt log: /p/{text}/dbt.log" in shown


@pytest.mark.parametrize("text", HOSTILE)
def test_history_table_and_details_show_user_text_literally(output, text):
    started = datetime(2025, 1, 1, 12, 0)
    record = RunRecord(
        run_id="r1",
        command=text,
        mode="full",
        status="failed",
        started_at=started,
        finished_at=started,
        failed_step="load",
        message=f"failed: {text}",
        steps=[
            StepRecord(
                step="load",
                status="failed",
                started_at=started,
                seconds=1.0,
                detail=text,
                message=f"why {text}",
            )
        ],
        tables=[TableRecord(step="load", table_name=text, rows=1)],
        failures=[
            FailureRecord(
                step="test", node=text, resource_type="test", status="error", message=f"msg {text}"
            )
        ],
    )
    console.render_history([record])
    console.render_run_details(record)
    shown = output.getvalue()
    assert f"{text} full" in shown  # the history table's command column
    assert f"failed at step load: failed: {text}" in shown
    assert f"why {text}" in shown
    assert f"test [{text}]" not in shown and f"test {text}: msg {text}" in shown


def test_scaffold_output_shows_a_bracketed_directory(output, tmp_path):
    root = tmp_path / "proj[dev]"
    result = ScaffoldResult(
        root=root, name="shop", written=[], warehouse=root / "data" / "w.duckdb"
    )
    console.render_scaffold(result, tmp_path)
    assert "in proj[dev]" in output.getvalue()
    assert "cd proj[dev]" in output.getvalue()


def test_markup_escapes_values_but_keeps_its_own_and_nested_markup():
    inner = console.markup("[red]{}[/]", "[/x]")
    built = console.markup("{:<6}|{}", "[b]", inner)
    buffer = io.StringIO()
    console._LiteralConsole(file=buffer, color_system=None).print(built)
    assert buffer.getvalue() == "[b]   |[/x]\n"


@pytest.mark.parametrize(
    ("first", "second"),
    [("a\\", "[b]"), ("a\\", "b"), ("a\\\\", "[/x]"), ("a\\", "\\[b]"), ("a\\", "[1]")],
)
def test_backslashes_next_to_tags_and_values_stay_literal(first, second):
    built = console.markup("[red]{}[/]{}[bold]{}[/]{}", first, second, first, second)
    buffer = io.StringIO()
    console._LiteralConsole(file=buffer, color_system=None).print(built)
    assert buffer.getvalue() == f"{first}{second}{first}{second}\n"
