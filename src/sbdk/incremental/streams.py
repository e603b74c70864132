"""Stream configs: one JSON file per stream, `streams/<source>/<stream>.json`.

An empty object means defaults. Keys override the landed column holding the
record's id (`unique_key`, default `id`), the column that orders a record's versions
(`cursor_column`, default the processed model's: `updated_at`, or `_extracted_at` for
events) and the number of files per dbt invocation (`batch_size`).
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sbdk import catalogue
from sbdk.catalogue import SOURCE, STREAM_NAMES
from sbdk.errors import SbdkError

_IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"


class StreamSettings(BaseModel):
    """What a stream's JSON file may set, with JSON's own types (no "5" for 5)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    unique_key: str | None = Field(None, pattern=_IDENTIFIER)
    cursor_column: str | None = Field(None, pattern=_IDENTIFIER)
    batch_size: int | None = Field(None, ge=1, le=10_000)


class StreamConfig(StreamSettings):
    """A bundled stream and its settings. Its source and name are sbdk's, never the file's:
    they are path segments under the landing root, and plain identifiers keep discovery
    inside it."""

    source: str = Field(SOURCE, pattern=_IDENTIFIER)
    name: str = Field(pattern=_IDENTIFIER)

    @property
    def spec(self) -> catalogue.Stream:
        return catalogue.Stream(self.name, self.source)

    @property
    def tag(self) -> str:
        return self.spec.tag

    @property
    def model(self) -> str:
        return self.spec.processed_model

    @property
    def model_vars(self) -> dict[str, str]:
        """The overrides the processed model reads (macros/sbdk_stream.sql)."""
        overrides = {"unique_key": self.unique_key, "cursor_column": self.cursor_column}
        return {name: value for name, value in overrides.items() if value is not None}


def read_stream_configs(streams_dir: Path) -> list[StreamConfig]:
    """The configs of the catalogue's streams, in its order; a missing file means defaults."""
    configs = []
    for name in STREAM_NAMES:
        path = streams_dir / SOURCE / f"{name}.json"
        overrides = _read_json(path) if path.is_file() else {}
        try:
            settings = StreamSettings.model_validate(overrides)
        except ValidationError as error:
            raise SbdkError(f"invalid stream config {path}: {_first_error(error)}") from None
        configs.append(StreamConfig(name=name, **settings.model_dump(exclude_unset=True)))
    return configs


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8") or "{}")
    except UnicodeDecodeError as error:
        raise SbdkError(
            f"{path} is not UTF-8 text (byte {error.object[error.start]:#04x} at position "
            f"{error.start}): save it as UTF-8"
        ) from None
    except json.JSONDecodeError as error:
        raise SbdkError(f"{path} is not valid JSON: {error}") from None
    except OSError as error:
        raise SbdkError(f"cannot read the stream config {path}: {error.strerror}") from None
    if not isinstance(value, dict):
        raise SbdkError(f"{path} must hold a JSON object (`{{}}` for the defaults)")
    return value


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"])
    if first["type"] == "extra_forbidden":
        known = ", ".join(StreamSettings.model_fields)
        return f"unknown key '{key}' (a stream file may set {known})"
    if first["type"] == "string_pattern_mismatch":
        return f"{key} = {json.dumps(first['input'])}: must be a column name (letters, digits, _)"
    return f"{key} = {json.dumps(first['input'])}: {first['msg']}"
