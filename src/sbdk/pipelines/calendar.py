"""Seasonality as a time warp: uniform "activity time" maps to wall-clock time, monotonically.

Activity intensity varies by hour of day, weekday and a steady growth trend. Its running
integral over the window turns sorted uniform draws into sorted timestamps that follow the
intensity, without sorting or rejection sampling.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pyarrow as pa

from sbdk.pipelines.vocabulary import HOUR_OF_DAY_ACTIVITY, WEEKDAY_ACTIVITY

SECONDS_PER_HOUR = 3600
SECONDS_PER_DAY = 86_400
GROWTH_OVER_WINDOW = 0.6  # activity at the end of the window is 1.6x the start


def epoch_seconds(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def timestamp_column(seconds: np.ndarray) -> pa.Array:
    """Epoch seconds as naive UTC microsecond timestamps: DuckDB's plain TIMESTAMP (not
    TIMESTAMP_S, not TIMESTAMPTZ)."""
    micros = seconds.astype(np.int64, copy=False) * 1_000_000
    return pa.Array.from_buffers(pa.timestamp("us"), len(micros), [None, pa.py_buffer(micros)])


class ActivityCalendar:
    def __init__(self, start: date, end: date) -> None:
        self.start_seconds = epoch_seconds(start)
        self.end_seconds = epoch_seconds(end)
        hours = (self.end_seconds - self.start_seconds) // SECONDS_PER_HOUR
        hour_index = np.arange(hours)
        hour_of_day = hour_index % 24
        # 1970-01-01 was a Thursday (weekday 3 when Monday is 0).
        weekday = ((self.start_seconds // SECONDS_PER_DAY) + hour_index // 24 + 3) % 7
        growth = 1.0 + GROWTH_OVER_WINDOW * hour_index / max(hours - 1, 1)
        intensity = HOUR_OF_DAY_ACTIVITY[hour_of_day] * WEEKDAY_ACTIVITY[weekday] * growth
        self._edges_seconds = (self.start_seconds + SECONDS_PER_HOUR * np.arange(hours + 1)).astype(
            np.float64
        )
        self._cumulative = np.concatenate([[0.0], np.cumsum(intensity)])

    def to_activity(self, seconds: np.ndarray) -> np.ndarray:
        return np.interp(seconds, self._edges_seconds, self._cumulative)

    def to_seconds(self, activity: np.ndarray) -> np.ndarray:
        return np.interp(activity, self._cumulative, self._edges_seconds)
