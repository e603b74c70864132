"""The Markdown report of a benchmark run: the targets, pass or fail, then a table per question."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from measure import (
    BUILD,
    DEFAULT_SIZE,
    GENERATE,
    LOAD,
    RUN_IMPORTS,
    SIZES,
    TEST_IMPORTS,
    MemoryRun,
    Results,
    SizeResult,
)

# The targets, each a ratio against the floor of the same work measured in the same run
# (absolute figures only where the work has no floor: a duration or memory at 30M events).
MIN_EVENTS_PER_SECOND = 5_000_000  # generation, warm, at the largest size
MAX_LOAD_RATIO = 1.5  # dlt load / direct DuckDB insert, warm, at the largest size
MAX_LARGE_DBT_RATIO = 1.15  # dbt run + test / raw SQL, at the largest size
MAX_RUN_RATIO = 1.5  # default `sbdk run`, later runs (median) / its floor
MAX_FIRST_RUN_RATIO = 1.8  # default `sbdk run`, first run after init (full parse) / its floor
MAX_TEST_RATIO = 1.5  # default `sbdk test` (median) / its floor
LARGE_SIZE = "100x"
MAX_LARGE_RUN_SECONDS = 55.0  # `sbdk run` at 100x, fresh process, median
MAX_LARGE_PEAK_MB = 6 * 1024  # its peak RSS
MAX_MEMORY_GROWTH = 0.05  # RSS growth from run 2 to the last run, relative to run 2

Column = tuple[str, Callable[[SizeResult], str]]


@dataclass(frozen=True)
class Check:
    target: str
    measured: str
    ok: bool | None  # None: cannot be judged from the sizes that ran


def render_report(results: Results) -> str:
    sections = [
        [
            "# SBDK benchmark results",
            "",
            f"`benchmarks/run_benchmarks.py`, {results.elapsed_seconds / 60:.1f} min.",
        ],
        render_machine(results),
        render_checks(evaluate_targets(results)),
        render_floors(results),
        render_end_to_end(results),
        render_stages(results),
        render_generation(results),
        render_load(results),
        render_dbt(results),
        render_startup(results),
        render_memory(results),
    ]
    return "\n\n".join("\n".join(lines) for lines in sections if lines) + "\n"


# --- Formatting ------------------------------------------------------------------------------


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def size_table(sizes: list[SizeResult], columns: list[Column]) -> list[str]:
    return table([name for name, _ in columns], [[cell(s) for _, cell in columns] for s in sizes])


def seconds(value: float) -> str:
    return f"{value:.2f} s"


def megabytes(value: float) -> str:
    return f"{value:,.0f} MB"


def rate(value: float, unit: str) -> str:
    return f"{value / 1e6:.2f}M {unit}/s" if value >= 1e6 else f"{value / 1e3:,.1f}k {unit}/s"


def ratio(value: float) -> str:
    return f"{value:.2f}×"


def smallest_and_largest(results: Results) -> tuple[SizeResult, SizeResult]:
    by_users = sorted(results.sizes, key=lambda size: size.users)
    return by_users[0], by_users[-1]


# --- Targets ---------------------------------------------------------------------------------


def evaluate_targets(results: Results) -> list[Check]:
    checks = []
    if results.sizes:
        smallest, largest = smallest_and_largest(results)
        checks += [check_generation(largest), check_load(largest), check_dbt(largest)]
    default = next((size for size in results.sizes if size.name == DEFAULT_SIZE), None)
    if default is not None and results.import_seconds:
        checks += check_default_run(default, results)
    large = next((size for size in results.sizes if size.name == LARGE_SIZE), None)
    if large is not None:
        checks += check_large_run(large)
    if results.memory:
        checks.append(check_memory(results.memory))
    return checks


def check_generation(size: SizeResult) -> Check:
    events_per_second = size.stages.events / size.stages.generate_warm_seconds
    return Check(
        f"generation ≥ {rate(MIN_EVENTS_PER_SECOND, 'events')} (warm, {size.name})",
        rate(events_per_second, "events"),
        events_per_second >= MIN_EVENTS_PER_SECOND,
    )


def check_load(size: SizeResult) -> Check:
    stages = size.stages
    value = stages.load_warm_seconds / stages.direct_insert_seconds
    return Check(
        f"dlt load ≤ {ratio(MAX_LOAD_RATIO)} a direct DuckDB insert (warm, {size.name})",
        f"{ratio(value)} ({seconds(stages.load_warm_seconds)} vs "
        f"{seconds(stages.direct_insert_seconds)})",
        value <= MAX_LOAD_RATIO,
    )


def dbt_startup_seconds(size: SizeResult) -> float:
    """dbt's fixed cost (run + test): its time outside any node (imports, parsing, set-up, writing
    artifacts), which does not grow with the data or the number of nodes."""
    return size.stages.stage_seconds[BUILD] - size.stages.dbt_node_seconds


def dbt_overhead_seconds(size: SizeResult) -> float:
    """Everything dbt (run + test) costs beyond the SQL it runs: start-up plus per-node overhead."""
    return size.stages.stage_seconds[BUILD] - size.stages.replay.total_seconds


def check_dbt(largest: SizeResult) -> Check:
    build = largest.stages.stage_seconds[BUILD]
    raw = largest.stages.replay.total_seconds
    return Check(
        f"dbt run + test ≤ {ratio(MAX_LARGE_DBT_RATIO)} the raw SQL of its models and tests "
        f"({largest.name})",
        f"{ratio(build / raw)} ({seconds(build)} vs {seconds(raw)})",
        build <= MAX_LARGE_DBT_RATIO * raw if largest.name == LARGE_SIZE else None,
    )


def run_floor_seconds(size: SizeResult, results: Results) -> float:
    """`sbdk run`'s work done directly: its imports, generation (warm), a direct insert of the
    same tables, and the SQL of its models and tests."""
    stages = size.stages
    return (
        results.import_seconds[RUN_IMPORTS]
        + stages.generate_warm_seconds
        + stages.direct_insert_seconds
        + stages.replay.total_seconds
    )


def test_floor_seconds(size: SizeResult, results: Results) -> float:
    """`sbdk test`'s work done directly: its imports and the SQL of its tests."""
    return results.import_seconds[TEST_IMPORTS] + size.stages.replay.tests_seconds


