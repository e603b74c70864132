"""The project's configuration: `sbdk.toml`, validated once, overridable by `SBDK_*` and CLI flags.

Precedence, lowest to highest: built-in defaults < `sbdk.toml` < environment variables < CLI flags.
Environment variables are named after the setting: `SBDK_<KEY>` for the `[data]` section
(`SBDK_USERS`, `SBDK_SEED`, ...) and `SBDK_<SECTION>_<KEY>` for the others
(`SBDK_WAREHOUSE_PATH`, `SBDK_DBT_THREADS`).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from sbdk.dbt_vars import validate_dbt_vars
from sbdk.errors import SbdkError
from sbdk.project_templates import DBT_DIR, TemplateName
from sbdk.warehouse import DEFAULT_STORAGE_VERSION

CONFIG_FILE = "sbdk.toml"
STATE_DIR = ".sbdk"
STREAMS_DIR = "streams"
ENV_PREFIX = "SBDK_"

# A project name: an ASCII letter, then ASCII letters, digits and underscores (dbt itself
# accepts any Unicode word, but the name also becomes a DuckDB and a Python identifier).
_PROJECT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# Schemas of the warehouse. DuckDB names a database after its file, so a file named like a
# schema (raw.duckdb) makes `raw.table` ambiguous.
WAREHOUSE_SCHEMAS = {
    "main",
    "raw",
    "staging",
    "intermediate",
    "marts",
    "analytics",
    "test_failures",
    "processed",
    "sbdk_state",
    "observability",
    # The multitenant template's.
    "registry",
    "master",
    "platform",
}
# dbt puts every project's name into its Jinja context (for `<project>.<macro>()`), so a
# project named like a context name (`ref`, `source`, `var`, `this`, ...) shadows it and
# every model using it fails to build; dbt refuses some of them itself at parse time. This
# is dbt's own list (BANNED_PROJECT_NAMES) plus every name of its Jinja contexts;
# tests/unit/test_config.py compares it with the installed dbt, so it cannot drift.
DBT_CONTEXT_NAMES = frozenset({
    "_sql_results", "adapter", "adapter_macro", "api", "column", "compiled_code", "config",
    "context", "context_macro_stack", "database", "dbt_metadata_envs", "dbt_version",
    "defer_relation", "diff_of_two_dicts", "doc", "env", "env_var", "exceptions", "execute",
    "flags", "fromjson", "fromyaml", "function", "graph", "invocation_args_dict",
    "invocation_id", "load_agate_table", "load_result", "local_md5", "log", "metric", "model",
    "modules", "post_hooks", "pre_hooks", "print", "project_name", "ref", "render", "return",
    "run_started_at", "schema", "selected_resources", "set", "set_strict", "source",
    "source_node", "sql", "sql_now", "store_raw_result", "store_result", "submit_python_job",
    "target", "this", "thread_id", "tojson", "toyaml", "try_or_compiler_error", "validation",
    "var", "write", "zip", "zip_strict"
})  # fmt: skip
# Names dbt refuses or that shadow packages the bundled project depends on, and schema names;
# but not `analytics`, the commonest name of a dbt project: a project of that name builds its
# `analytics` schema fine (tried), and refusing it would turn many users away at `sbdk init`.
_RESERVED_NAMES = {"dbt", "dbt_duckdb", "duckdb", "sbdk", *WAREHOUSE_SCHEMAS} - {"analytics"}
# YAML 1.1 reads these unquoted as booleans or null: `name: on` in dbt_project.yml is True.
_YAML_SCALAR_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def validate_project_name(name: str) -> str:
    """Return `name` if it can be a dbt project name, else raise an SbdkError saying why."""
    if not _PROJECT_NAME.match(name):
        raise SbdkError(
            f"'{name}' is not a valid project name: use ASCII letters, digits and underscores, "
            f"starting with a letter (e.g. '{suggest_project_name(name)}')"
        )
    problem = _name_problem(name)
    if problem:
        raise SbdkError(
            f"'{name}' {problem}; pick another name (e.g. '{suggest_project_name(name)}')"
        )
    return name


def _name_problem(name: str) -> str | None:
    """Why a well-formed name still cannot be a project's name, or None."""
    if name in DBT_CONTEXT_NAMES:
        return "is a name dbt's templates use (a project of that name breaks every build)"
    if name.lower() in _RESERVED_NAMES:
        return "is reserved by dbt or the warehouse layout"
    if name.lower() in _YAML_SCALAR_WORDS:
        return "reads as a boolean or null in dbt's YAML files"
    return None


