"""What the benchmarks measure, and the results they return.

`run_benchmarks.py` calls the functions under "Workers" each in a fresh interpreter, so that a
measurement starts cold (as `sbdk run` does) and nothing of one leaks into the next. The
top-level imports are the standard library only, for the same reason: a worker's first
`Workspace.run()` pays for sbdk's, dlt's and dbt's imports itself.
"""

from __future__ import annotations

import gc
import graphlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

SIZES = {"default": 10_000, "10x": 100_000, "100x": 1_000_000}  # users, 30 events each
DEFAULT_SIZE = "default"
# sbdk's step names (sbdk.orchestration.jobs); BUILD here is dbt's whole share: its build
# (dbt run) and test (dbt test) steps together, measured against replaying the same compiled SQL.
GENERATE, LOAD, BUILD = "generate", "load", "dbt"
DBT_STEPS = ("build", "test")
PACKAGES = ("sbdk", "duckdb", "dbt-core", "dbt-duckdb", "dlt", "pyarrow", "numpy", "faker")
IMPORTS = {
    "python start-up": "pass",
    "import sbdk.cli": "import sbdk.cli",
    "import dlt": "import dlt",
    "import dbt.cli.main": "import dbt.cli.main",
}
# Everything a command imports before and during its work, in one interpreter (shared
# dependencies counted once): the import share of its floor.
RUN_IMPORTS = "everything `sbdk run` imports"
TEST_IMPORTS = "everything `sbdk test` imports"
COMMAND_IMPORTS = {
    RUN_IMPORTS: "import sbdk.cli, sbdk.workspace, sbdk.pipelines.synthetic, sbdk.pipelines.load,"
    " dlt, dbt.cli.main, dbt.adapters.duckdb",
    TEST_IMPORTS: "import sbdk.cli, sbdk.workspace, dbt.cli.main, dbt.adapters.duckdb",
}
STAGE_LINE = re.compile(
    r"^✓ (?P<stage>generate|load|build|test|record)\s+(?P<seconds>[\d.]+)s", re.M
)


class BenchmarkError(Exception):
    pass


# --- Results ---------------------------------------------------------------------------------


@dataclass
class CliRun:
    """One `python -m sbdk run` (or `test`) in a fresh process."""

    dbt_parse: str  # "full" (first run after init) or "partial"
    wall_seconds: float
    peak_rss_mb: float
    stage_seconds: dict[str, float]  # as printed by sbdk run


@dataclass
class ReplayTimes:
    """dbt's compiled SQL run directly with DuckDB, best of the repeats."""

    models: int
    tests: int
    models_seconds: float
    tests_seconds: float  # select count(*) from (<test sql>)
    stored_tests_seconds: float  # create table <test relation> as <test sql>, then a count
    model_seconds: dict[str, float]  # per model, in the replay with the fastest models

    @property
    def total_seconds(self) -> float:
        return self.models_seconds + self.tests_seconds


@dataclass
class StageMeasurements:
    """One size's stage times in process, and their lower bounds."""

    raw_rows: dict[str, int]
    stage_seconds: dict[str, float]  # the first Workspace.run() in a fresh process
    dbt_node_seconds: float  # the sum of dbt's own per-node execution times
    dbt_nodes: dict[str, int]  # node count per resource type
    dbt_model_seconds: dict[str, float]  # dbt's execution time per model
    generate_warm_seconds: float
    load_warm_seconds: float
    direct_insert_seconds: float
    replay: ReplayTimes

    @property
    def events(self) -> int:
        return self.raw_rows["raw_events"]

    @property
    def rows(self) -> int:
        return sum(self.raw_rows.values())


@dataclass
class BareDbt:
    """dbt's own cost of a run and a test invocation over as many nodes as sbdk's, in a bare
    project where every model is `select 1` and every test finds nothing in one row."""

    models: int
    tests: int
    threads: int
    run_seconds: float  # `dbt run`, best of the repeats, the manifest parsed beforehand
    test_seconds: float  # `dbt test`, likewise

    @property
    def seconds(self) -> float:
        return self.run_seconds + self.test_seconds


@dataclass
class SizeResult:
    name: str
    users: int
    cli_runs: list[CliRun]
    stages: StageMeasurements
    test_runs: list[CliRun] = field(default_factory=list)  # `sbdk test` after the runs
    bare_dbt: BareDbt | None = None  # at the default size


