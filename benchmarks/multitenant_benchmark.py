"""The multi-tenant template at 2, 10 and 50 tenants: models, parse time, build time, peak
memory, and how each grows; and its default 2-tenant run against the default template's run
on the same machine, in the same benchmark.

Run from the repository root with the Python that has sbdk installed:

    python benchmarks/multitenant_benchmark.py                  # 2, 10 and 50 tenants: ~10 min
    python benchmarks/multitenant_benchmark.py --tenants 2 10   # ~3 min

Per size, in a fresh project (`sbdk init --template multitenant`): tenants.yaml holds the
template's two tenants and, beyond two, copies of them under new slugs (tenant_003, ...:
each copy has the sources, volumes and logic of the tenant it copies). Then, each in a fresh
process (the numbers a user sees): `sbdk onboard`; a full `dbt parse` without partial
parsing; a first `sbdk run` and a second one (its steps' times from the run record). Peak
memory is the maximum resident set of each `sbdk run` process (os.wait4). For 2 tenants a
default-template project runs alternately with it, twice each, and the ratio of the second
runs is reported (the target is at most 2x).
The report goes to stdout and benchmarks/results/multitenant.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

RESULTS = Path(__file__).parent / "results" / "multitenant.md"


@dataclass
class RunMeasure:
    seconds: float
    peak_rss_mb: float
    steps: dict[str, float]


@dataclass
class SizeMeasure:
    tenants: int
    landed_tables: int
    raw_rows: int
    models: int
    tests: int
    onboard_seconds: float
    parse_seconds: float
    first: RunMeasure
    second: RunMeasure


def sbdk(*args: str, cwd: Path) -> RunMeasure:
    """`python -m sbdk ...` in a fresh process: wall time and that process's peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "sbdk", *args], cwd=cwd,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.stdout.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"sbdk {' '.join(args)} failed in {cwd}:\n{output[-3000:]}")
    return RunMeasure(seconds, usage.ru_maxrss / 1024, {})


def last_run_steps(root: Path) -> dict[str, float]:
    with duckdb.connect(str(root / "data/warehouse.duckdb"), read_only=True) as connection:
        return dict(
            connection.execute(
                "select step, seconds from observability.sbdk_run_steps where run_id = "
                "(select run_id from observability.sbdk_runs order by started_at desc limit 1)"
            ).fetchall()
        )


def write_tenants(root: Path, count: int) -> None:
    path = root / "tenants.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    template = data["tenants"]
    tenants = list(template)
    for number in range(len(template) + 1, count + 1):
        copy = dict(template[(number - 1) % len(template)])
        copy["slug"] = f"tenant_{number:03d}"
        copy["display_name"] = f"Tenant {number}"
        tenants.append(copy)
    data["tenants"] = tenants[:count]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def parse_seconds(root: Path) -> float:
    """A full `dbt parse` (no partial parse) in a fresh process."""
    script = (
        "import sys, time\n"
        "from dbt.cli.main import dbtRunner\n"
        "started = time.perf_counter()\n"
        "result = dbtRunner().invoke(['parse', '--project-dir', 'dbt', '--profiles-dir', 'dbt',"
        " '--no-partial-parse', '--no-write-json', '--log-level', 'none',"
        " '--vars', '{sbdk_routes: {}}'])\n"
        "assert result.success, result.exception\n"
        "print(time.perf_counter() - started)\n"
    )
    environment = {**os.environ, "SBDK_WAREHOUSE_PATH": str(root / "data/warehouse.duckdb"),
                   "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}  # fmt: skip
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=environment, capture_output=True,
        text=True, check=True,
    ).stdout  # fmt: skip
    return float(output.strip().splitlines()[-1])


def count_nodes(root: Path) -> tuple[int, int]:
    dbt = root / "dbt"
    models = len(list((dbt / "models").rglob("*.sql")))
    tests = len(list((dbt / "tests").rglob("*.sql"))) - len(list((dbt / "tests/generic").glob("*")))
    tests += sum(
        text.count("sbdk_unique_combination:")
        for text in (p.read_text() for p in (dbt / "models").rglob("*.yml"))
    )
    return models, tests


