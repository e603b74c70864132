"""Fault injection, full mode: every step killed, stopped or failed, then one plain run."""

from __future__ import annotations

import pytest

from . import fault_suite as faults
from .conftest import sbdk

pytestmark = [pytest.mark.integration, pytest.mark.faults]

POINTS = ("generate", "load", "build", "test", "record")
CASES = [
    (kind, point)
    for point in POINTS
    for kind in (*faults.SIGNAL_KINDS, *faults.FAILURE_KINDS)
    if kind in faults.SIGNAL_KINDS or kind == "exception" or point in faults.WRITING_POINTS
]
# What `python -m pytest` runs of the matrix (`-m faults` runs all of it): each of these
# kinds and points once, so the everyday suite still breaks a run the way the matrix does.
SAMPLE = {("kill", "load"), ("diskfull", "build"), ("sigint", "test")}
SMALL = {"users = 10000": "users = 300", "events_per_user = 30": "events_per_user = 5"}


def configure(root, settings):
    config = root / "sbdk.toml"
    text = config.read_text()
    for default, value in settings.items():
        assert default in text, default
        text = text.replace(default, value, 1)
    config.write_text(text)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A project after one clean run (seed 42), and the raw data of a clean seed-7 run."""
    workdir = tmp_path_factory.mktemp("faults-full")
    assert sbdk("init", "base", cwd=workdir).code == 0
    base = workdir / "base"
    configure(base, SMALL)
    first = sbdk("run", cwd=base)
    assert first.code == 0, first.output
    reference = faults.fingerprints(base)

    other = faults.copy_project(base, workdir / "other")
    seven = sbdk("run", "--seed", "7", cwd=other)
    assert seven.code == 0, seven.output
    raw_of = {
        42: faults.fingerprints(base, ("raw",)),
        7: faults.fingerprints(other, ("raw",)),
    }
    assert raw_of[42] != raw_of[7]
    return base, reference, raw_of


@pytest.mark.parametrize(("kind", "point"), faults.parameters(CASES, SAMPLE))
def test_a_fault_never_bricks_lies_or_mixes(tmp_path, built, kind, point):
    base, reference, raw_of = built
    workdir, home = tmp_path / "work", tmp_path / "home"
    workdir.mkdir(), home.mkdir()
    root = faults.copy_project(base, workdir / "shop")
    runs_before = faults.recorded_runs(root)

    with faults.fault_environment(root, kind, point):
        faulted = faults.faulted_run(root, kind, point, "run", "--seed", "7", home=home)
    faults.assert_fault_reported(kind, faulted)

    # Right after the fault: raw holds one whole dataset, old or new.
    assert faults.fingerprints(root, ("raw",)) in (raw_of[42], raw_of[7]), faulted.output
    # The faulted run is not recorded as a success.
    new_runs = faults.recorded_runs(root)[len(runs_before) :]
    assert all(status != "success" for _, status in new_runs), (new_runs, faulted.output)

    rerun = faults.plain_run(root, home)
    assert rerun.code == 0, f"{faulted.output}\n---- rerun ----\n{rerun.output}"
    assert faults.fingerprints(root) == reference

    last_id, last_status = faults.recorded_runs(root)[-1]
    assert last_status == "success"
    assert faults.recorded_load_rows(root, last_id) == faults.raw_counts(root)
    assert faults.leftover_loading_tables(root) == []
    faults.assert_nothing_outside(workdir, root, home)