@dataclass
class MemoryRun:
    rss_mb: float
    peak_rss_mb: float  # the process's high-water mark so far
    stage_seconds: dict[str, float]


@dataclass
class FakerLoop:
    rows: int
    seconds: float


@dataclass
class Results:
    machine: dict[str, str]
    sizes: list[SizeResult] = field(default_factory=list)
    memory: list[MemoryRun] = field(default_factory=list)
    faker: FakerLoop | None = None
    import_seconds: dict[str, float] = field(default_factory=dict)
    elapsed_seconds: float = 0.0


# --- Measured from the driver process --------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def size_environment(users: int, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """`base` without the caller's own SBDK_* settings, plus the size."""
    environment = {k: v for k, v in (base or {}).items() if not k.startswith("SBDK_")}
    environment["SBDK_USERS"] = str(users)
    return environment


def run_cli(project: Path, users: int, command: str = "run") -> CliRun:
    """`python -m sbdk <command>` in a fresh process: wall time, its own peak RSS, printed stage
    times."""
    partial = (project / "dbt" / "target" / "partial_parse.msgpack").exists()
    environment = size_environment(users, os.environ) | {"PYTHONIOENCODING": "utf-8"}
    with tempfile.TemporaryFile() as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "sbdk", command],
            cwd=project,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", errors="replace")
    if process.returncode != 0:
        raise BenchmarkError(f"sbdk {command} exited with {process.returncode}:\n{text[-3000:]}")
    stages = stage_seconds({m["stage"]: float(m["seconds"]) for m in STAGE_LINE.finditer(text)})
    return CliRun("partial" if partial else "full", wall, usage.ru_maxrss / 1024, stages)


def time_imports(repeat: int) -> dict[str, float]:
    """Best wall time of `python -c <import>` in a fresh process, per import."""
    imports = IMPORTS | COMMAND_IMPORTS
    return {label: time_python(code, repeat) for label, code in imports.items()}


