"""Odd but possible inputs (brackets, quotes, reserved names) through the real CLI."""

from __future__ import annotations

import json

import pytest

from .conftest import sbdk

pytestmark = pytest.mark.integration
TINY_RUN = ["--users", "200", "--events-per-user", "5"]


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


# Runs `sbdk` under an audit hook that logs every file the process opens for writing,
# creates, renames or removes, and every file of dlt's or dbt's global folders it opens at
# all (a read of an existing ~/.dlt/.anonymous_id is as much a use of it as a write).
_WATCHED_SBDK = r"""
import os, sys

log = open(os.environ["SBDK_AUDIT_LOG"], "a", encoding="utf-8")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND

def touched(path):
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if isinstance(path, str):
        log.write(os.path.abspath(path) + "\n")
        log.flush()

def hook(event, args):
    if event == "open":
        path, mode, flags = args
        writes = any(c in (mode or "") for c in "wax+") or bool((flags or 0) & WRITE_FLAGS)
        text = os.fsdecode(path) if isinstance(path, (str, bytes)) else ""
        global_folder = any(p in text for p in ("/.dlt/", "/var/dlt", ".anonymous_id", "/.dbt/"))
        if writes or global_folder:
            touched(path)
    elif event in ("os.mkdir", "os.rename", "os.remove", "os.rmdir"):
        touched(args[0])

sys.addaudithook(hook)
from sbdk.cli import main
sys.argv = ["sbdk", *sys.argv[1:]]
main()
"""


def test_nothing_is_written_outside_the_project(tmp_path):
    """Every run (dlt load, dlt landing, dbt) stays in the project, whoever runs it.

    As root dlt's global folder is /var/dlt, otherwise ~/.dlt, or /tmp/dlt when the home
    cannot be written to: HOME is read-only here and TMPDIR a folder of the test's, and the
    audit log shows any file outside the project, whether or not it existed before.
    """
    import os
    import subprocess
    import sys

    home, scratch = tmp_path / "home", tmp_path / "scratch"
    home.mkdir(mode=0o555)
    scratch.mkdir()
    root, log = tmp_path / "shop", tmp_path / "audit.log"
    assert sbdk("init", "shop", cwd=tmp_path).code == 0
    environment = {
        **os.environ, "HOME": str(home), "TMPDIR": str(scratch), "COLUMNS": "200",
        "SBDK_AUDIT_LOG": str(log), "XDG_DATA_HOME": str(home / "xdg"),
    }  # fmt: skip
    for mode in ("--full", "--incremental"):
        completed = subprocess.run(
            [sys.executable, "-c", _WATCHED_SBDK, "run", mode, *TINY_RUN],
            cwd=root, env=environment, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert completed.returncode == 0, completed.stdout + completed.stderr
    touched = set(log.read_text().splitlines())
    assert any(path.startswith(f"{root}/.sbdk/dlt") for path in touched)  # the hook saw dlt
    outside = {
        path for path in touched
        if not path.startswith((f"{root}/", f"{scratch}/")) and path not in {str(log), "/dev/null"}
    }  # fmt: skip
    assert outside == set()
    assert not (home / ".dlt").exists() and not (scratch / "dlt").exists()
