import pytest


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path_factory):
    """No test reads the developer's SBDK_* settings or writes dlt/dbt state outside tmp."""
    import os

    for name in list(os.environ):
        if name.startswith("SBDK_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
