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

from sbdk.project import ScaffoldResult
from sbdk.transform import DbtResult, NodeProgress, NodeResult
from sbdk.workflow import IncrementalSummary, RunSummary

console = Console(highlight=False)
error_console = Console(stderr=True, highlight=False)

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
    """Shows a spinner per stage and a bar over dbt nodes, with a line per model."""

    def __init__(self, target: Console = console) -> None:
        self.console = target
        self._progress: Progress | None = None
        self._task = None

    def stage_started(self, stage: str, description: str) -> None:
        if not self.console.is_terminal:  # logs and CI get plain lines, no animation
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

    def stage_finished(self, stage: str, seconds: float, detail: str) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        self.console.print(f"[green]✓[/] [bold]{stage:<10}[/] {seconds:6.2f}s  {detail}")

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
    for name, rows in summary.raw_rows.items():
        table.add_row(f"raw.{name}", f"{rows:,} rows")
    if summary.incremental is not None:
        _add_incremental_rows(table, summary.incremental)
    result = summary.dbt
    if result is not None and not result.error:
        if result.models:
            table.add_row("models", f"{result.models_built}/{len(result.models)} built")
        style = "red" if result.tests_failed else "green"
        table.add_row(
            "tests",
            f"[{style}]{result.tests_passed} passed, {result.tests_failed} failed[/]"
            + (f", [yellow]{result.tests_warned} warned[/]" if result.tests_warned else "")
            + (f", {len(result.skipped)} skipped" if result.skipped else ""),
        )
    timings = "  ".join(
        f"{stage} {seconds:.2f}s" for stage, seconds in summary.stage_seconds.items()
    )
    table.add_row("time", f"{timings}  (total {summary.total_seconds:.2f}s)")
    table.add_row("warehouse", str(summary.warehouse))
    console.print()
    console.print(table)
    if summary.incremental is not None:
        for stream in summary.incremental.streams:
            if stream.failure:
                console.print(
                    f"\n[bold red]stream {stream.stream}:[/] {stream.failure}", soft_wrap=True
                )
                console.print(
                    "[dim]its cursor stays before the failed batch; fix the cause and run again[/]"
                )
    if result is not None and result.failed:
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
    downstream = incremental.downstream
    if downstream is not None and downstream.dbt is None:
        table.add_row("downstream", "no new data: nothing rebuilt")


def render_failures(result: DbtResult, summary: RunSummary) -> None:
    console.print()
    console.print(f"[bold red]{len(result.failed)} node(s) failed:[/]")
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
