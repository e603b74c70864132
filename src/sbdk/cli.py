"""The `sbdk` command line: parse options, call one core function, render its result."""

from __future__ import annotations

import os
from functools import wraps
from pathlib import Path
from typing import Annotated

import typer

from sbdk import __version__
from sbdk.errors import SbdkError
from sbdk.orchestration import interrupts
from sbdk.project_templates import MULTITENANT, template_help

app = typer.Typer(
    name="sbdk",
    help="A local-first data development kit: synthetic data -> dlt -> DuckDB -> dbt.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
_state = {"debug": False, "job_started": False}

ProjectOption = Annotated[
    Path | None,
    typer.Option(
        "--project",
        "-p",
        help="Project directory (default: the nearest one above the current directory).",
        show_default=False,
    ),
]
SelectOption = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        "-s",
        help="dbt node selection, e.g. 'marts' or '+user_metrics' (repeatable).",
        show_default=False,
    ),
]


def handle_errors(command):
    """Expected failures become one red line and exit 1; tracebacks only with --debug."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        from sbdk import console

        try:
            return command(*args, **kwargs)
        except SbdkError as error:
            if _state["debug"]:
                raise
            console.error(str(error))
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            # Before a run's steps began: once they have, a stop is reported by the run itself,
            # with what it left behind (see _finish).
            interrupts.note()
            when = " before any work started" if _state["job_started"] else ""
            console.error(f"stopped by {interrupts.describe()}{when}")
            raise typer.Exit(interrupts.exit_code()) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as error:  # noqa: BLE001 - the last line of defence against tracebacks
            if _state["debug"]:
                raise
            console.error(
                f"unexpected {type(error).__name__}: {error} (rerun with --debug for the traceback)"
            )
            raise typer.Exit(1) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sbdk {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: Annotated[bool, typer.Option("--debug", help="Show full tracebacks on errors.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    _state["debug"] = debug


@app.command()
@handle_errors
def init(
    directory: Annotated[
        Path, typer.Argument(help="Directory to create ('.' for the current one).")
    ],
    name: Annotated[
        str | None,
        typer.Option(
            "--name", help="Project name (default: the directory's name).", show_default=False
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a non-empty directory, overwriting files the template provides.",
        ),
    ] = False,
    template: Annotated[
        str,
        typer.Option(
            "--template",
            "-t",
            help=f"The project template. {template_help()}.",
        ),
    ] = "default",
) -> None:
    """Scaffold a project: sbdk.toml, a dbt project and an empty DuckDB warehouse."""
    from sbdk import console
    from sbdk.project import scaffold_project

    result = scaffold_project(directory, name=name, force=force, template=template)
    console.render_scaffold(result, Path.cwd())


@app.command()
@handle_errors
def onboard(
    force: Annotated[
        bool,
        typer.Option("--force", help="Regenerate files you edited, too (your edits are lost)."),
    ] = False,
    project: ProjectOption = None,
) -> None:
    """Multi-tenant template: generate the dbt files of every tenant in tenants.yaml.

    Idempotent; a file you edited is kept (and reported) unless --force; the files of a
    removed source or tenant are removed."""
    from sbdk import console
    from sbdk.multitenant.onboarding import onboard_project

    console.render_onboarding(onboard_project(_settings(project), force=force), Path.cwd())


@app.command()
@handle_errors
def run(
    users: Annotated[
        int | None,
        typer.Option("--users", "-u", help="Number of users to generate.", show_default=False),
    ] = None,
    events_per_user: Annotated[
        float | None,
        typer.Option("--events-per-user", help="Mean events per user.", show_default=False),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Random seed.", show_default=False)
    ] = None,
    skip_generate: Annotated[
        bool, typer.Option("--skip-generate", help="Rebuild models on the raw data already loaded.")
    ] = False,
    select: SelectOption = None,
    incremental: Annotated[
        bool | None,
        typer.Option(
            "--incremental/--full",
            help="Land the next simulated day(s) as files and process only new files, or "
            "regenerate everything (default: the project's [incremental] enabled).",
            show_default=False,
        ),
    ] = None,
    full_refresh: Annotated[
        bool,
        typer.Option(
            "--full-refresh",
            help="Incremental mode: reset cursors, rebuild processed models from all files "
            "and the incremental models downstream (stg_events, dim_customers) from scratch.",
        ),
    ] = False,
    wait: Annotated[
        float | None,
        typer.Option(
            "--wait",
            min=0,
            help="Incremental mode: seconds to wait for new files before ending with "
            "'no new data' (default: [incremental] sensor_timeout_seconds, 0 = look once).",
            show_default=False,
        ),
    ] = None,
    poll_interval: Annotated[
        float | None,
        typer.Option(
            "--poll-interval",
            min=0.1,
            help="Incremental mode: seconds between two looks at the landing area while "
            "waiting (default: [incremental] sensor_poll_seconds).",
            show_default=False,
        ),
    ] = None,
    project: ProjectOption = None,
) -> None:
    """Run the pipeline as a graph of steps, recorded in the warehouse.

    Full mode: generate -> load (dlt) -> build (dbt run) -> test (dbt test) -> record.
    Incremental mode: land -> sensor -> load (process new files) -> build -> test -> record.
    """
    from sbdk.workspace import RunOptions

    flags = {"data": {"users": users, "events_per_user": events_per_user, "seed": seed}}
    options = RunOptions(
        skip_generate=skip_generate,
        select=select or (),
        incremental=incremental,
        full_refresh=full_refresh,
        sensor_timeout_seconds=wait,
        sensor_poll_seconds=poll_interval,
    )
    workspace = _workspace(project, flags)
    if workspace.settings.config.project.template == MULTITENANT and (users or events_per_user):
        raise SbdkError(
            "--users and --events-per-user size the default template's data; a multi-tenant "
            "project's mock volumes are in tenants.yaml"
        )
    _finish(lambda: workspace.run(options), "sbdk run")


@app.command()
@handle_errors
def test(
    select: SelectOption = None,
    incremental: Annotated[
        bool | None,
        typer.Option(
            "--incremental/--full",
            help="The mode the warehouse must have been built in (default: the mode it was "
            "last built in, as recorded by sbdk run); a mismatch is refused.",
            show_default=False,
        ),
    ] = None,
    project: ProjectOption = None,
) -> None:
    """Run the data tests and the project's checks, in the mode the warehouse was last built
    in; exit non-zero if any fails."""
    from sbdk.workspace import RunOptions

    workspace = _workspace(project)
    options = RunOptions(select=select or (), incremental=incremental)
    _finish(lambda: workspace.test(options), "sbdk test")


@app.command()
@handle_errors
def history(
    run_id: Annotated[
        str | None,
        typer.Argument(
            help="A run id (or a unique prefix of one) to show in detail.", show_default=False
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Runs to list.")] = 20,
    project: ProjectOption = None,
) -> None:
    """List recent runs, or show one run's steps, tables and failures."""
    from sbdk import console
    from sbdk.orchestration import history as run_history
    from sbdk.project_lock import explain_locked_warehouse
    from sbdk.warehouse import WarehouseLocked

    settings = _settings(project)
    try:
        if run_id is None:
            console.render_history(run_history.recent_runs(settings.warehouse_path, limit))
        else:
            console.render_run_details(run_history.find_run(settings.warehouse_path, run_id))
    except WarehouseLocked as error:
        raise explain_locked_warehouse(settings.state_dir, error, "`sbdk history`") from None


