"""The stream catalogue is the one list of streams: every other place derives from it or is
checked against it here."""

from __future__ import annotations

from importlib import resources

import yaml

from sbdk import catalogue
from sbdk.landing.daily_extracts import ROW_SCHEMAS, STREAM_OFFSET_MINUTES

TEMPLATE = resources.files("sbdk") / "templates" / "dbt"


def test_the_dbt_projects_default_streams_are_the_catalogues():
    defaults = yaml.safe_load((TEMPLATE / "dbt_project.yml").read_text())["vars"]
    assert defaults["sbdk_streams"] == list(catalogue.STREAM_NAMES)
    assert catalogue.dbt_vars() == {"sbdk_streams": list(catalogue.STREAM_NAMES)}


def test_every_stream_has_its_raw_source_processed_model_and_landing_schema():
    sources = yaml.safe_load((TEMPLATE / "models" / "staging" / "_sources.yml").read_text())
    [raw] = [source for source in sources["sources"] if source["name"] == "raw"]
    assert [table["name"] for table in raw["tables"]] == list(catalogue.RAW_TABLES)
    processed = TEMPLATE / "models" / "processed" / catalogue.SOURCE
    for stream in catalogue.STREAMS:
        model = (processed / f"{stream.processed_model}.sql").read_text()
        assert f"tags=['processed', '{stream.tag}']" in model
        assert stream.name in ROW_SCHEMAS and stream.name in STREAM_OFFSET_MINUTES


def test_the_catalogues_order_is_the_nightly_syncs():
    offsets = [STREAM_OFFSET_MINUTES[name] for name in catalogue.STREAM_NAMES]
    assert offsets == sorted(offsets)
    assert list(ROW_SCHEMAS) == list(catalogue.STREAM_NAMES)


def test_names_derive_from_the_stream():
    orders = catalogue.stream("orders")
    assert (orders.raw_table, orders.processed_model, orders.tag, orders.landed_dir) == (
        "raw_orders",
        "int_app__orders",
        "app__orders",
        "app/orders",
    )
