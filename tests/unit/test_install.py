"""Guards against a dependency resolution that would not install or run offline."""

from importlib.metadata import PackageNotFoundError, version

import pytest


def test_dbt_core_is_the_offline_installable_line():
    major, minor = (int(part) for part in version("dbt-core").split(".")[:2])
    assert (major, minor) == (1, 11), "dbt-core 1.12 needs a GitHub download at install time"
    assert version("dbt-duckdb").startswith("1.11.")


def test_the_network_only_parser_is_absent():
    with pytest.raises(PackageNotFoundError):
        version("dbt-core-experimental-parser")


def test_templates_ship_with_the_package():
    from importlib import resources

    templates = resources.files("sbdk") / "templates"
    assert (templates / "dbt" / "dbt_project.yml").is_file()
    assert (templates / "project" / "sbdk.toml").is_file()
    assert (templates / "project" / "gitignore").is_file()
