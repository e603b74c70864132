"""How generated dbt files are laid out: within the line limit of the projects' SQL style
(dbt/.sqlfluff, 100 columns), names quoted only where DuckDB needs it, Jinja literals one
item per line when a line would not hold them."""

from __future__ import annotations

import functools
import re
import textwrap

import duckdb

MAX_LINE = 100  # the line limit of the projects' SQL style (dbt/.sqlfluff)


def rewrap_leading_comment(sql: str, width: int = MAX_LINE) -> str:
    """The file's opening comment refilled to `width` columns (the SQL style's line limit),
    now that tenant, table and model names are in it. A `-- depends_on:` line is dbt's, not
    prose: it stays a line of its own."""
    lines = sql.split("\n")
    count = 0
    while count < len(lines) and lines[count].startswith("--"):
        if lines[count].startswith("-- depends_on:"):
            break
        count += 1
    prose = " ".join(line.removeprefix("--").strip() for line in lines[:count])
    filled = textwrap.wrap(
        prose, width, initial_indent="-- ", subsequent_indent="-- ",
        break_long_words=False, break_on_hyphens=False,
    )  # fmt: skip
    return "\n".join(filled + lines[count:])


_SIMPLE_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def identifier(name: str) -> str:
    """A column name as SQL: bare when DuckDB reads it bare, else double-quoted."""
    if _SIMPLE_NAME.fullmatch(name) and name not in _reserved_words():
        return name
    return '"' + name.replace('"', '""') + '"'


@functools.cache
def _reserved_words() -> frozenset[str]:
    rows = duckdb.sql(
        "select keyword_name from duckdb_keywords() where keyword_category = 'reserved'"
    ).fetchall()
    return frozenset(row[0] for row in rows)


def depends_on_comment(model: str) -> str:
    """dbt's `-- depends_on:` comment for `model`, the ref on a line of its own when the line
    would pass the SQL style's 100 columns (dbt reads it all the same)."""
    line = f"-- depends_on: {{{{ ref('{model}') }}}}"
    if len(line) <= MAX_LINE:
        return line
    return f"-- depends_on: {{{{\n    ref('{model}')\n}}}}"


def sync_hook(master_model: str) -> str:
    """The pusher's post-hook (a Jinja string dbt renders after the model), split over two
    lines with `~` when one would pass 100 columns."""
    hook = f"\"{{{{ sync_to_master_hub('{master_model}') }}}}\""
    if len(hook) <= MAX_LINE - len("        post_hook="):
        return hook
    return f'"{{{{ sync_to_master_hub(\'"\n            ~ "{master_model}"\n            ~ "\') }}}}"'


def select_target(expression: str, alias: str, indent: int) -> str:
    """`expression as alias`, the alias on a line of its own when the line would pass the SQL
    style's 100 columns."""
    line = f"{' ' * indent}{expression} as {alias}"
    if len(line) < MAX_LINE:  # with the comma after it
        return line
    return f"{' ' * indent}{expression}\n{' ' * (indent + 4)}as {alias}"


def jinja_list(items: list[str], indent: int, used: int | None = None) -> str:
    """A list of strings as Jinja reads it: on one line if it fits after the `used` columns
    of its line (by default its indent) and a comma, else one item per line."""
    line = repr(list(items))
    if (indent if used is None else used) + len(line) < MAX_LINE:
        return line
    inner = " " * (indent + 4)
    return "[\n" + "".join(f"{inner}{item!r},\n" for item in items) + " " * indent + "]"


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def sql_list(values) -> str:
    return ", ".join(sql_string(v) for v in values)


def jinja_literal(items: list[dict]) -> str:
    """A list of dicts as Jinja reads it: one key per line, within the style's 100 columns."""
    if not items:
        return "[]"
    entries = "".join(
        "        {\n"
        + "".join(f"            {k!r}: {v!r},\n" for k, v in item.items())
        + "        },\n"
        for item in items
    )
    return "[\n" + entries + "    ]"
