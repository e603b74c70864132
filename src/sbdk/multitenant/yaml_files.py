"""Reading the platform's YAML files (the catalogue, the tenants) so that any mistake in one is
a single line naming the file and, where pydantic found it, the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sbdk.errors import SbdkError


def read_yaml(path: Path) -> Any:
    """The parsed contents of `path`; SbdkError if it cannot be read or is not YAML."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SbdkError(f"cannot read {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise SbdkError(f"{path.name}{where}: not valid YAML") from None


def first_error(error: ValidationError) -> str:
    """`key.path: message` of pydantic's first error, as one line."""
    detail = error.errors()[0]
    where = ".".join(str(part) for part in detail["loc"])
    message = detail["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message