def check_default_run(size: SizeResult, results: Results) -> list[Check]:
    floor = run_floor_seconds(size, results)
    first, later = size.cli_runs[0], size.cli_runs[1:]

    def check(label: str, limit: float, wall: float, of: float = floor) -> Check:
        return Check(
            f"{label} ≤ {ratio(limit)} its floor",
            f"{ratio(wall / of)} ({seconds(wall)} vs {seconds(of)})",
            wall <= limit * of,
        )

    checks = []
    if first.dbt_parse == "full":
        label = "default `sbdk run`, first run after init (full dbt parse)"
        checks.append(check(label, MAX_FIRST_RUN_RATIO, first.wall_seconds))
    if later:
        wall = statistics.median(run.wall_seconds for run in later)
        checks.append(check("default `sbdk run`, later runs (median)", MAX_RUN_RATIO, wall))
    if size.test_runs:
        wall = statistics.median(run.wall_seconds for run in size.test_runs)
        test_floor = test_floor_seconds(size, results)
        checks.append(check("default `sbdk test` (median)", MAX_TEST_RATIO, wall, test_floor))
    return checks + dbt_bounds(size, results)


def dbt_bounds(size: SizeResult, results: Results) -> list[Check]:
    """Not targets: each command's floor plus what dbt-core alone costs over as many nodes
    (bare_dbt), the least the command could take while its models and tests run in dbt."""
    bare = size.bare_dbt
    if bare is None:
        return []
    nodes = f"{bare.models} models and {bare.tests} tests"
    run_floor, test_floor = run_floor_seconds(size, results), test_floor_seconds(size, results)
    bounds = [
        ("`sbdk run`", run_floor, bare.seconds, f"dbt run + test over {nodes}"),
        ("`sbdk test`", test_floor, bare.test_seconds, f"dbt test over {bare.tests} tests"),
    ]
    return [
        Check(
            f"for reference, not a target: {command}'s floor + dbt-core alone ({what} of "
            "trivial SQL, parse excluded)",
            f"{ratio((floor + dbt) / floor)} ({seconds(floor + dbt)} vs {seconds(floor)})",
            None,
        )
        for command, floor, dbt, what in bounds
    ]


def check_large_run(size: SizeResult) -> list[Check]:
    wall = statistics.median(run.wall_seconds for run in size.cli_runs)
    peak = max(run.peak_rss_mb for run in size.cli_runs)
    return [
        Check(
            f"`sbdk run` at {size.name} ({size.stages.events:,} events) ≤ "
            f"{MAX_LARGE_RUN_SECONDS:g} s (median)",
            seconds(wall),
            wall <= MAX_LARGE_RUN_SECONDS,
        ),
        Check(
            f"its peak RSS ≤ {MAX_LARGE_PEAK_MB / 1024:g} GB",
            megabytes(peak),
            peak <= MAX_LARGE_PEAK_MB,
        ),
    ]


