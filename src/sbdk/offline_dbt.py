"""`sbdk-dbt`: dbt's own command line, except that `sbdk-dbt --version` answers offline.

`dbt --version` also asks PyPI for dbt's latest release: a network request (or a 1 s
timeout offline), which the kit never makes at run time. dagster-dbt runs `<executable>
--version` before the first dbt command of every run to learn which dbt it drives, so the
Dagster integration gives it this executable (DbtCliResource's public `dbt_executable`).
"""

from __future__ import annotations

import sys
from importlib.metadata import version


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        print(f"Core:\n  - installed: {version('dbt-core')}")
        print(f"Plugins:\n  - duckdb: {version('dbt-duckdb')}")
        return
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    sys.exit(cli())


if __name__ == "__main__":
    main()
