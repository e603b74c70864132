import pytest


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/integration/golden/ from this run's tables (see test_golden_tables)",
    )


def pytest_collection_modifyitems(config, items):
    """The fault-injection matrix (marker `faults`, ~60 faulted runs, each followed by a
    clean run) takes longer than the rest of the suite together: a plain `pytest` runs its
    `fault_sample` cases only, `pytest -m faults` (any -m naming it) runs all of it."""
    if "faults" in (config.option.markexpr or ""):
        return
    kept, dropped = [], []
    for item in items:
        in_matrix = item.get_closest_marker("faults") is not None
        sampled = item.get_closest_marker("fault_sample") is not None
        (dropped if in_matrix and not sampled else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path_factory):
    """No test reads the developer's SBDK_* settings or writes dlt/dbt state outside tmp."""
    import os

    for name in list(os.environ):
        if name.startswith("SBDK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
