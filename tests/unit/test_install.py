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


def _render_profile(environ: dict[str, str]) -> dict:
    """The bundled profile's output as dbt renders and chooses it, for the given environment."""
    from importlib import resources

    import yaml
    from dbt.config.renderer import ProfileRenderer

    text = (resources.files("sbdk") / "templates" / "dbt" / "profiles.yml").read_text()
    raw = yaml.safe_load(text)["sbdk"]
    with pytest.MonkeyPatch.context() as patch:
        for name in ("SBDK_LANDING_FILESYSTEM", "SBDK_INCREMENTAL_S3_ENDPOINT_URL"):
            patch.delenv(name, raising=False)
        for name, value in environ.items():
            patch.setenv(name, value)
        import os

        from dbt_common.context import set_invocation_context

        set_invocation_context(dict(os.environ))  # where dbt's env_var() looks
        rendered = ProfileRenderer({}).render_data(raw)
        return rendered["outputs"][rendered["target"]]


def test_the_profile_registers_no_filesystem_by_default():
    assert "filesystems" not in _render_profile({})
    assert "filesystems" not in _render_profile({"SBDK_LANDING_FILESYSTEM": ""})


def test_the_profile_registers_s3fs_for_an_s3_landing_root():
    rendered = _render_profile(
        {"SBDK_LANDING_FILESYSTEM": "s3", "SBDK_INCREMENTAL_S3_ENDPOINT_URL": "http://h:9000"}
    )
    assert rendered["filesystems"] == [
        {"fs": "s3", "client_kwargs": {"endpoint_url": "http://h:9000"}}
    ]
    rendered = _render_profile({"SBDK_LANDING_FILESYSTEM": "s3"})  # AWS S3 itself
    assert rendered["filesystems"] == [
        {"fs": "s3", "client_kwargs": {"endpoint_url": "https://s3.amazonaws.com"}}
    ]


def test_the_profile_is_plain_yaml_values_each_a_single_jinja_expression():
    """Loaders that re-dump profiles.yml (SQLMesh) break on a multi-line Jinja value."""
    from importlib import resources

    text = (resources.files("sbdk") / "templates" / "dbt" / "profiles.yml").read_text()
    values = [
        line for line in text.splitlines() if "{{" in line and not line.lstrip().startswith("#")
    ]
    assert values and all("}}" in line for line in values)
    assert ">-" not in text and "|" not in text.replace("||", "")


def test_projects_scaffold_without_the_dagster_extra_and_its_module_says_how_to_get_it(
    tmp_path, monkeypatch
):
    import importlib
    import sys

    from sbdk.errors import SbdkError
    from sbdk.project import scaffold_project

    package = "sbdk.integrations.dagster"
    for name in ("dagster", "dagster_dbt", package, f"{package}_definitions"):
        monkeypatch.setitem(sys.modules, name, None)  # None: importing it raises ImportError
    root = scaffold_project(tmp_path / "shop").root
    assert (root / "definitions.py").is_file() and (root / "workspace.yaml").is_file()
    assert "location_name: shop" in (root / "workspace.yaml").read_text()

    for module in (package, f"{package}_definitions"):  # the package, and the old module name
        monkeypatch.delitem(sys.modules, package, raising=False)
        monkeypatch.delitem(sys.modules, f"{package}_definitions", raising=False)
        with pytest.raises(SbdkError, match=r"install sbdk\[dagster\]") as raised:
            importlib.import_module(module)
        assert "\n" not in str(raised.value)


def test_sbdk_dbt_answers_version_offline_as_dagster_dbt_reads_it(monkeypatch, capsys):
    """dagster-dbt runs `<dbt executable> --version` before every dbt command; dbt's own
    answer asks PyPI for the latest release. sbdk-dbt answers without dbt or a network."""
    import re
    import sys
    from importlib.metadata import version

    from sbdk import offline_dbt

    monkeypatch.setattr(sys, "argv", ["sbdk-dbt", "--version"])
    for name in ("dbt.version", "dbt.cli.main", "requests"):
        monkeypatch.setitem(sys.modules, name, None)  # importing any of them would fail
    offline_dbt.main()
    shown = capsys.readouterr().out
    assert re.search(r"(\d+\.\d+\.\d+)", shown)[1] == version("dbt-core")  # dagster-dbt's regex
