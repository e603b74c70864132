"""All terminal output: Rich progress while jobs run, and the summaries after them."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from sbdk.orchestration.graph import StepResult
from sbdk.orchestration.history import RunRecord
from sbdk.project import ScaffoldResult
from sbdk.transform import DbtResult, NodeProgress, NodeResult
from sbdk.workflow import IncrementalSummary, RunSummary

console = Console(highlight=False)
error_console = Console(stderr=True, highlight=False)

_STEP_MARK = {
    "success": ("✓", "green"),
    "failed": ("✗", "red"),
    "upstream_failed": ("-", "dim"),
    "skipped": ("-", "dim"),
    "interrupted": ("✗", "yellow"),
}
_RUN_STYLE = {"success": "green", "failed": "red", "no_new_data": "cyan", "interrupted": "yellow"}
_STATUS_STYLE = {
    "success": "green",
    "pass": "green",
    "fail": "red",
    "error": "red",
    "warn": "yellow",
    "skipped": "dim",
}


def error(message: str) -> None:
    error_console.print(f"[bold red]Error:[/] {message}", soft_wrap=True)


class RichReporter:
    """Shows a spinner per step and a bar over dbt nodes, with a line per model and per step."""

    def __init__(self, target: Console = console) -> None:
        self.console = target
        self._progress: Progress | None = None
        self._task = None

    def step_started(self, step: str, description: str) -> None:
        if not self.console.is_terminal:  # logs and CI get plain lines, no animation
            self.console.print(f"[dim]… {step:<10} {description}[/]")
            return
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(bar_width=30),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
        )
        self._task = self._progress.add_task(description, total=None)
        self._progress.start()

    def step_finished(self, result: StepResult) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        mark, style = _STEP_MARK.get(result.status, ("?", "white"))
        text = result.detail
        if result.message and result.message != result.detail:
            text = (
                f"{text}  [{style}]{result.message}[/]" if text else f"[{style}]{result.message}[/]"
            )
        timing = f"{result.seconds:6.2f}s" if result.started_at is not None else " " * 7
        self.console.print(
            f"[{style}]{mark}[/] [bold]{result.name:<10}[/] {timing}  {text}", soft_wrap=True
        )

    def node_progress(self, progress: NodeProgress) -> None:
        if progress.status is None:
            if self._progress is not None:
                self._progress.update(
                    self._task,
                    total=progress.total,
                    description=f"{progress.resource_type} {progress.name}",
                )
            return
        if self._progress is not None:
            self._progress.advance(self._task)
        failed = progress.status in {"fail", "error"}
        if progress.resource_type in {"model", "seed", "snapshot"} or failed:
            style = _STATUS_STYLE.get(progress.status, "white")
            mark = "✗" if failed else "·"
            self.console.print(
                f"  [{style}]{mark}[/] {progress.resource_type:<9} {progress.name:<48} "
                f"[{style}]{progress.status:<7}[/] {progress.seconds:5.2f}s"
            )


def render_scaffold(result: ScaffoldResult, cwd: Path) -> None:
    try:
        shown = result.root.relative_to(cwd.resolve())
    except ValueError:
        shown = result.root
    console.print(f"[green]✓[/] Created sbdk project [bold]{result.name}[/] in {shown or '.'}")
    console.print(
        f"  {len(result.written)} files, warehouse at {result.warehouse.relative_to(result.root)}"
    )
    console.print("\nNext:")
    if str(shown) != ".":
        console.print(f"  cd {shown}")
    console.print("  sbdk run     # generate, load and build the warehouse")
    console.print("  sbdk test    # run the data tests")


def render_run_summary(summary: RunSummary, title: str) -> None:
    table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    style = _RUN_STYLE.get(summary.status, "white")
    table.add_row("run", f"{summary.run_id}  [{style}]{summary.status.replace('_', ' ')}[/]")
    for name, rows in summary.raw_rows.items():
        table.add_row(f"raw.{name}", f"{rows:,} rows")
    if summary.incremental is not None:
        _add_incremental_rows(table, summary.incremental)
    models, tests = summary.models, summary.tests
    if models:
        table.add_row("models", f"{summary.models_built}/{len(models)} built")
    if tests or summary.step("test") is not None and summary.step("test").ok:
        skipped = sum(1 for node in [*models, *tests] if node.status == "skipped")
        style = "red" if summary.tests_failed else "green"
        table.add_row(
            "tests",
            f"[{style}]{summary.tests_passed} passed, {summary.tests_failed} failed[/]"
            + (f", [yellow]{summary.tests_warned} warned[/]" if summary.tests_warned else "")
            + (f", {skipped} skipped" if skipped else ""),
        )
    timings = "  ".join(
        f"{stage} {seconds:.2f}s" for stage, seconds in summary.stage_seconds.items()
    )
    table.add_row("time", f"{timings}  (total {summary.total_seconds:.2f}s)")
    table.add_row("warehouse", str(summary.warehouse))
    if summary.recorded:
        table.add_row("history", f"sbdk history {summary.run_id}")
    console.print()
    console.print(table)
    failed_step = summary.failed_step
    if failed_step is not None and failed_step.name == "load" and summary.incremental:
        console.print(
            "[dim]a failed stream's cursor stays before its failed file or batch (the other "
            "streams went on); fix the cause and run again[/]"
        )
    for _, result in summary.dbt_results:
        if result.failed:
            render_failures(result, summary)


def _add_incremental_rows(table: Table, incremental: IncrementalSummary) -> None:
    if incremental.landed_days:
        days = incremental.landed_days
        span = str(days[0]) if len(days) == 1 else f"{days[0]} .. {days[-1]}"
        rows = ", ".join(f"{n:,} {stream}" for stream, n in incremental.landed_rows.items())
        table.add_row("landed", f"{span}: {rows}")
    for stream in incremental.streams:
        state = "[red]failed[/]" if stream.failure else f"{stream.batches} batch(es)"
        table.add_row(
            f"stream {stream.stream}",
            f"{stream.processed_files}/{stream.new_files} new files processed, {state}",
        )


def render_failures(result: DbtResult, summary: RunSummary) -> None:
    console.print()
    console.print(f"[bold red]{len(result.failed)} node(s) failed in dbt {result.command}:[/]")
    for node in result.failed:
        console.print(_describe_failure(node), soft_wrap=True)
    skipped = result.skipped
    if skipped:
        console.print(
            f"[dim]{len(skipped)} node(s) skipped because something they depend on failed[/]"
        )
    console.print(f"[dim]full dbt log: {summary.dbt_log}[/]")


def _describe_failure(node: NodeResult) -> str:
    if node.is_test and node.status == "fail":
        where = f"; failing rows in {node.failures_relation}" if node.failures_relation else ""
        count = f"{node.failures:,} failing row(s)"
        return f"  [red]✗[/] {node.resource_type} [bold]{node.name}[/]: {count}{where}"
    return f"  [red]✗[/] {node.resource_type} [bold]{node.name}[/]: {node.message}"


def render_history(runs: list[RunRecord]) -> None:
    if not runs:
        console.print("No runs recorded yet: `sbdk run` records every run here.")
        return
    table = Table(title="Recent runs, newest first (times in UTC)", title_justify="left")
    table.add_column("run id", no_wrap=True)
    table.add_column("started", no_wrap=True)
    table.add_column("command")
    table.add_column("status", no_wrap=True)
    table.add_column("seconds", justify="right", no_wrap=True)
    table.add_column("models", justify="right", no_wrap=True)
    table.add_column("tests", no_wrap=True)
    for run in runs:
        style = _RUN_STYLE.get(run.status, "white")
        status = run.status.replace("_", " ")
        if run.failed_step:
            status += f" at {run.failed_step}"
        tests = f"{run.tests_passed} ✓"
        if run.tests_failed:
            tests += f" [red]{run.tests_failed} ✗[/]"
        if run.tests_warned:
            tests += f" [yellow]{run.tests_warned} ![/]"
        table.add_row(
            run.run_id,
            f"{run.started_at:%Y-%m-%d %H:%M}",
            f"{run.command} {run.mode}",
            f"[{style}]{status}[/]",
            f"{run.seconds:.1f}",
            str(run.models_built),
            tests,
        )
    console.print(table)
    console.print(
        "[dim]one run's steps and failures: sbdk history RUN_ID (a unique prefix is enough)[/]"
    )


def render_run_details(run: RunRecord) -> None:
    style = _RUN_STYLE.get(run.status, "white")
    console.print(
        f"[bold]Run {run.run_id}[/]  sbdk {run.command} ({run.mode})  "
        f"[{style}]{run.status.replace('_', ' ')}[/]  started {run.started_at:%Y-%m-%d %H:%M:%S} "
        f"UTC, {run.seconds:.1f}s"
    )
    if run.failed_step:
        console.print(f"[red]failed at step {run.failed_step}:[/] {run.message}", soft_wrap=True)
    steps = Table(title="Steps", title_justify="left")
    steps.add_column("step", no_wrap=True)
    steps.add_column("status", no_wrap=True)
    steps.add_column("seconds", justify="right")
    steps.add_column("detail")
    steps.add_column("dbt invocation id", no_wrap=True, overflow="fold")
    for step in run.steps:
        mark, step_style = _STEP_MARK.get(step.status, ("?", "white"))
        detail = step.detail or ""
        if step.message and step.message != step.detail:
            detail = f"{detail} [{step_style}]{step.message}[/]".strip()
        steps.add_row(
            step.step,
            f"[{step_style}]{mark} {step.status.replace('_', ' ')}[/]",
            f"{step.seconds:.2f}" if step.started_at is not None else "",
            detail,
            step.dbt_invocation_id or "",
        )
    console.print(steps)
    if run.tables:
        tables = Table(title="Tables", title_justify="left")
        for column in ("step", "table", "rows", "files"):
            tables.add_column(column, justify="right" if column in {"rows", "files"} else "left")
        for record in run.tables:
            tables.add_row(
                record.step,
                record.table_name,
                "" if record.rows is None else f"{record.rows:,}",
                "" if record.files is None else f"{record.files:,}",
            )
        console.print(tables)
    console.print(
        f"models: {run.models_built} built, {run.models_failed} failed; tests: "
        f"{run.tests_passed} passed, {run.tests_failed} failed, {run.tests_warned} warned"
    )
    if run.failures:
        console.print(f"\n[bold red]{len(run.failures)} failing or warning node(s):[/]")
        for failure in run.failures:
            color = "yellow" if failure.status == "warn" else "red"
            rows = f"{failure.failing_rows:,} failing row(s)" if failure.failing_rows else ""
            where = f" in {failure.failures_relation}" if failure.failures_relation else ""
            message = rows + where if rows else failure.message
            console.print(
                f"  [{color}]{failure.status}[/] {failure.step}: {failure.resource_type} "
                f"[bold]{failure.node}[/]: {message}",
                soft_wrap=True,
            )