def time_python(code: str, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        best = min(best, time.perf_counter() - started)
    return best


def machine_facts() -> dict[str, str]:
    facts = {
        "date": datetime.now().astimezone().isoformat(timespec="minutes"),
        "platform": platform.platform(),
        "CPUs": str(os.cpu_count()),
        "memory": f"{memory_total_gb():.0f} GB",
        "Python": platform.python_version(),
    }
    for package in PACKAGES:
        try:
            facts[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            facts[package] = "not installed"
    facts["load average at the start"] = load_average()
    return facts


def memory_total_gb() -> float:
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    return 0.0


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# --- Workers: each runs in a fresh process ---------------------------------------------------


def measure_stages(project: str, users: int, scratch: str, repeat: int) -> StageMeasurements:
    """One Workspace.run() as a fresh `sbdk run` does it, then each stage's lower bound."""
    from sbdk.config import load_settings
    from sbdk.workspace import Workspace

    settings = load_settings(Path(project), size_environment(users))
    scratch_dir = Path(scratch)
    at_dbt_start = scratch_dir / "at_dbt_start" / settings.warehouse_path.name
    manifest = settings.dbt_dir / "target" / "manifest.json"
    # `dbt test` writes a manifest holding the tests' compiled SQL only: keep the build's.
    build_manifest = scratch_dir / "build_manifest.json"
    recorder = StageRecorder(
        after={
            LOAD: lambda: copy_duckdb(settings.warehouse_path, at_dbt_start),
            "build": lambda: shutil.copyfile(manifest, build_manifest),
        }
    )
    summary = Workspace(settings, recorder).run()
    require_built(summary)
    dbt_nodes = [node for _, result in summary.dbt_results for node in result.nodes]

    # Imported only now: the run above pays for these imports itself, as `sbdk run` does.
    from sbdk.pipelines.synthetic import generate

    generate_seconds, tables = best_of(repeat, lambda: generate(settings.config.data))
    load_seconds, direct_seconds = time_loads(
        tables.by_raw_name(), settings, scratch_dir / "direct" / "direct.duckdb", repeat
    )
    del tables  # gigabytes at 100x, which the replay can use
    replay = replay_dbt_sql(build_manifest, manifest, at_dbt_start, scratch_dir / "replay", repeat)

    return StageMeasurements(
        raw_rows=dict(summary.raw_rows),
        stage_seconds=stage_seconds(recorder.seconds),
        dbt_node_seconds=sum(node.seconds for node in dbt_nodes),
        dbt_nodes=count_by(node.resource_type for node in dbt_nodes),
        dbt_model_seconds={node.name: node.seconds for node in summary.models},
        generate_warm_seconds=generate_seconds,
        load_warm_seconds=load_seconds,
        direct_insert_seconds=direct_seconds,
        replay=replay,
    )


def time_bare_dbt(scratch: str, models: int, tests: int, threads: int, repeat: int) -> BareDbt:
    """dbt alone over `models` view models and `tests` data tests of trivial SQL, with sbdk's
    flags, threads and manifest reuse: what dbt-core costs per node however fast the SQL is."""
    from dbt.cli.main import dbtRunner

    root = Path(scratch) / "bare_dbt"
    write_bare_dbt_project(root, models, tests, threads)
    common = [
        "--project-dir", str(root), "--profiles-dir", str(root), "--threads", str(threads),
        "--log-level", "none", "--log-level-file", "info", "--no-use-colors",
        "--no-version-check",
    ]  # fmt: skip
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    manifest = dbtRunner().invoke(["parse", *common, "--no-write-json"]).result
    runner = dbtRunner(manifest=manifest)

    def invoke(command: str) -> None:
        outcome = runner.invoke([command, *common])
        if not outcome.success:
            raise BenchmarkError(f"dbt {command} failed in the bare project {root}")

    invoke("run")  # the warehouse and the tables the tests read
    run_seconds, _ = best_of(repeat, lambda: invoke("run"))
    test_seconds, _ = best_of(repeat, lambda: invoke("test"))
    return BareDbt(models, tests, threads, run_seconds, test_seconds)


def write_bare_dbt_project(root: Path, models: int, tests: int, threads: int) -> None:
    """`models` models: `wide` (a table of one row, a column per two tests) and views of
    `select 1`; `tests` tests: not_null and unique on wide's columns."""
    (root / "models").mkdir(parents=True, exist_ok=True)
    (root / "dbt_project.yml").write_text(
        "name: bare\nversion: '1.0'\nprofile: bare\n", encoding="utf-8"
    )
    (root / "profiles.yml").write_text(
        "bare:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n"
        f"      path: {root / 'bare.duckdb'}\n      threads: {threads}\n",
        encoding="utf-8",
    )
    columns = [f"c{number}" for number in range(max(1, (tests + 1) // 2))]
    (root / "models" / "wide.sql").write_text(
        "{{ config(materialized='table') }}\nselect "
        + ", ".join(f"{n} as {c}" for n, c in enumerate(columns)),
        encoding="utf-8",
    )
    for number in range(models - 1):
        (root / "models" / f"view_{number}.sql").write_text("select 1 as id", encoding="utf-8")
    lines = ["version: 2", "models:", "  - name: wide", "    columns:"]
    for number, column in enumerate(columns):
        kinds = ["not_null", "unique"][: tests - 2 * number]  # the last column may have one
        lines += [f"      - name: {column}", f"        data_tests: [{', '.join(kinds)}]"]
    (root / "models" / "wide.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def measure_memory(project: str, users: int, runs: int) -> list[MemoryRun]:
    """RSS after each of `runs` runs of one Workspace, in this one process."""
    from sbdk.config import load_settings
    from sbdk.workspace import Workspace

    workspace = Workspace(load_settings(Path(project), size_environment(users)))
    series = []
    for number in range(1, runs + 1):
        summary = workspace.run()
        require_built(summary)
        gc.collect()  # count what is kept, not what the cycle collector has yet to free
        rss, peak = process_status_mb("VmRSS"), process_status_mb("VmHWM")
        series.append(MemoryRun(rss, peak, stage_seconds(summary.stage_seconds)))
        log(f"memory: run {number}: {rss:,.0f} MB")
    return series


def time_faker_loop(rows: int, seed: int = 42) -> FakerLoop:
    """The naive generator: one Python dict per user from Faker, then an Arrow table."""
    import pyarrow as pa
    from faker import Faker

    fake = Faker()
    Faker.seed(seed)
    start, end = datetime(2025, 1, 1), datetime(2026, 1, 1)
    started = time.perf_counter()
    records = [
        {
            "user_id": user_id,
            "name": fake.name(),
            "email": fake.unique.email(),
            "country": fake.country_code(),
            "created_at": fake.date_time_between(start, end),
            "updated_at": fake.date_time_between(start, end),
        }
        for user_id in range(1, rows + 1)
    ]
    pa.Table.from_pylist(records)
    return FakerLoop(rows, time.perf_counter() - started)


class StageRecorder:
    """An sbdk Reporter that records each step's time and can act between steps."""

    def __init__(self, after: Mapping[str, Callable[[], None]] | None = None) -> None:
        self.seconds: dict[str, float] = {}
        self._after = dict(after or {})

    def step_started(self, step: str, description: str) -> None:
        pass

    def step_finished(self, result) -> None:
        self.seconds[result.name] = result.seconds
        if result.name in self._after:
            self._after[result.name]()  # after the step's timing, before the next one starts

    def node_progress(self, progress) -> None:
        pass

    def run_finished(self, summary) -> None:
        pass


def require_built(summary) -> None:
    failed = summary.failed_step
    if failed is not None:
        raise BenchmarkError(
            f"the run failed at {failed.name}, nothing to measure: {failed.message}"
        )
    if summary.stopped is not None:
        raise BenchmarkError(f"the run was stopped {summary.stopped}")


def stage_seconds(step_seconds: Mapping[str, float]) -> dict[str, float]:
    """Step times with dbt's two steps (build, test) as one stage, BUILD."""
    stages = {name: s for name, s in step_seconds.items() if name not in DBT_STEPS}
    stages[BUILD] = sum(step_seconds.get(name, 0.0) for name in DBT_STEPS)
    return stages


def best_of(repeat: int, work: Callable):
    """(fastest time, last result) of `repeat` calls."""
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None  # free the previous result before the next call builds its own
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def count_by(values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts


def process_status_mb(key: str) -> float:
    """A memory figure of this process (VmRSS, VmHWM) from /proc/self/status, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) / 1024
    raise BenchmarkError(f"no {key} in /proc/self/status")


# --- Load: dlt vs a direct DuckDB insert -----------------------------------------------------


def time_loads(tables: Mapping, settings, direct_path: Path, repeat: int) -> tuple[float, float]:
    """Best seconds of the dlt load (warm) and of a direct DuckDB insert of the same tables."""
    from sbdk.pipelines.load import load_raw

    load_seconds, _ = best_of(
        repeat, lambda: load_raw(tables, settings.warehouse_path, settings.state_dir)
    )
    direct_seconds, _ = best_of(repeat, lambda: insert_directly(tables, direct_path))
    return load_seconds, direct_seconds


def insert_directly(tables: Mapping, path: Path) -> None:
    """The load's lower bound: the same Arrow tables into raw.* of a fresh DuckDB file.

    The file must not be called raw.duckdb: DuckDB names the catalog after the file.
    """
    import duckdb

    remove_duckdb(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(path))
    try:
        connection.execute("create schema raw")
        for name, table in tables.items():
            connection.register("arrow_table", table)
            connection.execute(f"create or replace table raw.{name} as select * from arrow_table")
            connection.unregister("arrow_table")
    finally:
        connection.close()


def copy_duckdb(source: Path, destination: Path) -> None:
    """Copy a closed DuckDB file (and its write-ahead log, if one was left)."""
    remove_duckdb(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, destination)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, destination.with_name(destination.name + ".wal"))


def remove_duckdb(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)


# --- dbt (run + test) vs its compiled SQL run directly -------------------------------------


@dataclass(frozen=True)
class CompiledNode:
    name: str
    database: str
    schema: str
    relation: str  # "database"."schema"."alias"
    materialized: str  # view, table or test
    sql: str


def replay_dbt_sql(
    build_manifest: Path, test_manifest: Path, warehouse: Path, scratch: Path, repeat: int
) -> ReplayTimes:
    """Best of `repeat` replays, each on a fresh copy of the warehouse as dbt found it.

    The models' SQL comes from the manifest `dbt run` wrote, the tests' from `dbt test`'s.
    The copy keeps the warehouse's file name: the compiled SQL names the database after it.
    """
    models, _ = compiled_nodes(
        json.loads(build_manifest.read_text(encoding="utf-8")), with_tests=False
    )
    _, tests = compiled_nodes(
        json.loads(test_manifest.read_text(encoding="utf-8")), with_models=False
    )
    replays = []
    for _ in range(repeat):
        copy = scratch / warehouse.name
        copy_duckdb(warehouse, copy)
        replays.append(run_compiled_sql(copy, models, tests))
    fastest = min(replays, key=lambda replay: replay.models_seconds)
    return ReplayTimes(
        models=len(models),
        tests=len(tests),
        models_seconds=fastest.models_seconds,
        tests_seconds=min(replay.tests_seconds for replay in replays),
        stored_tests_seconds=min(replay.stored_tests_seconds for replay in replays),
        model_seconds=fastest.model_seconds,
    )


def compiled_nodes(
    manifest: dict, with_models: bool = True, with_tests: bool = True
) -> tuple[list[CompiledNode], list[CompiledNode]]:
    """The models in dependency order and the data tests, with the SQL dbt ran."""
    nodes = manifest["nodes"]
    wanted = {"model"} if with_models else set()
    wanted |= {"test"} if with_tests else set()
    nodes = {uid: node for uid, node in nodes.items() if node["resource_type"] in wanted}
    # Ephemeral models have no relation: their SQL is inlined into the models using them.
    models = {
        uid: node
        for uid, node in nodes.items()
        if node["resource_type"] == "model" and node["config"]["materialized"] != "ephemeral"
    }
    graph = {uid: set(node["depends_on"]["nodes"]) & models.keys() for uid, node in models.items()}
    ordered = [as_compiled(models[uid]) for uid in graphlib.TopologicalSorter(graph).static_order()]
    # Tests dbt did not run (those of the other mode's models) have no compiled SQL.
    tests = [
        as_compiled(node)
        for node in nodes.values()
        if node["resource_type"] == "test" and node.get("compiled_code")
    ]
    unsupported = [m.name for m in ordered if m.materialized not in {"view", "table"}]
    if unsupported:
        raise BenchmarkError(f"can only replay view and table models, not {unsupported}")
    return ordered, tests


def as_compiled(node: dict) -> CompiledNode:
    if not node.get("compiled_code"):
        raise BenchmarkError(f"{node['unique_id']} has no compiled SQL in the manifest")
    return CompiledNode(
        name=node["name"],
        database=node["database"],
        schema=node["schema"],
        relation=node["relation_name"],
        materialized=node["config"]["materialized"],
        sql=node["compiled_code"],
    )


def run_compiled_sql(
    path: Path, models: list[CompiledNode], tests: list[CompiledNode]
) -> ReplayTimes:
    """Time the models (each, and all with the closing checkpoint that persists them), the
    tests as counts, and the tests stored as tables as dbt's `store_failures` does."""
    import duckdb

    connection = duckdb.connect(str(path))
    try:
        connection.execute("set TimeZone = 'UTC'")  # as the bundled profiles.yml
        for database, schema in sorted({(n.database, n.schema) for n in models + tests}):
            connection.execute(f'create schema if not exists "{database}"."{schema}"')
        connection.execute("checkpoint")

        model_seconds = {}
        started = time.perf_counter()
        for model in models:
            model_started = time.perf_counter()
            connection.execute(
                f"create or replace {model.materialized} {model.relation} as (\n{model.sql}\n)"
            )
            model_seconds[model.name] = time.perf_counter() - model_started
        connection.execute("checkpoint")
        models_seconds = time.perf_counter() - started

        started = time.perf_counter()
        for test in tests:
            failures = connection.execute(f"select count(*) from (\n{test.sql}\n)").fetchone()[0]
            if failures:
                raise BenchmarkError(
                    f"the replayed test {test.name} finds {failures} failing rows where dbt "
                    "found none: the replay does not run what dbt ran"
                )
        tests_seconds = time.perf_counter() - started

        started = time.perf_counter()
        for test in tests:
            connection.execute(f"create or replace table {test.relation} as (\n{test.sql}\n)")
            connection.execute(f"select count(*) from {test.relation}").fetchone()
        connection.execute("checkpoint")
        stored_seconds = time.perf_counter() - started
    finally:
        connection.close()
    return ReplayTimes(
        len(models), len(tests), models_seconds, tests_seconds, stored_seconds, model_seconds
    )