def suggest_project_name(name: str) -> str:
    """A valid project name resembling `name` (ASCII: accents are dropped, not kept)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    suggestion = re.sub(r"[^A-Za-z0-9]+", "_", ascii_name).strip("_") or "my_project"
    if not suggestion[0].isalpha():
        suggestion = f"project_{suggestion}"
    if _name_problem(suggestion):
        suggestion = f"{suggestion}_project"
    return suggestion


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ProjectSection(_Section):
    name: str = "sbdk_project"
    template: TemplateName = Field(
        "default",
        description="The template the project was scaffolded from (sbdk init --template).",
    )

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        try:
            return validate_project_name(value)
        except SbdkError as error:
            raise ValueError(str(error)) from None


class DataSection(_Section):
    """What the synthetic generator produces."""

    seed: int = Field(42, ge=0, description="Seed of every random choice; same seed, same data.")
    users: int = Field(10_000, ge=1, le=50_000_000, description="Number of users.")
    events_per_user: float = Field(
        30.0, ge=1, le=10_000, description="Mean events per user (the signup included)."
    )
    start_date: date = Field(date(2025, 1, 1), description="First day of the data (inclusive).")
    end_date: date = Field(date(2026, 1, 1), description="Day after the data ends (exclusive).")

    @model_validator(mode="after")
    def _window_is_positive(self) -> DataSection:
        if self.end_date <= self.start_date:
            raise ValueError(
                f"end_date ({self.end_date}) must be after start_date ({self.start_date})"
            )
        return self


class WarehouseSection(_Section):
    path: str = Field(
        "data/warehouse.duckdb", description="DuckDB file, relative to the project root."
    )
    storage_version: str = Field(
        DEFAULT_STORAGE_VERSION,
        description="DuckDB storage format of a new warehouse file: v1.5.0 is readable by "
        "DuckDB 1.5 and newer (tools pinned to DuckDB 1.x); 'latest' is this DuckDB's newest.",
    )

    @field_validator("storage_version")
    @classmethod
    def _storage_version(cls, value: str) -> str:
        if value != "latest" and not re.fullmatch(r"v[0-9]+\.[0-9]+\.[0-9]+", value):
            raise ValueError("must be 'latest' or a DuckDB version such as 'v1.5.0'")
        return value

    @field_validator("path")
    @classmethod
    def _duckdb_file(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        if value.strip() == ":memory:":
            raise ValueError("must be a file: an in-memory warehouse would be lost after the run")
        stem = Path(value).stem.lower()
        if stem in WAREHOUSE_SCHEMAS or stem in {"system", "temp", "memory"}:
            raise ValueError(
                f"a file named '{stem}' clashes with the warehouse's '{stem}' schema; "
                "choose another file name"
            )
        return value


class DbtSection(_Section):
    threads: int = Field(2, ge=1, le=64)
    vars: dict[str, Any] = Field(default_factory=dict, description="Overrides of dbt vars.")

    @field_validator("vars")
    @classmethod
    def _known_vars_typed(cls, value: dict[str, Any]) -> dict[str, Any]:
        return validate_dbt_vars(value)


class IncrementalSection(_Section):
    """Landing files day by day and processing only what is new."""

    enabled: bool = Field(False, description="Run in incremental mode by default.")
    step_days: int = Field(1, ge=1, le=366, description="Simulated days landed per run.")
    landing: str = Field(
        "landing",
        description="Landing root: a path relative to the project, file://..., or "
        "s3://bucket/prefix (needs sbdk[s3]).",
    )
    s3_endpoint_url: str | None = Field(
        None,
        description="Endpoint of an S3-compatible server (MinIO, moto, ...) for an s3:// "
        "landing root; credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.",
    )
    batch_rows: int = Field(
        2_000_000,
        ge=1,
        le=1_000_000_000,
        description="Landed rows per dbt invocation at most (from the files' Parquet footers; "
        "a bigger file is a batch of its own).",
    )
    batch_size: int | None = Field(
        None, ge=1, le=10_000, description="Files per dbt invocation at most (default: no limit)."
    )
    sensor_timeout_seconds: float = Field(
        0,
        ge=0,
        le=7 * 24 * 3600,
        description="How long a run waits for new files before ending with 'no new data' "
        "(0: look once).",
    )
    sensor_poll_seconds: float = Field(
        5, gt=0, le=3600, description="Time between two looks at the landing area."
    )

    @field_validator("landing")
    @classmethod
    def _supported_root(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        if "://" in value and not value.startswith(("file://", "s3://")):
            scheme = value.split("://", 1)[0]
            raise ValueError(
                f"'{scheme}://' is not supported: use a local path, file://... or s3://bucket/prefix"
            )
        if value.startswith("s3://") and not value.removeprefix("s3://").strip("/"):
            raise ValueError("an s3:// landing root needs a bucket: s3://bucket/prefix")
        return value

    @field_validator("s3_endpoint_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL, e.g. http://127.0.0.1:9000")
        return value


class SbdkConfig(_Section):
    project: ProjectSection = Field(default_factory=ProjectSection)
    data: DataSection = Field(default_factory=DataSection)
    warehouse: WarehouseSection = Field(default_factory=WarehouseSection)
    dbt: DbtSection = Field(default_factory=DbtSection)
    incremental: IncrementalSection = Field(default_factory=IncrementalSection)


class Settings:
    """A validated config bound to the project directory it belongs to."""

    def __init__(self, root: Path, config: SbdkConfig) -> None:
        self.root = root
        self.config = config
        refuse_quotes(root, "the project's path")
        refuse_quotes(self.warehouse_path, "warehouse.path")
        refuse_quotes(self.landing_root, "incremental.landing")

    @property
    def warehouse_path(self) -> Path:
        path = Path(self.config.warehouse.path).expanduser()
        return path if path.is_absolute() else self.root / path

    @property
    def dbt_dir(self) -> Path:
        return self.root / DBT_DIR

    @property
    def landing_root(self) -> str:
        """The landing root as a URL (s3://...) or an absolute local path."""
        landing = self.config.incremental.landing
        if landing.startswith("s3://"):
            return landing.rstrip("/")
        path = Path(landing.removeprefix("file://")).expanduser()
        return str(path if path.is_absolute() else self.root / path)

    @property
    def landing_is_s3(self) -> bool:
        return self.config.incremental.landing.startswith("s3://")

    def landing_storage_options(self, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
        """fsspec (s3fs) options for the landing root: empty for a local one.

        The credentials are read from the standard AWS variables of `environ` (default: the
        process environment) at the time of the call, and kept in memory only. Raises an
        SbdkError when the root is s3:// and s3fs is not installed.
        """
        if not self.landing_is_s3:
            return {}
        require_s3fs(self.config.incremental.landing)
        import os

        environ = os.environ if environ is None else environ
        options: dict[str, Any] = {}
        for option, names in _AWS_VARIABLES.items():
            value = next((environ[n] for n in names if environ.get(n)), None)
            if value is not None:
                options[option] = value
        client_kwargs: dict[str, Any] = {}
        if self.config.incremental.s3_endpoint_url:
            client_kwargs["endpoint_url"] = self.config.incremental.s3_endpoint_url
        if "region_name" in options:
            client_kwargs["region_name"] = options.pop("region_name")
        if client_kwargs:
            options["client_kwargs"] = client_kwargs
        return options

    @property
    def streams_dir(self) -> Path:
        return self.root / STREAMS_DIR

    @property
    def state_dir(self) -> Path:
        """Where sbdk keeps its working files (dlt pipelines); never outside the project."""
        return self.root / STATE_DIR


# DuckDB, dlt and dbt's profile put these paths into SQL string literals and quoted
# identifiers: a quote in them ends the literal early ("unterminated string literal").
_QUOTES = ("'", '"')


def refuse_quotes(path: Path | str, what: str) -> None:
    """Raise a one-line SbdkError if `path` holds a quote, which SQL built from it would break."""
    quote = next((quote for quote in _QUOTES if quote in str(path)), None)
    if quote is not None:
        raise SbdkError(
            f"{what} {path} contains a quote ({quote}), which the warehouse's SQL cannot hold: "
            "use a path without ' or \""
        )


# fsspec/s3fs option -> the standard AWS environment variables it is read from, in order.
_AWS_VARIABLES = {
    "key": ("AWS_ACCESS_KEY_ID",),
    "secret": ("AWS_SECRET_ACCESS_KEY",),
    "token": ("AWS_SESSION_TOKEN",),
    "region_name": ("AWS_DEFAULT_REGION", "AWS_REGION"),
}


def require_s3fs(root: str) -> None:
    """Raise a one-line SbdkError when an s3:// root is configured but s3fs is missing."""
    import importlib.util

    if importlib.util.find_spec("s3fs") is None:
        raise SbdkError(
            f"the landing root {root} needs s3fs, which is not installed: "
            "install sbdk[s3] (pip install 'sbdk[s3]')"
        )


def environment_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Pick the `SBDK_*` variables that name a setting, as a nested dict of raw strings."""
    overrides: dict[str, dict[str, str]] = {}
    for section_name, field in SbdkConfig.model_fields.items():
        section_model = field.annotation
        for key in section_model.model_fields:
            if key == "vars":
                continue
            env_name = env_variable_name(section_name, key)
            if env_name in environ:
                overrides.setdefault(section_name, {})[key] = environ[env_name]
    return overrides


def env_variable_name(section: str, key: str) -> str:
    stem = key if section == "data" else f"{section}_{key}"
    return f"{ENV_PREFIX}{stem.upper()}"


def read_config_file(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SbdkError(f"no {CONFIG_FILE} at {path.parent}: run `sbdk init` first") from None
    except UnicodeDecodeError as error:
        raise SbdkError(
            f"{path} is not UTF-8 text (byte {error.object[error.start]:#04x} at position "
            f"{error.start}): save it as UTF-8"
        ) from None
    except OSError as error:
        raise SbdkError(f"cannot read {path}: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise SbdkError(f"{path} is not valid TOML: {error}") from None


def build_config(*layers: Mapping[str, Any]) -> SbdkConfig:
    """Merge layers of settings (later wins) and validate them, with a one-line error."""
    merged: dict[str, Any] = {}
    for layer in layers:
        _deep_merge(merged, layer)
    try:
        return SbdkConfig.model_validate(merged)
    except ValidationError as error:
        raise SbdkError(f"invalid configuration: {_describe(error)}") from None


def load_settings(
    root: Path, environ: Mapping[str, str], flags: Mapping[str, Any] | None = None
) -> Settings:
    """Load `sbdk.toml` under `root`, then apply environment variables and CLI flags."""
    file_layer = read_config_file(root / CONFIG_FILE)
    check_file_types(file_layer)
    config = build_config(file_layer, environment_overrides(environ), flags or {})
    return Settings(root, config)


def check_file_types(file_layer: Mapping[str, Any]) -> None:
    """Refuse a TOML value of the wrong type: `seed = true` is no number, `"yes"` no boolean.

    Environment variables are always strings and are converted (SBDK_SEED=7); in the TOML
    file a value has a type of its own, and a wrong one is a mistake, not a conversion.
    Dates may be TOML dates or 'YYYY-MM-DD' strings. Values and keys are checked later.
    """
    for section_name, section in file_layer.items():
        field = SbdkConfig.model_fields.get(section_name)
        if field is None or not isinstance(section, Mapping):
            continue
        for key, value in section.items():
            setting = field.annotation.model_fields.get(key)
            if setting is None or key == "vars":
                continue
            lax = setting.annotation is date
            try:
                TypeAdapter(setting.annotation, config=ConfigDict(strict=not lax)).validate_python(
                    value
                )
            except ValidationError as error:
                message = error.errors()[0]["msg"]
                raise SbdkError(
                    f"invalid configuration in {CONFIG_FILE}: {section_name}.{key} = "
                    f"{_toml_value(value)}: {message}"
                ) from None


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _deep_merge(target: dict[str, Any], layer: Mapping[str, Any]) -> None:
    for key, value in layer.items():
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            _deep_merge(target[key], value)
        elif isinstance(value, Mapping):
            target[key] = {}
            _deep_merge(target[key], value)
        elif value is not None:
            target[key] = value


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        return f"unknown setting '{location}'"
    if first["type"] in {"model_type", "model_attributes_type", "dict_type"}:
        return f"{location} must be a table ([{location}]), not {_toml_value(first['input'])}"
    if "input" in first and not isinstance(first["input"], dict):
        return f"{location} = {first['input']!r}: {message}"
    return f"{location}: {message}" if location else message
