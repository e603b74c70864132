"""All terminal output: Rich progress while jobs run, and the summaries after them.

Names, paths, messages and settings come from the user, dbt or the file system and may hold
square brackets (`proj[dev]`, `pip install 'sbdk[s3]'`). Rich would read them as markup: eat
them or crash on `[/x]`. So the consoles here print every string literally, and only a
`Markup` string, built by `markup()` with its values escaped, is read as markup.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
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
from sbdk.orchestration.summary import IncrementalSummary, RunSummary
from sbdk.project import ScaffoldResult
from sbdk.statuses import NODE_FAILING, NodeStatus, RunStatus, StepStatus
from sbdk.transform import DbtResult, NodeProgress, NodeResult

if TYPE_CHECKING:
    from sbdk.docs_site import DocsSite
    from sbdk.multitenant.onboarding import OnboardResult
    from sbdk.multitenant.registry import RegistryResult

MAX_RAW_TABLES_SHOWN = 8  # more (a multi-tenant platform's) are summed up in one line


class Markup(str):
    """A string of sbdk's own Rich markup; build it with `markup()`."""


# Backslashes escape a following tag in markup, so a value's trailing backslashes must be
# doubled when a tag (escaped or not) follows them, and only then: the mark says "decide
# when the whole text is known". The tag pattern is Rich's own.
_TRAILING_BACKSLASHES = "\x00"
_BACKSLASHES_BEFORE_TAG = re.compile(r"(\\+)\x00(?=\\*\[[a-z#/@][^[]*?\])")


class _EscapingFormatter(string.Formatter):
    def format_field(self, value: object, format_spec: str) -> str:
        formatted = format(value, format_spec)
        if isinstance(value, Markup):
            return formatted
        escaped = escape(formatted + " ")[:-1]  # the space keeps escape() off the end
        return escaped + _TRAILING_BACKSLASHES if escaped.endswith("\\") else escaped


def markup(template: str, *values: object, **named: object) -> Markup:
    """`template.format(...)` with every value shown literally, unless it is Markup itself."""
    return Markup(_EscapingFormatter().format(template, *values, **named))


def _resolve(text: Markup) -> str:
    doubled = _BACKSLASHES_BEFORE_TAG.sub(lambda match: match[1] * 2, text)
    return doubled.replace(_TRAILING_BACKSLASHES, "")


class _LiteralConsole(Console):
    """A console that reads markup only in Markup strings: user text is never parsed."""

    def render_str(self, text: str, **options):
        options["markup"] = isinstance(text, Markup)
        return super().render_str(_resolve(text) if options["markup"] else text, **options)


console = _LiteralConsole(highlight=False)
error_console = _LiteralConsole(stderr=True, highlight=False)

_STEP_MARK = {
    StepStatus.SUCCESS: ("✓", "green"),
    StepStatus.FAILED: ("✗", "red"),
    StepStatus.UPSTREAM_FAILED: ("-", "dim"),
    StepStatus.SKIPPED: ("-", "dim"),
    StepStatus.INTERRUPTED: ("✗", "yellow"),
}
_RUN_STYLE = {
    RunStatus.SUCCESS: "green",
    RunStatus.FAILED: "red",
    RunStatus.NO_NEW_DATA: "cyan",
    RunStatus.INTERRUPTED: "yellow",
}
_STATUS_STYLE = {
    NodeStatus.SUCCESS: "green",
    NodeStatus.PASS: "green",
    NodeStatus.FAIL: "red",
    NodeStatus.ERROR: "red",
    NodeStatus.WARN: "yellow",
    NodeStatus.SKIPPED: "dim",
}


def error(message: str) -> None:
    error_console.print(markup("[bold red]Error:[/] {}", message), soft_wrap=True)


class RichReporter:
    """Shows a spinner per step and a bar over dbt nodes, with a line per model and per step."""

    def __init__(self, target: Console = console) -> None:
        self.console = target
        self._progress: Progress | None = None
        self._task = None

    def step_started(self, step: str, description: str) -> None:
        if not self.console.is_terminal:  # logs and CI get plain lines, no animation
            self.console.print(markup("[dim]… {:<10} {}[/]", step, description))
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
        # TextColumn reads the description as markup.
        self._task = self._progress.add_task(escape(description), total=None)
        self._progress.start()

    def step_finished(self, result: StepResult) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        mark, style = _STEP_MARK.get(result.status, ("?", "white"))
        text = markup("{}", result.detail)
        if result.message and result.message != result.detail:
            separator = "  " if result.detail else ""
            text = markup("{}{}[{}]{}[/]", text, separator, style, result.message)
        timing = f"{result.seconds:6.2f}s" if result.started_at is not None else " " * 7
        self.console.print(
            markup("[{}]{}[/] [bold]{:<10}[/] {}  {}", style, mark, result.name, timing, text),
            soft_wrap=True,
        )

    def run_finished(self, summary: RunSummary) -> None:
        render_run_summary(summary, self.console)

    def node_progress(self, progress: NodeProgress) -> None:
        if progress.status is None:
            if self._progress is not None:
                self._progress.update(
                    self._task,
                    total=progress.total,
                    description=escape(f"{progress.resource_type} {progress.name}"),
                )
            return
        if self._progress is not None:
            self._progress.advance(self._task)
        failed = progress.status in NODE_FAILING
        if progress.resource_type in {"model", "seed", "snapshot"} or failed:
            style = _STATUS_STYLE.get(progress.status, "white")
            mark = "✗" if failed else "·"
            self.console.print(
                markup(
                    "  [{style}]{}[/] {:<9} {:<48} [{style}]{:<7}[/] {:5.2f}s",
                    mark,
                    progress.resource_type,
                    progress.name,
                    progress.status,
                    progress.seconds,
                    style=style,
                )
            )


