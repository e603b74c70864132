"""What a user gets wrong gets one clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
from typer.testing import CliRunner

from sbdk.cli import app

from .conftest import sbdk

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_init_creates_a_complete_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("init", "shop")
    assert result.exit_code == 0, result.output
    root = tmp_path / "shop"
    for path in (
        "sbdk.toml", "README.md", ".gitignore", "data/warehouse.duckdb",
        "dbt/dbt_project.yml", "dbt/profiles.yml", "dbt/.gitignore", "dbt/.sqlfluff",
        "dbt/models/staging/_sources.yml", "dbt/models/staging/_staging.yml",
        "dbt/models/intermediate/_intermediate.yml", "dbt/models/marts/_marts.yml",
        "dbt/tests/generic/accepted_range.sql",
        "streams/app/users.json", "streams/app/orders.json", "streams/app/events.json",
        "dbt/models/processed/app/int_app__events.sql",
        "definitions.py", "workspace.yaml", "dagster.yaml", ".env",
    ):  # fmt: skip
        assert (root / path).is_file(), path
    assert 'name = "shop"' in (root / "sbdk.toml").read_text()
    assert "name: shop" in (root / "dbt" / "dbt_project.yml").read_text()
    assert "sbdk_project" not in (root / "dbt" / "dbt_project.yml").read_text()


def test_init_dot_in_an_empty_directory(tmp_path, monkeypatch):
    target = tmp_path / "analytics"
    target.mkdir()
    monkeypatch.chdir(target)
    result = invoke("init", ".")
    assert result.exit_code == 0, result.output
    assert 'name = "analytics"' in (target / "sbdk.toml").read_text()


def test_init_refuses_a_non_empty_directory_without_force(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "sbdk.toml").write_text("# my settings")
    (tmp_path / ".env").write_text("AWS_SECRET_ACCESS_KEY=mine\n")
    result = invoke("init", ".", "--name", "shop")
    assert result.exit_code == 1
    assert "not empty" in result.output and "--force" in result.output
    assert (tmp_path / "sbdk.toml").read_text() == "# my settings"

    forced = invoke("init", ".", "--name", "shop", "--force")
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "notes.txt").read_text() == "mine"  # files the template lacks stay
    assert (tmp_path / ".env").read_text() == "AWS_SECRET_ACCESS_KEY=mine\n"  # may hold secrets
    assert 'name = "shop"' in (tmp_path / "sbdk.toml").read_text()


def test_init_rejects_invalid_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("init", "my-shop")
    assert result.exit_code == 1
    assert "not a valid project name" in result.output
    assert not (tmp_path / "my-shop").exists()


def test_commands_outside_a_project_say_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in ("run", "test"):
        result = invoke(command)
        assert result.exit_code == 1
        assert "not inside an sbdk project" in result.output
        assert "Traceback" not in result.output


def test_invalid_config_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("init", "shop").exit_code == 0
    config = tmp_path / "shop" / "sbdk.toml"
    config.write_text(config.read_text().replace("users = 10000", "users = -3"))
    result = invoke("run", "--project", str(tmp_path / "shop"))
    assert result.exit_code == 1
    assert "invalid configuration: data.users = -3" in result.output


def test_invalid_flag_value_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("init", "shop").exit_code == 0
    result = invoke("run", "--project", str(tmp_path / "shop"), "--users", "lots")
    assert result.exit_code == 2


def test_test_before_any_run_says_to_run_first(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("init", "shop").exit_code == 0
    result = invoke("test", "--project", str(tmp_path / "shop"))
    assert result.exit_code == 1
    assert "run `sbdk run`" in result.output


@pytest.mark.integration
def test_locked_warehouse_names_the_holder(tmp_path):
    assert sbdk("init", "shop", cwd=tmp_path).code == 0
    warehouse = tmp_path / "shop" / "data" / "warehouse.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            connection = duckdb.connect({str(warehouse)!r})
            print("locked", flush=True)
            time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = sbdk("run", "--users", "100", cwd=tmp_path / "shop")
        assert result.code == 1
        assert f"PID {holder.pid}" in result.output
        assert "is locked by" in result.output
        assert "Traceback" not in result.output
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.integration
def test_dbt_compile_error_shows_dbts_message(tmp_path):
    assert sbdk("init", "shop", cwd=tmp_path).code == 0
    root = tmp_path / "shop"
    assert sbdk("run", "--users", "200", "--events-per-user", "5", cwd=root).code == 0
    broken = root / "dbt" / "models" / "marts" / "broken.sql"
    broken.write_text("select * from {{ ref('no_such_model') }}\n")
    result = sbdk("run", "--skip-generate", cwd=root)
    assert result.code == 1
    assert "no_such_model" in result.output
    assert "Traceback" not in result.output
    started = time.perf_counter()
    broken.write_text("select definitely_not_a_column from {{ ref('stg_users') }}\n")
    result = sbdk("run", "--skip-generate", "--select", "broken", cwd=root)
    assert result.code == 1
    assert "definitely_not_a_column" in result.output
    assert time.perf_counter() - started < 120
