"""Where projects scaffolded before the Dagster integration became a package
(`sbdk.integrations.dagster`) import it from: their definitions.py keeps working."""

from sbdk.integrations.dagster import DAGSTER_DIR, LAND_JOB, RUN_JOB, build_definitions

__all__ = ["DAGSTER_DIR", "LAND_JOB", "RUN_JOB", "build_definitions"]
