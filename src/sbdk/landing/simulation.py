"""One step of the simulated source: land the days after the clock, moving it day by day."""

from __future__ import annotations

from typing import Any

from sbdk.config import Settings
from sbdk.landing.clock import LandingClock
from sbdk.landing.writer import LandingResult, land_days


def land_next_days(settings: Settings, storage_options: dict[str, Any]) -> LandingResult:
    """Land the next `[incremental] step_days` simulated days (what `sbdk run --incremental`
    and Dagster's `landing` asset do); at the end of the window, nothing."""
    data = settings.config.data
    clock = LandingClock(settings.landing_root, storage_options, state_dir=settings.state_dir)
    return land_days(
        data,
        clock.next_days(settings.config.incremental.step_days, data),
        settings.landing_root,
        settings.state_dir,
        storage_options=storage_options,
        # the clock moves day by day, so a run stopped half-way resumes where it stopped
        on_day_landed=lambda day, rows: clock.advance([day], data),
    )
