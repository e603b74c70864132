"""One sensor per stream: a run of the stream's job when files landed after its cursor."""

from typing import Any

import dagster as dg

from sbdk.config import Settings
from sbdk.errors import SbdkError
from sbdk.incremental import cursors
from sbdk.incremental.discovery import LandedFile, files_after, list_landed_files
from sbdk.incremental.streams import StreamConfig

SENSOR_INTERVAL_SECONDS = 30


def unprocessed_files(settings: Settings, stream: StreamConfig) -> list[LandedFile]:
    """The landed files of `stream` after its cursor, read without locking the warehouse."""
    landed = list_landed_files(
        settings.landing_root, stream.source, stream.name, settings.landing_storage_options()
    )
    return files_after(landed, cursors.peek_cursors(settings.warehouse_path).get(stream.name))


def stream_sensor(settings: Settings, stream: StreamConfig, job: Any) -> dg.SensorDefinition:
    @dg.sensor(
        name=f"{stream.source}_{stream.name}_sensor",
        job=job,
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Requests a run of {job.name} when files of stream "
        f"{stream.source}/{stream.name} landed after the stream's cursor.",
    )
    def stream_sensor(context: dg.SensorEvaluationContext):
        try:
            new_files = unprocessed_files(settings, stream)
        except SbdkError as error:  # e.g. a run holds the warehouse: look again next tick
            return dg.SkipReason(str(error))
        if not new_files:
            return dg.SkipReason(f"no new files of {stream.source}/{stream.name}")
        # Keyed by the newest new file: ticks while that run waits or works ask for the same
        # key, which Dagster skips; a failed run is retried by re-executing it.
        return dg.RunRequest(
            run_key=f"{stream.tag}:{new_files[-1].key}",
            tags={"sbdk/stream": stream.tag, "sbdk/new_files": str(len(new_files))},
        )

    return stream_sensor
