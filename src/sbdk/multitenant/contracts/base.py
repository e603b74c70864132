"""What every landing contract shares, and how a contract becomes physical columns.

A landing contract is a pydantic model of one object of one connector's API version: its
fields are the columns the connector lands, named as the source names them. Every field is
optional with a None default, because a source leaves fields out and a missing value must
never fail a load. A published contract is frozen: a new field means a new API version of
the contract, which keeps every column of the one before (tests/unit/test_contracts.py checks
both against the committed fingerprints in published.json).
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Union

from pydantic import BaseModel, ConfigDict


@dataclass(frozen=True)
class DuckDBType:
    """The physical type of a field whose Python type alone does not say it."""

    name: str


# Money as the source sends it (a decimal amount in the account's currency).
Money = Annotated[Decimal, DuckDBType("DECIMAL(18,2)")]
# Nested arrays or objects (line items, actions, properties) kept as JSON.
Json = Annotated[Any, DuckDBType("JSON")]

_PYTHON_TYPES = {
    str: "VARCHAR",
    int: "BIGINT",
    float: "DOUBLE",
    bool: "BOOLEAN",
    date: "DATE",
    datetime: "TIMESTAMP",
}


class LandingContract(BaseModel):
    """A landed record of one connector object: subclass it with optional fields only."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    api: ClassVar[str]  # the connector API it belongs to, e.g. google_ads_api
    version: ClassVar[str]  # e.g. v1
    object_name: ClassVar[str]  # e.g. campaigns

    @classmethod
    def columns(cls) -> dict[str, str]:
        """Column name (the field's alias, if it has one) -> DuckDB type, in declaration order."""
        return {
            info.alias or name: duckdb_type(name, info) for name, info in cls.model_fields.items()
        }


def duckdb_type(name: str, info: Any) -> str:
    if info.default is not None or info.is_required():
        raise TypeError(f"contract field {name} must be optional with a None default")
    for marker in info.metadata:
        if isinstance(marker, DuckDBType):
            return marker.name
    annotation = _without_none(info.annotation)
    if typing.get_origin(annotation) is Annotated:  # `Money | None`: the marker is inside
        for marker in annotation.__metadata__:
            if isinstance(marker, DuckDBType):
                return marker.name
        annotation = typing.get_args(annotation)[0]
    if annotation in _PYTHON_TYPES:
        return _PYTHON_TYPES[annotation]
    raise TypeError(f"contract field {name}: no DuckDB type for {annotation!r}")


def _without_none(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (Union, types.UnionType):
        remaining = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(remaining) == 1:
            return remaining[0]
    return annotation
