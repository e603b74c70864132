"""`sbdk run` for the multi-tenant platform template:

    onboard -> registry -> generate -> load -> route -> build -> test -> quarantine
                                    (--skip-generate: no generate, no load)

onboard regenerates the dbt files of tenants.yaml (idempotent, never over a user's edit);
registry registers the connector blueprints and each tenant's new config version; generate
draws every active tenant's mock sources; load lands them as raw tables in one transaction;
route fingerprints each landed table and routes it or quarantines it (recorded in the
registry); build is `dbt run` with the routes; test is `dbt test`; quarantine fails the run,
after everything else was built and tested, when a landed table was not routed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sbdk.build_mode import FULL
from sbdk.orchestration.graph import Step, StepFailed
from sbdk.orchestration.jobs import BUILD, GENERATE, LOAD, RUN_COMMAND, TEST, Job, RunOptions
from sbdk.orchestration.jobs.dbt_steps import checked, describe_dbt

if TYPE_CHECKING:
    from sbdk.multitenant.mock import MockTables
    from sbdk.multitenant.onboarding import OnboardResult
    from sbdk.multitenant.routing import RoutingResult
    from sbdk.workspace import Workspace

ONBOARD, REGISTRY, ROUTE, QUARANTINE = "onboard", "registry", "route", "quarantine"
UNCHANGED = "the warehouse was not changed"


def job(workspace: Workspace, options: RunOptions, run_id: str) -> Job:
    from sbdk.multitenant import landing
    from sbdk.multitenant.platform import load_platform

    settings = workspace.settings
    platform = load_platform(settings.root)  # a mistake in the YAML: nothing is written
    tables = platform.source_tables()
    raw_rows = landing.landed_row_counts(settings.warehouse_path, tables) if (
        options.skip_generate
    ) else {}  # fmt: skip

    def onboard() -> OnboardResult:
        from sbdk.multitenant.onboarding import onboard

        return onboard(settings)

    def registry():
        from sbdk.multitenant.registry import record_run_registry

        return record_run_registry(settings.warehouse_path, platform, run_id)

    def generate() -> MockTables:
        from sbdk.multitenant import mock

        return mock.generate(platform, settings.config.data.seed)

    def load(generate: MockTables):
        return landing.land(settings.warehouse_path, generate.tables)

    def route() -> RoutingResult:
        from sbdk.multitenant.routing import route

        return route(settings.warehouse_path, tables, run_id)

    def build(route: RoutingResult):
        workspace.record_build_mode(FULL, run_id)
        return checked(
            workspace.dbt.run(options.select, variables=route.dbt_vars, parse_with={},
                              progress=workspace.node_progress)
        )  # fmt: skip

    def test(route: RoutingResult):
        return checked(
            workspace.dbt.test(options.select, workspace.node_progress,
                               variables=route.dbt_vars, parse_with={})
        )  # fmt: skip

    def quarantine(route: RoutingResult) -> int:
        if route.quarantined:
            first = route.quarantined[0]
            more = f" (and {len(route.quarantined) - 1} more)" if len(route.quarantined) > 1 else ""
            raise StepFailed(
                f"{len(route.quarantined)} landed table(s) quarantined, not routed: "
                f"{first.describe()}{more}; see registry.quarantined_tables"
            )
        return 0

    steps = [
        Step(ONBOARD, "Onboarding tenants.yaml", onboard, describe=_describe_onboarding,
             if_interrupted="some generated dbt files may be new; run again to finish"),
        Step(REGISTRY, "Registering blueprints and tenant configs", registry,
             depends_on=[ONBOARD], describe=_describe_registry, if_interrupted=UNCHANGED),
    ]  # fmt: skip
    if not options.skip_generate:
        steps += [
            Step(GENERATE, "Generating the tenants' mock sources", generate,
                 depends_on=[REGISTRY], describe=_describe_generated, if_interrupted=UNCHANGED),
            Step(LOAD, "Landing raw tables", load, inputs=[GENERATE],
                 describe=lambda landed: f"{sum(landed.row_counts.values()):,} rows into "
                                         f"{len(landed.row_counts)} raw tables",
                 if_interrupted=f"{UNCHANGED} (raw tables are landed all at once)"),
        ]  # fmt: skip
    steps += [
        Step(ROUTE, "Routing landed tables by fingerprint", route,
             depends_on=[LOAD] if not options.skip_generate else [REGISTRY],
             describe=_describe_routing, if_interrupted="the raw tables hold the new data"),
        Step(BUILD, "Building models", build, inputs=[ROUTE], describe=describe_dbt,
             if_interrupted="the raw tables hold the new data; the master models hold every "
                            "record pushed so far"),
        Step(TEST, "Running data tests", test, inputs=[ROUTE], depends_on=[BUILD],
             describe=describe_dbt, if_interrupted="every model is rebuilt; not every test ran"),
        Step(QUARANTINE, "Checking for quarantined tables", quarantine, inputs=[ROUTE],
             depends_on=[TEST], describe=lambda _: "every landed table was routed"),
    ]  # fmt: skip
    return Job(RUN_COMMAND, FULL, steps, raw_rows)


def landed_rows(workspace: Workspace) -> dict[str, int]:
    """The landed tables' rows, for `sbdk test`'s summary."""
    from sbdk.multitenant import landing
    from sbdk.multitenant.platform import load_platform

    settings = workspace.settings
    return landing.landed_row_counts(
        settings.warehouse_path, load_platform(settings.root).source_tables()
    )


def _describe_onboarding(result: OnboardResult) -> str:
    parts = [f"{len(result.written)} files written" if result.written else "up to date"]
    if result.removed:
        parts.append(f"{len(result.removed)} removed")
    if result.kept_edited:
        parts.append(f"{len(result.kept_edited)} edited files kept (sbdk onboard --force)")
    if result.kept_orphans:
        parts.append(f"{len(result.kept_orphans)} edited files of removed sources kept")
    return ", ".join(parts)


def _describe_registry(result) -> str:
    text = f"{result.blueprints} blueprints ({result.added} new)"
    if result.tenant_configs_changed:
        text += f", new config of {', '.join(result.tenant_configs_changed)}"
    return text


def _describe_generated(generated: MockTables) -> str:
    tables = generated.tables
    tenants = {table.tenant for table in tables}
    return f"{sum(t.num_rows for t in tables.values()):,} rows, {len(tables)} tables, " \
           f"{len(tenants)} tenants"  # fmt: skip


def _describe_routing(result: RoutingResult) -> str:
    text = f"{len(result.routed)} routed"
    if result.quarantined:
        text += f", {len(result.quarantined)} quarantined"
    return text
