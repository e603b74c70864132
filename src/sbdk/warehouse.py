"""The project's DuckDB file: creation, the single-writer lock, and small catalog queries."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sbdk.catalogue import RAW_TABLES
from sbdk.errors import SbdkError

RAW_SCHEMA = "raw"
# The storage format a new warehouse file is written in: DuckDB 1.5 and every newer DuckDB
# read it, so do the tools still pinned to DuckDB 1.x (SQLMesh, SQL clients, BI drivers).
# DuckDB keeps a file's format when it writes to it later. [warehouse] storage_version =
# "latest" opts into this DuckDB's newest format, which DuckDB 1.x cannot open.
DEFAULT_STORAGE_VERSION = "v1.5.0"
LATEST_STORAGE = "latest"
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")


class WarehouseLocked(SbdkError):
    """Another process holds the DuckDB file (DuckDB allows one writer and, while it writes,
    no reader in any other process)."""

    def __init__(self, message: str, holder_pid: int | None) -> None:
        super().__init__(message)
        self.holder_pid = holder_pid


def lock_holder_pid(error: BaseException | str) -> int | None:
    holder = _LOCK_HOLDER.search(str(error))
    return int(holder["pid"]) if holder else None


def lock_error_message(path: Path, error: BaseException | str) -> str | None:
    """A readable message if `error` is DuckDB refusing a file another process holds."""
    text = str(error)
    if "Could not set lock" not in text and "Conflicting lock" not in text:
        return None
    holder = _LOCK_HOLDER.search(text)
    who = "another process"
    if holder:
        command = holder_command_line(int(holder["pid"]))
        running = f": {command}" if command else ""
        who = f"{holder['program']} (PID {holder['pid']}{running})"
    # DuckDB lets one process open a file while another writes to it, and that includes
    # read-only connections: the holder has to close it, whatever its mode.
    return (
        f"the warehouse {path} is locked by {who}; close that program or its connection "
        "(a DuckDB shell, notebook or BI tool, even one that opened it read-only), then retry"
    )


def holder_command_line(pid: int, limit: int = 100) -> str | None:
    """The command line of process `pid`, on one line and shortened; None where unknown."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # no /proc (macOS, Windows), or the process has ended
        return None
    command = " ".join(raw.decode(errors="replace").replace("\0", " ").split())
    return command if len(command) <= limit else command[: limit - 1] + "…"


def connect(path: Path, read_only: bool = False, storage_version: str = DEFAULT_STORAGE_VERSION):
    """Open the warehouse, turning DuckDB's lock error into a one-line SbdkError. A file
    that does not exist yet is created in `storage_version`'s format."""
    import duckdb

    if read_only and not path.exists():
        raise SbdkError(f"no warehouse at {path}: run `sbdk run` first")
    config = {}
    if not path.exists() and _older_than_this_duckdb(storage_version):
        config["storage_compatibility_version"] = storage_version
    try:
        return duckdb.connect(str(path), read_only=read_only, config=config)
    except duckdb.Error as error:
        message = lock_error_message(path, error)
        if message:
            raise WarehouseLocked(message, lock_holder_pid(error)) from None
        raise SbdkError(f"cannot open the warehouse {path}: {error}") from None


def _older_than_this_duckdb(storage_version: str) -> bool:
    """True if `storage_version` is older than the running DuckDB's own format: an older
    DuckDB (1.3, 1.4) already writes a format that DuckDB 1.5 reads, and refuses newer ones."""
    import duckdb

    if storage_version == LATEST_STORAGE:
        return False
    wanted = tuple(int(part) for part in storage_version.removeprefix("v").split("."))
    running = tuple(int(part) for part in re.findall(r"\d+", duckdb.__version__)[:3])
    return wanted < running


@contextmanager
def writing(path: Path) -> Iterator:
    """A connection for sbdk's own writes; DuckDB refusing one (a read-only folder, a full
    disk) becomes a one-line SbdkError, and an unfinished transaction is rolled back."""
    import duckdb

    connection = connect(path)
    try:
        yield connection
    except duckdb.Error as error:
        reason = " ".join(str(error).split())
        raise SbdkError(f"cannot write to the warehouse {path}: {reason}") from error
    finally:
        connection.close()


def create_warehouse(path: Path, storage_version: str = DEFAULT_STORAGE_VERSION) -> None:
    """Create the DuckDB file with its `raw` schema (idempotent)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect(path, storage_version=storage_version) as connection:
        connection.execute(f"create schema if not exists {RAW_SCHEMA}")


def ensure_writable(path: Path, storage_version: str = DEFAULT_STORAGE_VERSION) -> None:
    """Fail early, before minutes of work, if another process holds the warehouse (and
    create it, in `storage_version`'s format, if it is missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connect(path, storage_version=storage_version).close()


def raw_row_counts(
    path: Path, tables: Sequence[str] = RAW_TABLES, to_fill_them: str = "to load data"
) -> dict[str, int]:
    """The rows of each of `tables` in schema raw; a missing one is a one-line SbdkError
    saying how to fill it."""
    with connect(path, read_only=True) as connection:
        present = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [RAW_SCHEMA],
            ).fetchall()
        }
        missing = [t for t in tables if t not in present]
        if missing:
            raise SbdkError(
                f"the warehouse has no {RAW_SCHEMA}.{missing[0]} yet: run `sbdk run` first "
                f"(without --skip-generate) {to_fill_them}"
            )
        count = 'select count(*) from {}."{}"'
        return {
            table: connection.execute(count.format(RAW_SCHEMA, table)).fetchone()[0]
            for table in tables
        }
