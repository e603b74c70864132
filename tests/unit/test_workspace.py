"""What `sbdk run` and `sbdk test` refuse before any dbt work (no dbt is started here)."""

from __future__ import annotations

import pytest

from sbdk.config import load_settings
from sbdk.errors import SbdkError
from sbdk.project import scaffold_project
from sbdk.workspace import RunOptions, Workspace

INCREMENTAL = {"incremental": {"enabled": True}}


@pytest.fixture
def project(tmp_path):
    """A freshly scaffolded project: its warehouse exists, with no data and no models."""
    root = tmp_path / "shop"
    scaffold_project(root)
    return root


def workspace(root, flags=None) -> Workspace:
    return Workspace(load_settings(root, {}, flags))


@pytest.mark.parametrize("flags", [None, INCREMENTAL], ids=["full", "incremental"])
def test_sbdk_test_before_any_run_says_run_first(project, flags):
    with pytest.raises(SbdkError, match=r"has no models built yet: run `sbdk run` first$"):
        workspace(project, flags).test()


@pytest.mark.parametrize("flags", [None, INCREMENTAL], ids=["full", "incremental"])
def test_sbdk_test_without_a_warehouse_says_run_first_and_creates_none(project, flags):
    warehouse = workspace(project).settings.warehouse_path
    warehouse.unlink()
    with pytest.raises(SbdkError, match=r"^no warehouse at .*: run `sbdk run` first$"):
        workspace(project, flags).test()
    assert not warehouse.exists()


def test_skip_generate_in_full_mode_without_raw_data_says_run_first(project):
    with pytest.raises(SbdkError, match=r"no raw\.raw_users yet: run `sbdk run` first"):
        workspace(project).run(RunOptions(skip_generate=True))
    warehouse = workspace(project).settings.warehouse_path
    warehouse.unlink()
    with pytest.raises(SbdkError, match=r"^no warehouse at .*: run `sbdk run` first$"):
        workspace(project).run(RunOptions(skip_generate=True))
    assert not warehouse.exists()