def memory_growth(series: list[MemoryRun]) -> float | None:
    """RSS growth from run 2 to the last run, relative to run 2 (run 1 fills caches)."""
    if len(series) < 3:
        return None
    return (series[-1].rss_mb - series[1].rss_mb) / series[1].rss_mb


def check_memory(series: list[MemoryRun]) -> Check:
    growth = memory_growth(series)
    target = f"memory flat across runs: RSS growth from run 2 to the last ≤ {MAX_MEMORY_GROWTH:.0%}"
    if growth is None:
        return Check(target, "needs --memory-runs ≥ 3", None)
    delta = series[-1].rss_mb - series[1].rss_mb
    return Check(target, f"{growth:+.1%} ({delta:+,.0f} MB)", growth <= MAX_MEMORY_GROWTH)


# --- Sections --------------------------------------------------------------------------------


def render_machine(results: Results) -> list[str]:
    rows = [
        [key, f"`{value}`" if key == "platform" else value]
        for key, value in results.machine.items()
    ]
    return ["## Machine", "", *table(["", ""], rows)]


def render_checks(checks: list[Check]) -> list[str]:
    verdict = {True: "pass", False: "**FAIL**", None: "n/a"}
    return [
        "## Targets",
        "",
        *table(
            ["target", "measured", "result"],
            [[c.target, c.measured, verdict[c.ok]] for c in checks],
        ),
        "",
        "The throughput targets (generation, load) compare warm runs, best of the repeats, at the "
        "largest size measured; the start-up costs they leave out are what the dbt and the "
        "end-to-end targets bound.",
    ]


def render_floors(results: Results) -> list[str]:
    if not results.import_seconds or not results.sizes:
        return []
    rows = []
    for size in results.sizes:
        stages = size.stages
        floor = run_floor_seconds(size, results)
        runs = [run.wall_seconds for run in size.cli_runs[1:] or size.cli_runs]
        wall = statistics.median(runs)
        rows.append([
            f"`sbdk run`, {size.name}", seconds(results.import_seconds[RUN_IMPORTS]),
            seconds(stages.generate_warm_seconds), seconds(stages.direct_insert_seconds),
            seconds(stages.replay.models_seconds), seconds(stages.replay.tests_seconds),
            seconds(floor), seconds(wall), ratio(wall / floor),
        ])  # fmt: skip
        if size.test_runs:
            floor = test_floor_seconds(size, results)
            wall = statistics.median(run.wall_seconds for run in size.test_runs)
            rows.append([
                f"`sbdk test`, {size.name}", seconds(results.import_seconds[TEST_IMPORTS]),
                "–", "–", "–", seconds(stages.replay.tests_seconds),
                seconds(floor), seconds(wall), ratio(wall / floor),
            ])  # fmt: skip
    headers = [
        "command", "imports", "generate (warm)", "direct insert", "models' SQL", "tests' SQL",
        "floor", "measured (median)", "ratio",
    ]  # fmt: skip
    return [
        "## Floors: each command against the same work done directly",
        "",
        *table(headers, rows),
        "",
        "Imports: one fresh interpreter importing every module the command imports (shared "
        "dependencies once), best of the repeats. The SQL: the compiled SQL of every model and "
        "test dbt ran, from `target/manifest.json`, run with DuckDB alone (see the dbt section). "
        "Measured: the fresh-process wall time, the median of the runs after the first.",
    ]


def render_end_to_end(results: Results) -> list[str]:
    rows = []
    for size in results.sizes:
        for number, run in enumerate(size.cli_runs, start=1):
            stages = [
                seconds(run.stage_seconds[s]) if s in run.stage_seconds else "–"
                for s in (GENERATE, LOAD, BUILD)
            ]
            rows.append([
                size.name, f"{size.stages.events:,}", str(number), run.dbt_parse,
                seconds(run.wall_seconds), megabytes(run.peak_rss_mb), *stages,
            ])  # fmt: skip
    headers = [
        "size",
        "events",
        "run",
        "dbt parse",
        "wall",
        "peak RSS",
        "generate",
        "load",
        "dbt run + test",
    ]
    return [
        "## End to end: `python -m sbdk run` in a fresh process",
        "",
        *table(headers, rows),
        "",
        "Stage times as `sbdk run` prints them; the wall time adds the interpreter's start-up, "
        "the imports before the first stage and the process's exit.",
    ]