def render_scaffold(result: ScaffoldResult, cwd: Path) -> None:
    try:
        shown = result.root.relative_to(cwd.resolve())
    except ValueError:
        shown = result.root
    console.print(
        markup("[green]✓[/] Created sbdk project [bold]{}[/] in {}", result.name, shown or ".")
    )
    console.print(
        f"  {len(result.written)} files, warehouse at {result.warehouse.relative_to(result.root)}"
    )
    console.print("\nNext:")
    if str(shown) != ".":
        console.print(f"  cd {shown}")
    if result.template == "multitenant":
        console.print("  sbdk run     # land every tenant's sources, route them, build and test")
        console.print("  sbdk test    # run the data tests")
        console.print("  edit tenants.yaml, then `sbdk onboard` (or just `sbdk run`)")
        return
    console.print("  sbdk run     # generate, load and build the warehouse")
    console.print("  sbdk test    # run the data tests")


def render_onboarding(result: OnboardResult, cwd: Path) -> None:
    """What onboarding wrote, removed and kept."""

    def shown(path: Path) -> str:
        try:
            return str(path.relative_to(cwd.resolve()))
        except ValueError:
            return str(path)

    if not result.changed and not result.kept_edited and not result.kept_orphans:
        console.print(
            markup("[green]✓[/] Onboarding is up to date ({} generated files)",
                   len(result.unchanged))
        )  # fmt: skip
        return
    console.print(
        markup("[green]✓[/] Onboarded: {} files written, {} removed, {} unchanged",
               len(result.written), len(result.removed), len(result.unchanged))
    )  # fmt: skip
    for path in result.kept_edited:
        console.print(markup("  [yellow]kept[/] {} (edited; --force regenerates it)", shown(path)))
    for path in result.kept_orphans:
        console.print(
            markup("  [yellow]kept[/] {} (edited, but its source or tenant is gone: "
                   "remove it by hand)", shown(path))
        )  # fmt: skip


def render_docs_site(site: DocsSite) -> None:
    console.print(markup("[green]✓[/] dbt docs at {}", site.url))
    console.print(markup("  lineage (without the run-history sources): {}", site.lineage_url))
    console.print("  Ctrl-C to stop")


def render_docs_folder(folder: Path) -> None:
    console.print(markup("[green]✓[/] dbt docs generated in {} (index.html)", folder))


def render_registry(result: RegistryResult) -> None:
    console.print(
        markup("[green]✓[/] {} connector blueprints registered ({} new)",
               result.blueprints, result.added)
    )  # fmt: skip


def render_run_summary(summary: RunSummary, target: Console | None = None) -> None:
    """The summary after a run: what it loaded, built and tested, where to look next."""
    target = target or console
    title = f"sbdk {summary.command}"
    table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    style = _RUN_STYLE.get(summary.status, "white")
    table.add_row(
        "run", markup("{}  [{}]{}[/]", summary.run_id, style, summary.status.replace("_", " "))
    )
    if len(summary.raw_rows) > MAX_RAW_TABLES_SHOWN:
        table.add_row(
            "raw",
            f"{sum(summary.raw_rows.values()):,} rows in {len(summary.raw_rows)} tables",
        )
    for name, rows in (
        summary.raw_rows.items() if len(summary.raw_rows) <= MAX_RAW_TABLES_SHOWN else ()
    ):
        table.add_row(f"raw.{name}", f"{rows:,} rows")
    if summary.incremental is not None:
        _add_incremental_rows(table, summary.incremental)
    models, tests = summary.models, summary.tests
    if models:
        table.add_row("models", f"{summary.models_built}/{len(models)} built")
    if summary.tests_ran:
        skipped = sum(1 for node in [*models, *tests] if node.status == NodeStatus.SKIPPED)
        style = "red" if summary.tests_failed else "green"
        warned = markup(", [yellow]{} warned[/]", summary.tests_warned)
        table.add_row(
            "tests",
            markup(
                "[{}]{} passed, {} failed[/]{}{}",
                style,
                summary.tests_passed,
                summary.tests_failed,
                warned if summary.tests_warned else "",
                f", {skipped} skipped" if skipped else "",
            ),
        )
    timings = "  ".join(
        f"{stage} {seconds:.2f}s" for stage, seconds in summary.stage_seconds.items()
    )
    table.add_row("time", f"{timings}  (total {summary.total_seconds:.2f}s)")
    table.add_row("warehouse", str(summary.warehouse))
    if summary.recorded:
        table.add_row("history", f"sbdk history {summary.run_id}")
    target.print()
    target.print(table)
    failed_step = summary.failed_step
    if failed_step is not None and failed_step.hint:
        target.print(markup("[dim]{}[/]", failed_step.hint))
    for _, result in summary.dbt_results:
        if result.failed:
            _render_failures(result, summary, target)