def measure_size(directory: Path, tenants: int) -> SizeMeasure:
    root = directory / f"agency_{tenants}"
    sbdk("init", str(root), "--template", "multitenant", cwd=directory)
    write_tenants(root, tenants)
    onboard = sbdk("onboard", cwd=root)
    models, tests = count_nodes(root)
    parse = parse_seconds(root)
    first = sbdk("run", cwd=root)
    first.steps = last_run_steps(root)
    second = sbdk("run", cwd=root)
    second.steps = last_run_steps(root)
    with duckdb.connect(str(root / "data/warehouse.duckdb"), read_only=True) as connection:
        tables = connection.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
        rows = sum(
            connection.execute(f'select count(*) from raw."{name}"').fetchone()[0]
            for (name,) in tables
        )
    return SizeMeasure(tenants, len(tables), rows, models, tests, onboard.seconds, parse,
                       first, second)  # fmt: skip


def default_template_runs(directory: Path, multitenant_root: Path) -> list[tuple[float, float]]:
    """(default template's run, multi-tenant 2-tenant run), alternating, re-runs each."""
    root = directory / "default_project"
    sbdk("init", str(root), cwd=directory)
    sbdk("run", cwd=root)  # the first run pays the parse; re-runs are compared
    pairs = []
    for _ in range(2):
        default = sbdk("run", cwd=root).seconds
        multitenant = sbdk("run", cwd=multitenant_root).seconds
        pairs.append((default, multitenant))
    return pairs


def report(sizes: list[SizeMeasure], pairs: list[tuple[float, float]]) -> str:
    lines = [
        "# Multi-tenant template benchmark",
        "",
        f"`python benchmarks/multitenant_benchmark.py --tenants "
        f"{' '.join(str(s.tenants) for s in sizes)}`, {os.cpu_count()} cores.",
        "",
        "| tenants | landed tables | raw rows | models | tests | onboard | full parse "
        "| first run | re-run | build (re-run) | test (re-run) | peak RSS (re-run) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in sizes:
        lines.append(
            f"| {s.tenants} | {s.landed_tables} | {s.raw_rows:,} | {s.models} | {s.tests} "
            f"| {s.onboard_seconds:.1f} s | {s.parse_seconds:.1f} s | {s.first.seconds:.1f} s "
            f"| {s.second.seconds:.1f} s | {s.second.steps.get('build', 0):.1f} s "
            f"| {s.second.steps.get('test', 0):.1f} s | {s.second.peak_rss_mb:,.0f} MB |"
        )
    if len(sizes) > 1:
        base = sizes[0]
        lines += ["", "Growth from the smallest size:", ""]
        for s in sizes[1:]:
            lines.append(
                f"- {s.tenants} tenants: {s.models / base.models:.1f}x models, "
                f"{s.parse_seconds / base.parse_seconds:.1f}x parse, "
                f"{s.second.steps.get('build', 0) / base.second.steps.get('build', 1):.1f}x "
                f"build, {s.second.peak_rss_mb / base.second.peak_rss_mb:.1f}x peak RSS"
            )
    for s in sizes:
        steps = ", ".join(f"{k} {v:.1f} s" for k, v in s.second.steps.items())
        lines.append(f"\nRe-run steps at {s.tenants} tenants: {steps}.")
    if pairs:
        lines += ["", "Default 2-tenant re-run against the default template's re-run, "
                  "alternating in the same benchmark:", ""]  # fmt: skip
        for default, multitenant in pairs:
            lines.append(
                f"- default template {default:.1f} s, multitenant {multitenant:.1f} s: "
                f"{multitenant / default:.2f}x"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tenants", type=int, nargs="+", default=[2, 10, 50])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sbdk-mt-bench-") as scratch:
        directory = Path(scratch)
        sizes = []
        for count in sorted(options.tenants):
            sizes.append(measure_size(directory, count))
            print(f"measured {count} tenants", file=sys.stderr)
        pairs = []
        if 2 in options.tenants:
            pairs = default_template_runs(directory, directory / "agency_2")
        text = report(sizes, pairs)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