def render_stages(results: Results) -> list[str]:
    columns: list[Column] = [
        ("size", lambda s: s.name),
        ("users", lambda s: f"{s.users:,}"),
        ("events", lambda s: f"{s.stages.events:,}"),
        ("orders", lambda s: f"{s.stages.raw_rows['raw_orders']:,}"),
        ("generate", lambda s: seconds(s.stages.stage_seconds[GENERATE])),
        ("load", lambda s: seconds(s.stages.stage_seconds[LOAD])),
        ("dbt run + test", lambda s: seconds(s.stages.stage_seconds[BUILD])),
        ("sum", lambda s: seconds(sum(s.stages.stage_seconds.values()))),
    ]
    return [
        "## Stages: the first `Workspace.run()` in a fresh process",
        "",
        *size_table(results.sizes, columns),
        "",
        "Each stage includes the imports it triggers, as in `sbdk run`: importing dbt is part of "
        "the dbt steps.",
    ]


def render_generation(results: Results) -> list[str]:
    def first(size: SizeResult) -> float:
        return size.stages.stage_seconds[GENERATE]

    def warm(size: SizeResult) -> float:
        return size.stages.generate_warm_seconds

    columns: list[Column] = [
        ("size", lambda s: s.name),
        ("events", lambda s: f"{s.stages.events:,}"),
        ("first run", lambda s: seconds(first(s))),
        ("warm (best)", lambda s: seconds(warm(s))),
        ("first run rate", lambda s: rate(s.stages.events / first(s), "events")),
        ("warm rate", lambda s: rate(s.stages.events / warm(s), "events")),
        ("warm rate, all tables", lambda s: rate(s.stages.rows / warm(s), "rows")),
    ]
    lines = ["## Generation vs a Faker per-row loop", "", *size_table(results.sizes, columns)]
    if results.faker and results.sizes:
        faker_rate = results.faker.rows / results.faker.seconds
        largest = smallest_and_largest(results)[1].stages
        vectorized_rate = largest.rows / largest.generate_warm_seconds
        lines += [
            "",
            f"A Faker per-row loop (name, unique email, country, two timestamps, then an Arrow "
            f"table): {results.faker.rows:,} rows in {seconds(results.faker.seconds)}, "
            f"{rate(faker_rate, 'rows')}; the vectorized generator makes "
            f"{rate(vectorized_rate, 'rows')} (warm, largest size), "
            f"{vectorized_rate / faker_rate:,.0f}× as many.",
        ]
    return lines


def render_load(results: Results) -> list[str]:
    def first(size: SizeResult) -> float:
        return size.stages.stage_seconds[LOAD]

    def warm(size: SizeResult) -> float:
        return size.stages.load_warm_seconds

    def direct(size: SizeResult) -> float:
        return size.stages.direct_insert_seconds

    columns: list[Column] = [
        ("size", lambda s: s.name),
        ("rows", lambda s: f"{s.stages.rows:,}"),
        ("dlt, first run", lambda s: seconds(first(s))),
        ("dlt, warm (best)", lambda s: seconds(warm(s))),
        ("direct insert (best)", lambda s: seconds(direct(s))),
        ("ratio, first run", lambda s: ratio(first(s) / direct(s))),
        ("ratio, warm", lambda s: ratio(warm(s) / direct(s))),
    ]
    return [
        "## Load: dlt vs a direct DuckDB insert of the same Arrow tables",
        "",
        *size_table(results.sizes, columns),
        "",
        "Direct insert: `CREATE OR REPLACE TABLE raw.x AS SELECT * FROM arrow_table` into a fresh "
        "DuckDB file, from connect to close. The first run includes importing dlt.",
    ]


def render_dbt(results: Results) -> list[str]:
    def build(size: SizeResult) -> float:
        return size.stages.stage_seconds[BUILD]

    columns: list[Column] = [
        ("size", lambda s: s.name),
        ("dbt run + test", lambda s: seconds(build(s))),
        ("dbt's node times (sum)", lambda s: seconds(s.stages.dbt_node_seconds)),
        ("dbt outside its nodes", lambda s: seconds(build(s) - s.stages.dbt_node_seconds)),
        ("raw models", lambda s: seconds(s.stages.replay.models_seconds)),
        ("raw tests", lambda s: seconds(s.stages.replay.tests_seconds)),
        ("raw models + tests", lambda s: seconds(s.stages.replay.total_seconds)),
        ("ratio", lambda s: ratio(build(s) / s.stages.replay.total_seconds)),
        ("raw tests, stored as tables", lambda s: seconds(s.stages.replay.stored_tests_seconds)),
    ]
    lines = [
        "## dbt (run + test) vs its compiled SQL run directly in DuckDB",
        "",
        *size_table(results.sizes, columns),
    ]
    if results.sizes:
        stages = results.sizes[0].stages
        others = ", ".join(
            f"{n} {kind}" for kind, n in stages.dbt_nodes.items() if kind not in {"model", "test"}
        )
        lines += [
            "",
            f"dbt run + test execute {stages.dbt_nodes.get('model', 0)} models and "
            f"{stages.dbt_nodes.get('test', 0)} data tests (and {others or 'nothing else'}). The "
            f"raw SQL is the compiled SQL of the {stages.replay.models} models and "
            f"{stages.replay.tests} data tests from `target/manifest.json`, run with DuckDB on a "
            "copy of the warehouse taken when dbt started, best of the repeats: each model as "
            "`CREATE OR REPLACE VIEW/TABLE ... AS <sql>` in dependency order, then a checkpoint; "
            "each test as `select count(*) from (<sql>)`. The last column times storing every "
            "test's rows as a table instead (dbt's `store_failures`; sbdk now stores only the "
            "failing tests' rows).",
            *render_bare_dbt(results),
            "",
            *render_models(smallest_and_largest(results)[1]),
        ]
    return lines


