"""Incremental mode: files/s and rows/s of processing landed days, against DuckDB alone.

Run from the repository root with the Python that has sbdk installed:

    python benchmarks/incremental_benchmark.py                # 30 and 365 days: ~4 min on 2 cores
    python benchmarks/incremental_benchmark.py --days 30 --batch-sizes default   # ~1 min

For each number of simulated days and batch size, in a fresh project at the default size
(10k users over 2025), after one `dbt parse` in incremental mode (as a project that ran in
that mode before has it): land the days (timed on its own), then one
`Workspace.run(incremental, skip_generate)` processes every landed file (batches through the
int_app__* models, cursors advanced per batch) and rebuilds the models downstream. The
lower bound reads the same files with DuckDB directly: per stream,
`read_parquet(<files>, hive_partitioning=true)` keeping the latest version per key, into a
fresh DuckDB file. Then one more day is landed and processed: a daily increment's cost,
compared with the dbt steps (build + test) of a default full run measured in the same process.
Batch sizes: `default` is the project's defaults (batches cut at `batch_rows` rows, no file
limit); a number N sets `batch_size = N` files.
The report goes to stdout and benchmarks/results/incremental.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sbdk.catalogue import SOURCE, STREAM_NAMES
from sbdk.config import load_settings
from sbdk.incremental.discovery import list_landed_files
from sbdk.incremental.processing import MODE_VARS
from sbdk.landing import LandingClock, land_days
from sbdk.orchestration.jobs import BUILD, LOAD, TEST
from sbdk.project import scaffold_project
from sbdk.statuses import RunStatus
from sbdk.transform import DbtProject
from sbdk.workspace import RunOptions, Workspace

RESULTS = Path(__file__).parent / "results" / "incremental.md"
KEYS = {"users": "updated_at", "orders": "updated_at", "events": "_extracted_at"}


@dataclass
class Measurement:
    days: int
    batch_size: int | None  # None: the defaults (batch_rows)
    files: int
    rows: int
    land_seconds: float
    process_seconds: float
    downstream_seconds: float
    direct_seconds: float
    next_day_seconds: float | None  # None when the window has no day left to land


class StageTimes:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def step_started(self, step, description) -> None:
        pass

    def step_finished(self, result) -> None:
        self.seconds[result.name] = result.seconds

    def node_progress(self, progress) -> None:
        pass

    def run_finished(self, summary) -> None:
        pass


def full_run_dbt_seconds(workdir: Path) -> float:
    """build + test of a default full run, in a new Workspace after a first run (dbt imported,
    the manifest parsed once per Workspace, as in the incremental runs measured)."""
    root = workdir / "full"
    scaffold_project(root, name="bench")
    for _ in range(2):
        times = StageTimes()
        summary = Workspace(load_settings(root, os.environ), times).run(RunOptions())
        if summary.status != RunStatus.SUCCESS:
            raise SystemExit(f"the full run failed; see {summary.dbt_log}")
    return times.seconds[BUILD] + times.seconds[TEST]


def measure(days: int, batch_size: int | None, workdir: Path) -> Measurement:
    root = workdir / f"days_{days}_batch_{batch_size or 'default'}"
    scaffold_project(root, name="bench")
    config = root / "sbdk.toml"
    text = config.read_text().replace("enabled = false", "enabled = true", 1)
    if batch_size is not None:
        text = text.replace("# batch_size = 10", f"batch_size = {batch_size}", 1)
    config.write_text(text)
    settings = load_settings(root, os.environ)
    data = settings.config.data
    # A project that has run in incremental mode before has dbt's partial parse of it; a
    # freshly scaffolded one would pay a full parse (~3 s) inside the processing measured.
    DbtProject(settings).parse(MODE_VARS)

    clock = LandingClock(settings.landing_root)
    started = time.perf_counter()
    landed = land_days(data, clock.next_days(days, data), settings.landing_root, settings.state_dir)
    clock.advance(landed.days, data)
    land_seconds = time.perf_counter() - started

    files = {
        s: [f.url for f in list_landed_files(settings.landing_root, SOURCE, s)]
        for s in STREAM_NAMES
    }
    times = StageTimes()
    summary = Workspace(settings, times).run(RunOptions(incremental=True, skip_generate=True))
    if summary.status != RunStatus.SUCCESS:
        raise SystemExit(f"processing {days} days failed; see {summary.dbt_log}")

    next_day = StageTimes()
    started = time.perf_counter()
    after = Workspace(load_settings(root, os.environ), next_day).run(RunOptions(incremental=True))
    next_day_seconds = time.perf_counter() - started
    if after.incremental is None or not after.incremental.landed_days:
        next_day_seconds = None

    direct_seconds, rows = read_directly(files, workdir / f"direct_{days}.duckdb")
    return Measurement(
        days=days,
        batch_size=batch_size,
        files=sum(len(f) for f in files.values()),
        rows=rows,
        land_seconds=land_seconds,
        process_seconds=times.seconds[LOAD],
        downstream_seconds=times.seconds.get(BUILD, 0.0) + times.seconds.get(TEST, 0.0),
        direct_seconds=direct_seconds,
        next_day_seconds=next_day_seconds,
    )


def read_directly(files: dict[str, list[str]], path: Path) -> tuple[float, int]:
    """The same files, deduplicated to the latest version per key, with DuckDB alone."""
    started = time.perf_counter()
    rows = 0
    with duckdb.connect(str(path)) as connection:
        for stream, stream_files in files.items():
            listing = "[" + ", ".join(f"'{f}'" for f in stream_files) + "]"
            connection.execute(
                f"""
                create or replace table {stream} as
                select * from read_parquet({listing}, filename = true, hive_partitioning = true)
                qualify row_number() over (
                    partition by id order by {KEYS[stream]} desc, _extracted_at desc
                ) = 1
                """
            )
            rows += connection.execute(f"select count(*) from read_parquet({listing})").fetchone()[
                0
            ]
    return time.perf_counter() - started, rows


def render(results: list[Measurement], full_dbt_seconds: float) -> str:
    lines = [
        "| days | files | rows | land | batch size | process (dbt) | files/s | rows/s "
        "| DuckDB alone | ratio | downstream rebuild | one more day, end to end "
        "| one more day / full run's dbt |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m in results:
        size = f"{m.batch_size} files" if m.batch_size else "default (≤ batch_rows rows)"
        next_day = (
            f"| {m.next_day_seconds:.1f} s | {m.next_day_seconds / full_dbt_seconds:.2f}× |"
            if m.next_day_seconds
            else "| window ended | |"
        )
        lines.append(
            f"| {m.days} | {m.files:,} | {m.rows:,} | {m.land_seconds:.1f} s | {size} "
            f"| {m.process_seconds:.1f} s | {m.files / m.process_seconds:.1f} "
            f"| {m.rows / m.process_seconds:,.0f} | {m.direct_seconds:.2f} s "
            f"| {m.process_seconds / m.direct_seconds:.1f}× | {m.downstream_seconds:.1f} s "
            + next_day
        )
    lines.append(
        f"\nA default full run's dbt steps (build + test), in the same process: "
        f"{full_dbt_seconds:.1f} s."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", default="30,365", help="comma-separated numbers of days")
    parser.add_argument(
        "--batch-sizes",
        default="default,10",
        help="comma-separated files per dbt invocation; `default`: the project's defaults",
    )
    args = parser.parse_args(argv)
    sizes = [None if b == "default" else int(b) for b in args.batch_sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="sbdk-incremental-") as workdir:
        print("[bench] a default full run, twice", file=sys.stderr, flush=True)
        full_dbt_seconds = full_run_dbt_seconds(Path(workdir))
        results = []
        for days in (int(d) for d in args.days.split(",")):
            for batch_size in sizes:
                label = f"{batch_size} files" if batch_size else "default"
                print(f"[bench] {days} days, batches: {label}", file=sys.stderr, flush=True)
                results.append(measure(days, batch_size, Path(workdir)))
    report = render(results, full_dbt_seconds)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(report, encoding="utf-8")
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
