"""Fault injection, incremental mode: every step killed, stopped or failed, then one plain run."""

from __future__ import annotations

from collections import Counter

import pytest

from . import fault_suite as faults
from .conftest import sbdk
from .test_faults_full import configure

pytestmark = [pytest.mark.integration, pytest.mark.faults]

POINTS = ("land", "sensor", "process", "build", "test", "record")
CASES = [
    (kind, point)
    for point in POINTS
    for kind in (*faults.SIGNAL_KINDS, *faults.FAILURE_KINDS)
    if kind in faults.SIGNAL_KINDS or kind == "exception" or point in faults.WRITING_POINTS
]
# What `python -m pytest` runs of the matrix (`-m faults` runs all of it): each of these
# kinds and points once, so the everyday suite still breaks a run the way the matrix does.
SAMPLE = {("sigterm", "process"), ("readonly", "land"), ("exception", "record")}
# A ten-day world; one day lands per run, one file per processing batch, so that a run has
# several batches to be stopped between.
SMALL = {
    "users = 10000": "users = 300",
    "events_per_user = 30": "events_per_user = 5",
    "end_date = 2026-01-01": "end_date = 2025-01-10",
    "enabled = false": "enabled = true",
    "# batch_size = 10": "batch_size = 1",
}


def landed_files_per_day(root) -> Counter:
    """(stream, day partition) -> files landed there."""
    files = (root / "landing" / "app").glob("*/year=*/month=*/day=*/*.parquet")
    return Counter((f.parts[-5], "/".join(f.parts[-4:-1])) for f in files)


def landed_days(root) -> int:
    return len({day for _, day in landed_files_per_day(root)})


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A project after one clean incremental run, and clean projects one and two runs later."""
    workdir = tmp_path_factory.mktemp("faults-incremental")
    assert sbdk("init", "base", cwd=workdir).code == 0
    base = workdir / "base"
    configure(base, SMALL)
    first = sbdk("run", cwd=base)
    assert first.code == 0, first.output
    clean = faults.copy_project(base, workdir / "clean")
    reference = {}
    for _ in range(2):
        completed = sbdk("run", cwd=clean)
        assert completed.code == 0, completed.output
        reference[landed_days(clean)] = faults.fingerprints(clean)
    assert sorted(reference) == [2, 3]
    return base, reference


@pytest.mark.parametrize(("kind", "point"), faults.parameters(CASES, SAMPLE))
def test_a_fault_never_bricks_lies_or_duplicates(tmp_path, built, kind, point):
    base, reference = built
    workdir, home = tmp_path / "work", tmp_path / "home"
    workdir.mkdir(), home.mkdir()
    root = faults.copy_project(base, workdir / "shop")
    runs_before = faults.recorded_runs(root)

    with faults.fault_environment(root, kind, point):
        faulted = faults.faulted_run(root, kind, point, "run", home=home)
    faults.assert_fault_reported(kind, faulted)
    new_runs = faults.recorded_runs(root)[len(runs_before) :]
    assert all(status != "success" for _, status in new_runs), (new_runs, faulted.output)

    rerun = faults.plain_run(root, home)
    assert rerun.code == 0, f"{faulted.output}\n---- rerun ----\n{rerun.output}"
    # No landing day is landed twice, whatever stopped the landing.
    assert set(landed_files_per_day(root).values()) == {1}, landed_files_per_day(root)
    days = landed_days(root)
    assert days in reference, faulted.output
    assert faults.fingerprints(root) == reference[days]
    assert faults.recorded_runs(root)[-1][1] == "success"
    faults.assert_nothing_outside(workdir, root, home)
