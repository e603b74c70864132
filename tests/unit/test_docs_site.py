"""`sbdk docs` without dbt: where it serves, and its one-line errors."""

from __future__ import annotations

import socket

import pytest

from sbdk import docs_site
from sbdk.config import load_settings
from sbdk.errors import SbdkError
from sbdk.project import scaffold_project


def test_a_port_in_use_is_one_line_naming_it(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SbdkError, match=f"port {port} on 127.0.0.1 is in use"):
            docs_site.serve(tmp_path, port, lambda site: None)


def test_the_lineage_address_leaves_out_the_run_history_sources():
    site = docs_site.DocsSite(folder=None, port=8123)
    assert site.url == "http://127.0.0.1:8123/"
    assert site.lineage_url.endswith("#!/overview?g_v=1&g_e=source:observability")


def test_no_warehouse_yet_is_one_line(tmp_path):
    root = scaffold_project(tmp_path / "shop").root
    (root / "data" / "warehouse.duckdb").unlink()
    with pytest.raises(SbdkError, match="no warehouse at .* run `sbdk run` first"):
        docs_site.generate(load_settings(root, {}))
