"""The default template's streams, declared once; everything else derives from here.

A stream is one kind of record the source produces (users, events, orders). In full mode it
is generated and loaded as the raw table `raw.raw_<stream>`; in incremental mode it lands as
files under `<landing root>/<source>/<stream>/` and is processed into
`processed.int_<source>__<stream>`, the dbt model tagged `<source>__<stream>`. Staging reads
either, through the `sbdk_source(stream)` macro, whose list of streams sbdk passes to dbt as
the var `sbdk_streams` (its default in dbt_project.yml is checked against this list by a test).

There is one order, this one: the nightly sync reads users, then events, then orders (a user
exists before their events, an event before the order it placed). Generation, raw tables,
landing, processing, summaries and run records all follow it.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE = "app"


@dataclass(frozen=True)
class Stream:
    name: str
    source: str = SOURCE

    @property
    def raw_table(self) -> str:
        """The full-mode table in the `raw` schema."""
        return f"raw_{self.name}"

    @property
    def processed_model(self) -> str:
        """The incremental-mode model (and table, in the `processed` schema)."""
        return f"int_{self.source}__{self.name}"

    @property
    def tag(self) -> str:
        """The dbt tag of the processed model: a sensor selects it and everything downstream."""
        return f"{self.source}__{self.name}"

    @property
    def landed_dir(self) -> str:
        """Where its files land, relative to the landing root."""
        return f"{self.source}/{self.name}"


STREAMS = (Stream("users"), Stream("events"), Stream("orders"))
STREAM_NAMES = tuple(stream.name for stream in STREAMS)
RAW_TABLES = tuple(stream.raw_table for stream in STREAMS)


def stream(name: str) -> Stream:
    for candidate in STREAMS:
        if candidate.name == name:
            return candidate
    raise KeyError(f"unknown stream {name!r} (the streams are {', '.join(STREAM_NAMES)})")


def dbt_vars() -> dict[str, list[str]]:
    """What the bundled dbt project needs to know of the catalogue, as vars."""
    return {"sbdk_streams": list(STREAM_NAMES)}
