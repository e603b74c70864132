"""The bundled project templates: which folders of `sbdk/templates/` each one is scaffolded
from, and where they go in the project. A new template is a new entry here and new folders
under `templates/`; the jobs it runs are chosen by `sbdk.workspace` from its name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Light on purpose (no sbdk imports): the CLI reads the templates' summaries for --help.
DEFAULT = "default"
MULTITENANT = "multitenant"
TemplateName = Literal["default", "multitenant"]
DBT_DIR = "dbt"  # where a template's dbt project goes in the project


@dataclass(frozen=True)
class Layer:
    source: str  # a folder (or file) under sbdk/templates/
    destination: str  # where it goes, relative to the project root


@dataclass(frozen=True)
class ProjectTemplate:
    name: str
    summary: str  # one line, shown by `sbdk init --help`
    layers: tuple[Layer, ...]


# What both templates' dbt projects share: the observability recorder (the on-run-end hook,
# its macros and the documented source), the schema naming macro and the SQL style (sqlfluff).
_SHARED_DBT = (
    Layer("dbt/.sqlfluff", f"{DBT_DIR}/.sqlfluff"),
    Layer("dbt/.sqlfluffignore", f"{DBT_DIR}/.sqlfluffignore"),
    Layer("dbt/macros/observability", f"{DBT_DIR}/macros/observability"),
    Layer("dbt/models/observability", f"{DBT_DIR}/models/observability"),
    Layer("dbt/macros/generate_schema_name.sql", f"{DBT_DIR}/macros/generate_schema_name.sql"),
)

TEMPLATES: dict[str, ProjectTemplate] = {
    DEFAULT: ProjectTemplate(
        DEFAULT,
        "synthetic users, events and orders, loaded with dlt, modelled staging -> marts",
        (Layer("project", "."), Layer("dbt", DBT_DIR)),
    ),
    MULTITENANT: ProjectTemplate(
        MULTITENANT,
        "a registry-driven multi-tenant platform: tenants' ads, shops and analytics "
        "routed by schema fingerprint into master models, one star schema per tenant",
        (Layer("multitenant/project", "."), Layer("multitenant/dbt", DBT_DIR), *_SHARED_DBT),
    ),
}


def template_help() -> str:
    return "; ".join(f"{t.name}: {t.summary}" for t in TEMPLATES.values())
