"""Odd but possible inputs (brackets, quotes, reserved names) through the real CLI."""

from __future__ import annotations

import json

import pytest

from .conftest import sbdk

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A scaffolded project, never run: the commands below fail or succeed before dbt."""
    workdir = tmp_path_factory.mktemp("inputs")
    assert sbdk("init", "shop", cwd=workdir).code == 0
    return workdir / "shop"


def test_markup_in_a_setting_is_shown_not_parsed(project):
    result = sbdk("history", cwd=project, env={"SBDK_USERS": "[/x]"})
    assert result.code == 1
    assert "Traceback" not in result.output and "MarkupError" not in result.output
    assert "data.users = '[/x]'" in result.output


def test_markup_in_a_stream_config_key_is_shown_not_parsed(project, tmp_path):
    stream_file = project / "streams" / "app" / "users.json"
    original = stream_file.read_text()
    stream_file.write_text(json.dumps({"[/bad]": 1}))
    try:
        result = sbdk("run", "--incremental", cwd=project)
    finally:
        stream_file.write_text(original)
    assert result.code == 1
    assert "Traceback" not in result.output and "MarkupError" not in result.output
    assert "unknown key '[/bad]'" in result.output


def test_brackets_in_a_directory_name_are_shown(tmp_path):
    result = sbdk("init", "proj[dev]", "--name", "shop", cwd=tmp_path)
    assert result.code == 0, result.output
    assert "in proj[dev]" in result.output and "cd proj[dev]" in result.output


@pytest.mark.parametrize("name", ["ref", "_", "ünïcødé"])
def test_init_refuses_names_dbt_cannot_build(tmp_path, name):
    result = sbdk("init", "r", "--name", name, cwd=tmp_path)
    assert result.code == 1
    assert result.output.startswith(f"Error: '{name}'") and "e.g. '" in result.output
    assert not (tmp_path / "r").exists()


def test_a_project_named_like_a_dbt_context_name_breaks_dbt(tmp_path):
    """Why the names are refused: dbt rejects some and others shadow its Jinja functions."""
    from importlib import resources

    from dbt.cli.main import dbtRunner

    from sbdk.project import _copy_tree

    outcomes = {}
    for name in ("source", "zip", "shop"):
        dbt_dir = tmp_path / name / "dbt"
        _copy_tree(resources.files("sbdk") / "templates" / "dbt", dbt_dir, name)
        model = dbt_dir / "models" / "marts" / "pairs.sql"
        model.write_text("select {{ zip([1], [2]) | list | length }} as pairs\n")
        arguments = ["parse", "--project-dir", str(dbt_dir), "--profiles-dir", str(dbt_dir)]
        outcomes[name] = dbtRunner().invoke([*arguments, "--quiet"]).success
    assert outcomes == {"source": False, "zip": False, "shop": True}
