"""Scaffold a project from the bundled templates, and find the project a command runs in."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from sbdk.config import CONFIG_FILE, Settings, build_config, validate_project_name
from sbdk.errors import SbdkError
from sbdk.project_templates import DEFAULT, MULTITENANT, TEMPLATES
from sbdk.warehouse import create_warehouse

TEMPLATE_NAME = "sbdk_project"  # the placeholder project name inside the templates
# Dotfiles are renamed so that packaging tools ship them as plain data files.
_RENAMED = {"gitignore": ".gitignore", "env": ".env"}
_TEMPLATED = {CONFIG_FILE, "README.md", "dbt_project.yml", "workspace.yaml"}
# A .env may already hold the user's own variables (credentials): --force leaves it alone.
_KEPT_IF_PRESENT = {".env"}


@dataclass(frozen=True)
class ScaffoldResult:
    root: Path
    name: str
    written: list[Path]
    warehouse: Path
    template: str = DEFAULT


def find_project_root(start: Path) -> Path:
    """The nearest directory at or above `start` that holds an sbdk.toml."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / CONFIG_FILE).is_file():
            return directory
    raise SbdkError(
        f"not inside an sbdk project (no {CONFIG_FILE} in {start} or above): "
        "run `sbdk init NAME` to create one, or pass --project PATH"
    )


def scaffold_project(
    target: Path, name: str | None = None, force: bool = False, template: str = DEFAULT
) -> ScaffoldResult:
    """Write a new project of `template` into `target`; refuse a non-empty directory unless
    `force`.

    With `force`, template files are rewritten but nothing else in the directory is touched
    (the warehouse and any file the user added stay).
    """
    if template not in TEMPLATES:
        raise SbdkError(f"unknown template '{template}' (templates: {', '.join(TEMPLATES)})")
    target = target.resolve()
    name = validate_project_name(name or target.name)
    # Checks the paths.
    settings = Settings(target, build_config({"project": {"name": name, "template": template}}))
    if target.exists() and not target.is_dir():
        raise SbdkError(f"{target} exists and is not a directory")
    if target.exists() and any(target.iterdir()) and not force:
        raise SbdkError(
            f"{target} is not empty; use --force to write the project files into it "
            "(existing files with the same names are overwritten)"
        )

    templates = resources.files("sbdk") / "templates"
    written: list[Path] = []
    try:
        for layer in TEMPLATES[template].layers:
            written += _copy_tree(templates / layer.source, target / layer.destination, name)
        if template == MULTITENANT:
            from sbdk.multitenant.onboarding import onboard  # the tenants' generated models

            written += onboard(settings, force=force).written
    except OSError as error:
        where = error.filename or target
        raise SbdkError(f"cannot write the project into {where}: {error.strerror}") from None

    create_warehouse(settings.warehouse_path, settings.config.warehouse.storage_version)
    return ScaffoldResult(
        root=target, name=name, written=written, warehouse=settings.warehouse_path,
        template=template,
    )  # fmt: skip


def _copy_tree(source: Traversable, destination: Path, name: str) -> list[Path]:
    if source.is_file():
        return _copy_file(source, destination, name)
    written: list[Path] = []
    for entry in source.iterdir():
        if entry.name == "__pycache__":
            continue
        path = destination / _RENAMED.get(entry.name, entry.name)
        if entry.is_dir():
            written += _copy_tree(entry, path, name)
            continue
        written += _copy_file(entry, path, name)
    return written


def _copy_file(entry: Traversable, path: Path, name: str) -> list[Path]:
    if path.name in _KEPT_IF_PRESENT and path.exists():
        return []
    path.parent.mkdir(parents=True, exist_ok=True)
    if entry.name in _TEMPLATED:
        path.write_text(entry.read_text(encoding="utf-8").replace(TEMPLATE_NAME, name), "utf-8")
    else:
        path.write_bytes(entry.read_bytes())
    return [path]