def _add_incremental_rows(table: Table, incremental: IncrementalSummary) -> None:
    if incremental.landed_days:
        days = incremental.landed_days
        span = str(days[0]) if len(days) == 1 else f"{days[0]} .. {days[-1]}"
        rows = ", ".join(f"{n:,} {stream}" for stream, n in incremental.landed_rows.items())
        table.add_row("landed", f"{span}: {rows}")
    for stream in incremental.streams:
        state = Markup("[red]failed[/]") if stream.failure else f"{stream.batches} batch(es)"
        table.add_row(
            f"stream {stream.stream}",
            markup(
                "{}/{} new files processed, {}", stream.processed_files, stream.new_files, state
            ),
        )


def _render_failures(result: DbtResult, summary: RunSummary, target: Console) -> None:
    target.print()
    target.print(
        markup("[bold red]{} node(s) failed in dbt {}:[/]", len(result.failed), result.command)
    )
    for node in result.failed:
        target.print(_describe_failure(node), soft_wrap=True)
    skipped = result.skipped
    if skipped:
        target.print(
            markup(
                "[dim]{} node(s) skipped because something they depend on failed[/]", len(skipped)
            )
        )
    target.print(markup("[dim]full dbt log: {}[/]", summary.dbt_log))


def _describe_failure(node: NodeResult) -> Markup:
    if node.is_test and node.status == NodeStatus.FAIL:
        where = f"; failing rows in {node.failures_relation}" if node.failures_relation else ""
        count = f"{node.failures:,} failing row(s)"
        return markup(
            "  [red]✗[/] {} [bold]{}[/]: {}{}", node.resource_type, node.name, count, where
        )
    return markup("  [red]✗[/] {} [bold]{}[/]: {}", node.resource_type, node.name, node.message)


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
        tests = markup("{} ✓", run.tests_passed)
        if run.tests_failed:
            tests = markup("{} [red]{} ✗[/]", tests, run.tests_failed)
        if run.tests_warned:
            tests = markup("{} [yellow]{} ![/]", tests, run.tests_warned)
        table.add_row(
            run.run_id,
            f"{run.started_at:%Y-%m-%d %H:%M}",
            f"{run.command} {run.mode}",
            markup("[{}]{}[/]", style, status),
            f"{run.seconds:.1f}",
            str(run.models_built),
            tests,
        )
    console.print(table)
    console.print(
        Markup(
            "[dim]one run's steps and failures: sbdk history RUN_ID (a unique prefix is enough)[/]"
        )
    )


def render_run_details(run: RunRecord) -> None:
    style = _RUN_STYLE.get(run.status, "white")
    console.print(
        markup(
            "[bold]Run {}[/]  sbdk {} ({})  [{}]{}[/]  started {:%Y-%m-%d %H:%M:%S} UTC, {:.1f}s",
            run.run_id,
            run.command,
            run.mode,
            style,
            run.status.replace("_", " "),
            run.started_at,
            run.seconds,
        )
    )
    if run.failed_step:
        console.print(
            markup("[red]failed at step {}:[/] {}", run.failed_step, run.message), soft_wrap=True
        )
    steps = Table(title="Steps", title_justify="left")
    steps.add_column("step", no_wrap=True)
    steps.add_column("status", no_wrap=True)
    steps.add_column("seconds", justify="right")
    steps.add_column("detail")
    steps.add_column("dbt invocation id", no_wrap=True, overflow="fold")
    for step in run.steps:
        mark, step_style = _STEP_MARK.get(step.status, ("?", "white"))
        detail = markup("{}", step.detail or "")
        if step.message and step.message != step.detail:
            separator = " " if step.detail else ""
            detail = markup("{}{}[{}]{}[/]", detail, separator, step_style, step.message)
        steps.add_row(
            step.step,
            markup("[{}]{} {}[/]", step_style, mark, step.status.replace("_", " ")),
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
        console.print(markup("\n[bold red]{} failing or warning node(s):[/]", len(run.failures)))
        for failure in run.failures:
            color = "yellow" if failure.status == NodeStatus.WARN else "red"
            rows = f"{failure.failing_rows:,} failing row(s)" if failure.failing_rows else ""
            where = f" in {failure.failures_relation}" if failure.failures_relation else ""
            message = rows + where if rows else failure.message
            console.print(
                markup(
                    "  [{}]{}[/] {}: {} [bold]{}[/]: {}",
                    color,
                    failure.status,
                    failure.step,
                    failure.resource_type,
                    failure.node,
                    message,
                ),
                soft_wrap=True,
            )