@app.command()
@handle_errors
def docs(
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port on 127.0.0.1 (0: any free one).")
    ] = 8080,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the site after generating it.")
    ] = True,
    project: ProjectOption = None,
) -> None:
    """Generate dbt's documentation of the project and serve it on 127.0.0.1, offline."""
    from sbdk import console, docs_site

    folder = docs_site.generate(_settings(project))
    if serve:
        docs_site.serve(folder, port, console.render_docs_site)
    else:
        console.render_docs_folder(folder)


tenant_app = typer.Typer(
    help="Multi-tenant template: the platform's tenants.", no_args_is_help=True
)
registry_app = typer.Typer(
    help="Multi-tenant template: the connector blueprints registry.", no_args_is_help=True
)
app.add_typer(tenant_app, name="tenant")
app.add_typer(registry_app, name="registry")


@tenant_app.command("add")
@handle_errors
def tenant_add(
    slug: Annotated[str, typer.Argument(help="The tenant's slug: lowercase letters, digits, _.")],
    sources: Annotated[
        list[str],
        typer.Option("--source", "-s", help="A connector to enable (repeatable)."),
    ],
    display_name: Annotated[
        str | None,
        typer.Option("--name", help="Display name (default: from the slug).", show_default=False),
    ] = None,
    project: ProjectOption = None,
) -> None:
    """Add a tenant with its sources to tenants.yaml, then onboard it."""
    from sbdk import console
    from sbdk.multitenant.tenant_admin import add_tenant

    console.render_onboarding(
        add_tenant(_settings(project), slug, sources, display_name), Path.cwd()
    )


@registry_app.command("init")
@handle_errors
def registry_init(project: ProjectOption = None) -> None:
    """Register the blueprint of every landing contract (a run does it when one is missing)."""
    from sbdk import console
    from sbdk.multitenant.registry import init_project_registry

    console.render_registry(init_project_registry(_settings(project)))


def _finish(job, title: str) -> None:
    """Run a job and render it; a failed step becomes the one-line error and exit 1.

    Ctrl-C or SIGTERM stop only the job's preparation and the work of its steps (the job
    marks where): once the job has started, a stop is reported with what it left behind,
    never cut short in the middle of the report."""
    from sbdk import console

    _state["job_started"] = True
    with interrupts.deferred():  # the workspace's reporter shows the summary
        summary = job()
    if summary.stopped is not None:
        console.error(
            f"run {summary.run_id} stopped by {interrupts.describe()} {summary.stopped}; "
            f"run `{title}` again to finish"
        )
        raise typer.Exit(interrupts.exit_code())
    failed = summary.failed_step
    if failed is not None:
        if _state["debug"] and failed.error is not None:
            raise failed.error
        raise SbdkError(f"run {summary.run_id} failed at step '{failed.name}': {failed.message}")


def _settings(project: Path | None, flags: dict | None = None):
    from sbdk.config import load_settings
    from sbdk.library_logs import route_library_logs
    from sbdk.project import find_project_root

    root = find_project_root(project or Path.cwd())
    settings = load_settings(root, os.environ, flags)
    route_library_logs(settings.state_dir)
    return settings


def _workspace(project: Path | None, flags: dict | None = None):
    from sbdk import console
    from sbdk.workspace import Workspace

    return Workspace(_settings(project, flags), console.RichReporter())


def main() -> None:
    interrupts.install()  # Ctrl-C and SIGTERM stop a run cleanly from here on
    app()
