"""What `sbdk init` writes, checked without running dbt."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from sbdk.errors import SbdkError
from sbdk.project import scaffold_project


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_add_all_does_not_stage_the_env_file(tmp_path):
    root = tmp_path / "shop"
    scaffold_project(root)
    (root / ".env").write_text("AWS_SECRET_ACCESS_KEY=secret\n")

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=root, check=True, capture_output=True, text=True
        ).stdout

    git("init", "-q")
    git("add", "-A")
    staged = git("diff", "--cached", "--name-only").splitlines()
    assert "sbdk.toml" in staged and ".gitignore" in staged  # the add did stage the project
    assert ".env" not in staged


@pytest.mark.parametrize("quote", ["'", '"'])
def test_init_refuses_a_directory_with_a_quote_and_writes_nothing(tmp_path, quote):
    target = tmp_path / f"it{quote}s"
    with pytest.raises(SbdkError, match=r"contains a quote"):
        scaffold_project(target, name="shop")
    assert not target.exists()


def test_init_where_no_directory_can_be_made_is_one_line(tmp_path):
    (tmp_path / "a_file").write_text("")
    with pytest.raises(SbdkError) as raised:
        scaffold_project(tmp_path / "a_file" / "shop", name="shop")
    assert str(raised.value) == (
        f"cannot write the project into {tmp_path / 'a_file' / 'shop'}: Not a directory"
    )


def test_every_templates_folders_ship_with_the_package():
    from importlib import resources

    from sbdk.project_templates import TEMPLATES

    templates = resources.files("sbdk") / "templates"
    for template in TEMPLATES.values():
        for layer in template.layers:
            assert (templates / layer.source).is_dir() or (templates / layer.source).is_file(), (
                template.name,
                layer.source,
            )


def test_an_unknown_template_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(SbdkError, match="unknown template 'jaffle' \\(templates: default, multi"):
        scaffold_project(tmp_path / "shop", template="jaffle")
    assert not (tmp_path / "shop").exists()


def test_the_multitenant_template_scaffolds_its_config_and_the_shared_recorder(tmp_path):
    root = scaffold_project(tmp_path / "agency", template="multitenant").root
    assert 'template = "multitenant"' in (root / "sbdk.toml").read_text()
    assert (root / "tenants.yaml").is_file() and (root / "supported_connectors.yaml").is_file()
    assert (root / "dbt/macros/observability/record_dbt_invocation.sql").is_file()
    assert not (root / "dbt/models/marts").exists()
