"""Stream configs: one JSON file per stream, `streams/<source>/<stream>.json`.

As in seed 001, an empty object means defaults; `batch_size` overrides the number of files
per dbt invocation. (The unique key and version order are fixed by each processed model.)
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sbdk.errors import SbdkError

SOURCE = "app"
STREAMS = ("users", "orders", "events")


class StreamConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = SOURCE
    name: str
    batch_size: int | None = Field(None, ge=1, le=10_000)

    @property
    def tag(self) -> str:
        """The dbt tag of the stream's processed model (seed 000: `<source>__<stream>`)."""
        return f"{self.source}__{self.name}"

    @property
    def model(self) -> str:
        return f"int_{self.source}__{self.name}"


def read_stream_configs(streams_dir: Path) -> list[StreamConfig]:
    """The configs of the bundled streams, in processing order; a missing file means defaults."""
    configs = []
    for name in STREAMS:
        path = streams_dir / SOURCE / f"{name}.json"
        overrides = _read_json(path) if path.is_file() else {}
        try:
            configs.append(StreamConfig(name=name, **overrides))
        except (ValidationError, TypeError) as error:
            raise SbdkError(f"invalid stream config {path}: {_first_error(error)}") from None
    return configs


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8") or "{}")
    except json.JSONDecodeError as error:
        raise SbdkError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise SbdkError(f"{path} must hold a JSON object (`{{}}` for the defaults)")
    return value


def _first_error(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        location = ".".join(str(part) for part in first["loc"])
        return f"{location}: {first['msg']}"
    return str(error)
