"""SBDK benchmarks: `sbdk run` end to end, each stage against its lower bound, memory across runs.

Run from the repository root with the Python that has sbdk installed:

    python benchmarks/run_benchmarks.py                   # all three sizes: ~8 min on 2 cores
    python benchmarks/run_benchmarks.py --sizes default   # a smoke check: ~1 min
    python benchmarks/run_benchmarks.py --sizes default,10x --repeat 3 --keep /tmp/sbdk-bench

Sizes are user counts at the default 30 events per user: `default` = 10k users (~300k events),
`10x` = 100k users (~3M events), `100x` = 1M users (~30M events; about a minute per run and
~6 GB of RAM). A plain number is taken as a user count.

For each size, in a project scaffolded as by `sbdk init` (in a temporary directory, removed
afterwards unless --keep):
1. `python -m sbdk run` in a fresh process, --repeat times (the default size at least twice):
   wall time, the child's peak RSS, and the stage times it prints. The first run after init
   parses the dbt project fully, later runs partially. At the default size, then
   `python -m sbdk test` as often.
2. In a fresh worker process: one `Workspace.run()`, which pays what a fresh `sbdk run` pays
   (imports included), then each stage against its lower bound on the same data, best of
   --repeat:
   - the generator again (warm), events/s; and once, a Faker per-row loop;
   - the dlt load again (warm) vs `CREATE TABLE raw.x AS SELECT * FROM arrow_table` into a
     fresh DuckDB file;
   - dbt (run + test) vs the compiled SQL of its models and data tests run directly with
     DuckDB, on a copy of the warehouse taken when dbt started;
   - at the default size, dbt alone over as many models and tests of trivial SQL (a bare
     project, the same threads and flags, the manifest parsed beforehand): what dbt-core
     costs per node however fast the SQL is.
Then RSS after each of --memory-runs `run()`s of one Workspace in one process (default size),
and the start-up of Python and of the big imports.

Each command is compared with its floor, the same work done directly, measured in the same
benchmark run: for `sbdk run`, importing everything it imports (one interpreter), generating
(warm), a direct DuckDB insert of the same Arrow tables and the compiled SQL of every model
and test run directly in DuckDB; for `sbdk test`, its imports and the tests' SQL.

The Markdown report goes to stdout and to benchmarks/results/latest.md (the numbers as JSON to
latest.json beside it); progress goes to stderr. The code: `measure.py` measures, `report.py`
renders, this file drives.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from measure import (
    DEFAULT_SIZE,
    SIZES,
    BenchmarkError,
    MemoryRun,
    Results,
    SizeResult,
    load_average,
    log,
    machine_facts,
    measure_memory,
    measure_stages,
    run_cli,
    time_bare_dbt,
    time_faker_loop,
    time_imports,
)
from report import render_report

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        results = measure_all(args)
    except BenchmarkError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    report = render_report(results)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "latest.md").write_text(report, encoding="utf-8")
    (RESULTS_DIR / "latest.json").write_text(json.dumps(asdict(results), indent=2), "utf-8")
    print(report)
    log(f"report written to {RESULTS_DIR / 'latest.md'}")
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark `sbdk run` end to end, each stage against its lower bound, "
        "and memory across runs; prints a Markdown report.",
    )
    parser.add_argument(
        "--sizes",
        default="default,10x,100x",
        type=parse_sizes,
        help="comma-separated: default, 10x, 100x or a number of users (default: all three)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=2,
        help="fresh-process runs per size (the default size runs at least twice), and repeats "
        "of each lower bound, the best kept (default: 2)",
    )
    parser.add_argument(
        "--memory-runs",
        type=int,
        default=5,
        help="Workspace.run() calls in one process for the memory check (default: 5)",
    )
    parser.add_argument(
        "--faker-rows", type=int, default=20_000, help="rows of the Faker loop (default: 20000)"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep the projects and scratch files under DIR/<size> instead of a temporary dir",
    )
    args = parser.parse_args(argv)
    if min(args.repeat, args.memory_runs, args.faker_rows) < 1:
        parser.error("--repeat, --memory-runs and --faker-rows must be at least 1")
    return args


def parse_sizes(text: str) -> list[tuple[str, int]]:
    sizes = []
    for name in filter(None, (part.strip() for part in text.split(","))):
        if name in SIZES:
            sizes.append((name, SIZES[name]))
        elif name.isdigit() and int(name) > 0:
            sizes.append((f"{int(name):,} users", int(name)))
        else:
            raise argparse.ArgumentTypeError(
                f"unknown size {name!r}: use {', '.join(SIZES)} or a number"
            )
    if not sizes:
        raise argparse.ArgumentTypeError("no sizes given")
    return sizes


def measure_all(args: argparse.Namespace) -> Results:
    started = time.perf_counter()
    results = Results(machine=machine_facts())
    for name, users in args.sizes:
        results.sizes.append(benchmark_size(name, users, args))
    results.memory = benchmark_memory(args)
    log(f"a Faker per-row loop of {args.faker_rows:,} rows")
    results.faker = in_fresh_process(time_faker_loop, args.faker_rows)
    log("start-up of python and of the big imports")
    results.import_seconds = time_imports(max(args.repeat, 2))
    results.machine["load average at the end"] = load_average()
    results.elapsed_seconds = time.perf_counter() - started
    return results


def benchmark_size(name: str, users: int, args: argparse.Namespace) -> SizeResult:
    with work_dir(args.keep, name) as root:
        project = scaffold(root / "project")
        runs = max(args.repeat, 2) if name == DEFAULT_SIZE else args.repeat
        cli_runs = []
        for number in range(1, runs + 1):
            log(f"{name}: sbdk run #{number} in a fresh process")
            cli_runs.append(run_cli(project, users))
        test_runs = []
        if name == DEFAULT_SIZE:
            for number in range(1, runs + 1):
                log(f"{name}: sbdk test #{number} in a fresh process")
                test_runs.append(run_cli(project, users, "test"))
        log(f"{name}: the stages in process, and their lower bounds")
        scratch = str(root / "scratch")
        stages = in_fresh_process(measure_stages, str(project), users, scratch, args.repeat)
        bare_dbt = None
        if name == DEFAULT_SIZE:
            log(f"{name}: dbt alone over as many nodes of trivial SQL")
            models, tests = stages.dbt_nodes.get("model", 0), stages.dbt_nodes.get("test", 0)
            threads = dbt_threads(project)
            bare_dbt = in_fresh_process(time_bare_dbt, scratch, models, tests, threads, args.repeat)
        return SizeResult(name, users, cli_runs, stages, test_runs, bare_dbt)


def benchmark_memory(args: argparse.Namespace) -> list[MemoryRun]:
    with work_dir(args.keep, "memory") as root:
        project = scaffold(root / "project")
        log(f"memory: {args.memory_runs} runs of one Workspace at the default size")
        return in_fresh_process(measure_memory, str(project), SIZES[DEFAULT_SIZE], args.memory_runs)


@contextmanager
def work_dir(keep: Path | None, name: str) -> Iterator[Path]:
    """A temporary directory, or DIR/<name> under --keep DIR (which must be new or empty)."""
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="sbdk-bench-") as directory:
            yield Path(directory)
        return
    directory = keep.resolve() / re.sub(r"\W+", "_", name)
    if directory.exists() and any(directory.iterdir()):
        raise BenchmarkError(f"{directory} is not empty: give --keep a new or empty directory")
    directory.mkdir(parents=True, exist_ok=True)
    yield directory


def scaffold(target: Path) -> Path:
    from sbdk.project import scaffold_project

    return scaffold_project(target, name="bench").root


def dbt_threads(project: Path) -> int:
    from sbdk.config import load_settings

    return load_settings(project, {}).config.dbt.threads


def in_fresh_process(function: Callable, *args):
    """`function(*args)` in a new interpreter: each measurement starts cold and runs alone."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as executor:
        return executor.submit(function, *args).result()


if __name__ == "__main__":
    sys.exit(main())
