"""The published contracts: what published.json commits, and how to write it.

Once a contract version is published its fingerprint is frozen. To publish a new contract or
API version, declare it, then run `python -m sbdk.multitenant.contracts.published` and commit
published.json; tests/unit/test_contracts.py fails while a declared contract is unpublished,
a published one changed, or a newer version dropped or retyped a column of the one before.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from sbdk.multitenant.contracts import CONTRACTS, contract_id
from sbdk.multitenant.fingerprint import canonical_columns, schema_hash

PUBLISHED_FILE = "published.json"


def current() -> dict[str, dict]:
    """contract id -> {source_schema_hash, columns} of every declared contract."""
    entries = {}
    for key, contract in sorted(CONTRACTS.items()):
        columns = contract.columns()
        entries[contract_id(key)] = {
            "source_schema_hash": schema_hash(columns),
            "columns": dict(canonical_columns(columns)),
        }
    return entries


def committed() -> dict[str, dict]:
    text = (resources.files(__package__) / PUBLISHED_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def violations(published: dict[str, dict], declared: dict[str, dict]) -> list[str]:
    """What breaks the publishing rules, one line each: a declared contract not published, a
    published one changed or gone, a newer API version without every column of the one
    before it (with the same type)."""
    problems = [
        f"{name} is not published: run `python -m {__spec__.name}` and commit {PUBLISHED_FILE}"
        for name in sorted(declared.keys() - published.keys())
    ]
    for name, entry in sorted(published.items()):
        now = declared.get(name)
        if now is None:
            problems.append(f"{name} was published and is gone: published contracts are frozen")
        elif now["source_schema_hash"] != entry["source_schema_hash"]:
            problems.append(
                f"{name} changed after it was published: declare a new API version instead"
            )
    by_object: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for name in declared:
        api, version, object_name = name.split("/")
        by_object.setdefault((api, object_name), []).append((int(version.lstrip("v")), name))
    for versions in by_object.values():
        ordered = [name for _, name in sorted(versions)]
        for older, newer in zip(ordered, ordered[1:], strict=False):
            kept, now = declared[older]["columns"], declared[newer]["columns"]
            lost = [c for c, kind in kept.items() if now.get(c) != kind]
            if lost:
                problems.append(
                    f"{newer} drops or retypes {', '.join(lost)} of {older}: versions only add"
                )
    return problems


def publish(path: Path | None = None) -> Path:
    """Add every declared contract that is not published yet; a published one is kept as it
    was committed, so that a change to it shows as a test failure, not a silent rewrite."""
    path = path or Path(__file__).with_name(PUBLISHED_FILE)
    published = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    merged = {**current(), **published}
    path.write_text(json.dumps(dict(sorted(merged.items())), indent=2) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"wrote {publish()}")
