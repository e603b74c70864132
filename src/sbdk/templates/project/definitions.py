"""This project's Dagster definitions: run `dagster dev` here to see and run its graph.

Needs the Dagster extra (pip install 'sbdk[dagster]'). workspace.yaml points `dagster dev`
at this file; dagster.yaml keeps Dagster's state in .sbdk/dagster and its telemetry off.
"""

from pathlib import Path

from sbdk.integrations.dagster import build_definitions

defs = build_definitions(Path(__file__).resolve().parent)
