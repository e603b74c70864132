"""The fast loop's two numbers at one size, in one process, as measure.py takes them.

    python benchmarks/fast_loop.py --users 1000000 --repeat 4

Generation: warm seconds (the best of the repeats after the first) of
`sbdk.pipelines.synthetic.generate`, and events per second. Load: the best seconds of
`load_raw` (dlt) and of `measure.insert_directly` (the same Arrow tables straight into
DuckDB), alternated, and their ratio (the first load pays for dlt's imports: use
--repeat 3 or more). The machine is shared: compare two versions by
running this for each in turn, several times, and keep the best of each.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import measure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--skip-load", action="store_true")
    options = parser.parse_args()

    from sbdk.config import DataSection
    from sbdk.pipelines.load import load_raw
    from sbdk.pipelines.synthetic import generate

    data = DataSection(users=options.users)
    times, tables = [], None
    for _ in range(options.repeat):
        tables = None  # free the previous tables first, as measure.best_of does
        started = time.perf_counter()
        tables = generate(data)
        times.append(time.perf_counter() - started)
    warm = min(times[1:] or times)
    events = tables.events.num_rows
    print(f"generate: {events:,} events, runs {[round(t, 2) for t in times]} s, ", end="")
    print(f"warm best {warm:.2f} s = {events / warm / 1e6:.2f}M events/s")
    if options.skip_load:
        return

    raw = tables.by_raw_name()
    scratch = Path(tempfile.mkdtemp(prefix="sbdk-fast-loop-"))
    try:
        warehouse, state = scratch / "warehouse.duckdb", scratch / ".sbdk"
        dlt_best = direct_best = float("inf")
        for _ in range(max(options.repeat - 1, 1)):
            started = time.perf_counter()
            load_raw(raw, warehouse, state)
            dlt_best = min(dlt_best, time.perf_counter() - started)
            started = time.perf_counter()
            measure.insert_directly(raw, scratch / "direct" / "direct.duckdb")
            direct_best = min(direct_best, time.perf_counter() - started)
        print(f"load: dlt {dlt_best:.2f} s, direct insert {direct_best:.2f} s, ", end="")
        print(f"ratio {dlt_best / direct_best:.2f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
