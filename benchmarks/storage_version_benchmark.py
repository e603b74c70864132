"""What writing the warehouse in DuckDB 1.5's storage format costs against this DuckDB's
newest format: the same `sbdk run` (default size) in two fresh projects, one per
[warehouse] storage_version, alternating, each run in a fresh process.

    python benchmarks/storage_version_benchmark.py            # 3 re-runs each: ~2 min

Reports each project's re-run times, their medians and ratio, and the file sizes. The report
goes to stdout and benchmarks/results/storage_version.md.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "storage_version.md"
VERSIONS = ("v1.5.0", "latest")


def sbdk(*args: str, cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sbdk", *args], cwd=cwd, check=True,
                   capture_output=True)  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    repeats = 3
    with tempfile.TemporaryDirectory(prefix="sbdk-storage-") as scratch:
        roots = {}
        for version in VERSIONS:
            root = Path(scratch) / version.replace(".", "_")
            sbdk("init", str(root), cwd=Path(scratch))
            config = root / "sbdk.toml"
            config.write_text(
                config.read_text().replace(
                    'storage_version = "v1.5.0"', f'storage_version = "{version}"'
                )  # fmt: skip
            )
            sbdk("run", cwd=root)  # the first run pays the parse; re-runs are compared
            roots[version] = root
        times = {version: [] for version in VERSIONS}
        for _ in range(repeats):
            for version in VERSIONS:
                times[version].append(sbdk("run", cwd=roots[version]))
        sizes = {v: (roots[v] / "data/warehouse.duckdb").stat().st_size for v in VERSIONS}
    medians = {v: statistics.median(t) for v, t in times.items()}
    lines = [
        "# Warehouse storage format: DuckDB 1.5's against the newest",
        "",
        "`python benchmarks/storage_version_benchmark.py`: default-size `sbdk run` re-runs, "
        "alternating, each in a fresh process.",
        "",
        "| storage_version | re-runs (s) | median | file size |",
        "|---|---|---|---|",
    ]
    for version in VERSIONS:
        runs = ", ".join(f"{t:.1f}" for t in times[version])
        lines.append(f"| {version} | {runs} | {medians[version]:.1f} s "
                     f"| {sizes[version] / 1e6:.0f} MB |")  # fmt: skip
    lines += ["", f"v1.5.0 / latest: {medians['v1.5.0'] / medians['latest']:.2f}x"]
    text = "\n".join(lines) + "\n"
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
