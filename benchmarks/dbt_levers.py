"""What each of dbt's per-invocation and per-node costs weighs in `sbdk run`'s dbt steps.

Run from the repository root with the Python that has sbdk installed:

    python benchmarks/dbt_levers.py              # ~4 min on 2 cores
    python benchmarks/dbt_levers.py --repeat 5

In a project scaffolded as by `sbdk init` and run once at the default size, each variant runs
the dbt steps of a full run (`dbt run`, then `dbt test`, through dbt's Python API as sbdk
does) in a fresh interpreter, and reports the time of the two invocations (dbt's import
excluded: it is the same for every variant). Variants run interleaved, `--repeat` rounds, and
the median is reported beside the baseline's, so that a change of load on the machine hits
every variant alike. The baseline is what sbdk does now; each other row changes one thing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

# name -> (what it changes, extra dbt arguments of both invocations, of `dbt test` only,
# reuse the manifest)
VARIANTS = {
    "sbdk now": ("manifest parsed once, failing rows stored for failures only", [], [], True),
    "store every test's rows": (
        "dbt's store_failures on every test", [], ["--store-failures"], True,
    ),
    "manifest loaded per invocation": ("each invocation loads the partial parse", [], [], False),
    "threads 2": ("two dbt threads instead of one", ["--threads", "2"], [], True),
    "no JSON artifacts": (
        "no manifest.json, run_results.json", ["--no-write-json"], [], True,
    ),
    "no cache population": ("--no-populate-cache", ["--no-populate-cache"], [], True),
    "no file log": (
        "--log-level-file none instead of info", ["--log-level-file", "none"], [], True,
    ),
}  # fmt: skip
WORKER = textwrap.dedent(
    """
    import json, sys, time
    from dbt.cli.main import dbtRunner
    common, test_only = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    reuse = sys.argv[3] == "1"
    started = time.perf_counter()
    if reuse:
        manifest = dbtRunner().invoke(["parse", *common, "--no-write-json"]).result
        runner = dbtRunner(manifest=manifest)
    else:
        runner = dbtRunner()
    for command, extra in (("run", []), ("test", test_only)):
        if not runner.invoke([command, *common, *extra]).success:
            raise SystemExit(f"dbt {command} failed")
    print(time.perf_counter() - started)
    """
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sbdk-levers-") as directory:
        root = prepare(Path(directory))
        times: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for round_number in range(1, args.repeat + 1):
            for name in VARIANTS:
                print(f"[levers] round {round_number}: {name}", file=sys.stderr, flush=True)
                times[name].append(run_variant(root, name))
    print(render(times))
    return 0


def prepare(directory: Path) -> Path:
    from sbdk.config import load_settings
    from sbdk.project import scaffold_project
    from sbdk.workspace import Workspace

    root = scaffold_project(directory / "project", name="levers").root
    Workspace(load_settings(root, {})).run()  # data in raw, the project parsed once
    return root


def run_variant(root: Path, name: str) -> float:
    from sbdk import catalogue
    from sbdk.config import load_settings
    from sbdk.transform import dbt_environment

    _, extra, test_only, reuse = VARIANTS[name]
    settings = load_settings(root, {})
    dbt_dir = str(settings.dbt_dir)
    common = [
        "--project-dir", dbt_dir, "--profiles-dir", dbt_dir,
        "--vars", json.dumps(catalogue.dbt_vars()),
        "--log-level", "none", "--log-level-file", "info", "--no-version-check", *extra,
    ]  # fmt: skip
    environment = {**os.environ, **dbt_environment(settings)}
    done = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(common), json.dumps(test_only),
         "1" if reuse else "0"],
        cwd=root, env=environment, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{name}: {done.stderr[-2000:] or done.stdout[-2000:]}")
    return float(done.stdout.strip().splitlines()[-1])


def render(times: dict[str, list[float]]) -> str:
    baseline = statistics.median(times["sbdk now"])
    lines = [
        "| variant | what changes | dbt run + test (median) | vs sbdk now |",
        "|---|---|---|---|",
    ]
    for name, values in times.items():
        median = statistics.median(values)
        lines.append(
            f"| {name} | {VARIANTS[name][0]} | {median:.2f} s | {median - baseline:+.2f} s |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