def render_bare_dbt(results: Results) -> list[str]:
    size = next((size for size in results.sizes if size.bare_dbt is not None), None)
    if size is None:
        return []
    bare = size.bare_dbt
    per_test = bare.test_seconds / bare.tests * 1000 if bare.tests else 0.0
    return [
        "",
        f"dbt-core alone, at {bare.threads} threads: a bare project with as many nodes "
        f"({bare.models} models, {bare.tests} not_null/unique tests on a one-row table, SQL that "
        f"costs nothing), its manifest parsed beforehand, takes {seconds(bare.run_seconds)} for "
        f"`dbt run` and {seconds(bare.test_seconds)} for `dbt test` ({per_test:.0f} ms per test "
        f"node), best of the repeats; at {size.name} sbdk's dbt run + test take "
        f"{seconds(size.stages.stage_seconds[BUILD])}. Whatever sbdk does, running these nodes "
        "in dbt costs at least that much.",
    ]


def render_models(size: SizeResult) -> list[str]:
    """Per model at one size: where dbt's time beyond the SQL goes."""
    dbt, raw = size.stages.dbt_model_seconds, size.stages.replay.model_seconds
    rows = [
        [f"`{name}`", f"{dbt[name]:.3f} s", f"{raw[name]:.3f} s", ratio(dbt[name] / raw[name])]
        for name in raw
        if name in dbt
    ]
    return [
        f"Per model at {size.name}, in the replay's dependency order (raw SQL without the "
        "closing checkpoint):",
        "",
        *table(["model", "dbt", "raw SQL", "ratio"], rows),
    ]


def render_startup(results: Results) -> list[str]:
    if not results.import_seconds:
        return []
    rows = [[label, seconds(value)] for label, value in results.import_seconds.items()]
    smallest = smallest_and_largest(results)[0] if results.sizes else None
    if smallest is not None and smallest.users <= SIZES[DEFAULT_SIZE]:
        rows += [
            [f"dbt outside its nodes at {smallest.name}", seconds(dbt_startup_seconds(smallest))],
            [f"dbt − raw SQL at {smallest.name}", seconds(dbt_overhead_seconds(smallest))],
        ]
    return [
        "## Fixed start-up",
        "",
        *table(["", "seconds"], rows),
        "",
        "Imports: `python -c '<import>'` in a fresh process, best of --repeat (at least 2); the "
        "first row is the interpreter alone.",
    ]


def render_memory(results: Results) -> list[str]:
    series = results.memory
    if not series:
        return []
    rows = [
        [str(number), megabytes(run.rss_mb), megabytes(run.peak_rss_mb),
         *(seconds(run.stage_seconds.get(stage, 0.0)) for stage in (GENERATE, LOAD, BUILD))]
        for number, run in enumerate(series, start=1)
    ]  # fmt: skip
    growth = memory_growth(series)
    if growth is None:
        summary = "Too few runs to judge the growth."
    else:
        delta = series[-1].rss_mb - series[1].rss_mb
        summary = f"RSS growth from run 2 to run {len(series)}: {delta:+,.0f} MB ({growth:+.1%})."
    return [
        f"## Memory across runs: one `Workspace`, {len(series)} × `run()` at the default size, "
        "in one process",
        "",
        *table(
            ["run", "RSS after the run", "peak RSS so far", "generate", "load", "dbt run + test"],
            rows,
        ),
        "",
        f"{summary} RSS is read from /proc/self/status after a `gc.collect()`. The runs after the "
        "first show each stage's warm cost.",
    ]
