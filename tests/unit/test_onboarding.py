"""Onboarding: generated from the YAML, idempotent, never over a user's edit without --force."""

from __future__ import annotations

import re

import duckdb
import pytest
import yaml

from sbdk.config import load_settings
from sbdk.multitenant.onboarding import is_pristine, onboard
from sbdk.project import scaffold_project


@pytest.fixture
def project(tmp_path):
    return scaffold_project(tmp_path / "agency", template="multitenant").root


def _settings(root):
    return load_settings(root, {})


def test_init_onboards_every_tenant_and_a_second_onboarding_changes_nothing(project):
    dbt = project / "dbt"
    pusher = dbt / "models/staging/tyrell_corp/google_ads/stg_tyrell_corp_google_ads__ad_stats.sql"
    assert pusher.is_file() and is_pristine(pusher.read_text())
    assert (dbt / "models/analytics/wayne_enterprises/fct_wayne_enterprises__orders.sql").is_file()
    again = onboard(_settings(project))
    assert not again.written and not again.removed and again.unchanged


def test_an_edited_file_is_kept_and_reported_unless_forced(project):
    view = (
        project / "dbt/models/intermediate/tyrell_corp/shopify/int_tyrell_corp_shopify__orders.sql"
    )
    edited = view.read_text() + "\n-- my change\n"
    view.write_text(edited)
    result = onboard(_settings(project))
    assert result.kept_edited == [view] and view.read_text() == edited
    forced = onboard(_settings(project), force=True)
    assert view in forced.written and "my change" not in view.read_text()


def _drop_source(project, tenant, source):
    path = project / "tenants.yaml"
    data = yaml.safe_load(path.read_text())
    entry = next(t for t in data["tenants"] if t["slug"] == tenant)
    del entry["sources"][source]
    path.write_text(yaml.safe_dump(data))


def test_removing_a_source_removes_its_files_but_keeps_an_edited_one(project):
    folder = project / "dbt/models/staging/tyrell_corp/tiktok_ads"
    intermediate = project / "dbt/models/intermediate/tyrell_corp/tiktok_ads"
    edited = intermediate / "int_tyrell_corp_tiktok_ads__ads.sql"
    edited.write_text(edited.read_text() + "\n-- mine\n")
    own = project / "dbt/models/intermediate/tyrell_corp/notes.sql"
    own.write_text("select 1 as my_own_model\n")
    _drop_source(project, "tyrell_corp", "tiktok_ads")

    result = onboard(_settings(project))
    assert not folder.exists()
    assert result.kept_orphans == [edited] and edited.exists()
    assert own.exists(), "a file without the generated header is the user's"
    shell = project / "dbt/models/analytics/tyrell_corp/fct_tyrell_corp__ad_performance.sql"
    assert "tiktok_ads" not in shell.read_text() and shell in result.written


def test_a_paused_tenant_is_not_built(project):
    path = project / "tenants.yaml"
    data = yaml.safe_load(path.read_text())
    data["tenants"][1]["status"] = "paused"
    path.write_text(yaml.safe_dump(data))
    onboard(_settings(project))
    assert not (project / "dbt/models/analytics/wayne_enterprises").exists()
    assert (project / "dbt/models/analytics/tyrell_corp").exists()


def test_generated_sql_keeps_the_projects_sql_style(project):
    # What dbt/.sqlfluff asks (CI lints it all: .ci/sqlfluff-check): lines within 100
    # columns, and a name double-quoted only where DuckDB needs it (a reserved word).
    assert (project / "dbt/.sqlfluff").is_file()
    reserved = {
        row[0]
        for row in duckdb.sql(
            "select keyword_name from duckdb_keywords() where keyword_category = 'reserved'"
        ).fetchall()
    }
    generated = [p for p in (project / "dbt").rglob("*.sql") if is_pristine(p.read_text())]
    assert len(generated) > 100
    for path in generated:
        text = path.read_text()
        for number, line in enumerate(text.splitlines(), start=1):
            assert len(line) <= 100, f"{path.name}:{number} has {len(line)} columns"
        sql = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", text, flags=re.DOTALL)  # Jinja aside
        quoted = set(re.findall(r'"([a-z_][a-z0-9_]*)"', sql)) - reserved
        assert not quoted, f"{path.name} quotes {sorted(quoted)}"
        assert text.endswith("\n") and not text.endswith("\n\n"), path.name
