"""`source_schema_hash`: the fingerprint of a table's physical schema.

A landed table is routed by what it physically is, not by its name. Its fingerprint is the MD5
(hex) of its columns in a canonical form, one `name type` line per column, joined by `\n`:

- the name lowercased (DuckDB identifiers are case-insensitive), the type as DuckDB spells it
  in `information_schema.columns.data_type`, uppercased with its spaces collapsed;
- the lines sorted by name, so that the order a loader writes the columns in does not matter.

Adding, removing, renaming or retyping a column changes the fingerprint; reordering does not.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping


def canonical_columns(columns: Mapping[str, str]) -> list[tuple[str, str]]:
    """(name, type) pairs in the canonical form and order the fingerprint hashes."""
    pairs = [(name.lower(), canonical_type(kind)) for name, kind in columns.items()]
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError(f"columns differ only in case: {sorted(names)}")
    return sorted(pairs)


def canonical_type(kind: str) -> str:
    return re.sub(r"\s+", " ", kind.strip().upper()).replace(", ", ",")


def schema_hash(columns: Mapping[str, str]) -> str:
    """The MD5 of `columns` (name -> DuckDB type) in canonical form."""
    text = "\n".join(f"{name} {kind}" for name, kind in canonical_columns(columns))
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 - a fingerprint, not security


def landed_columns(connection, schema: str) -> dict[str, dict[str, str]]:
    """Every table of `schema` in an open DuckDB connection: name -> {column: type}, the
    physical schema as DuckDB reports it (what fingerprints are computed from)."""
    rows = connection.execute(
        "select table_name, column_name, data_type from information_schema.columns "
        "where table_schema = ? order by table_name, ordinal_position",
        [schema],
    ).fetchall()
    tables: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        tables.setdefault(table, {})[column] = kind
    return tables
