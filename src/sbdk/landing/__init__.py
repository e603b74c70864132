"""The landing simulator: the synthetic world landed day by day as Hive-partitioned Parquet,
like an ELT tool's incremental-append sync to object storage.

    clock = LandingClock(settings.state_dir)
    days = clock.next_days(step_days, data)
    result = land_days(data, days, settings.landing_root, settings.state_dir,
                       on_day_landed=lambda day, rows: clock.advance([day], data))
"""

from sbdk.landing.clock import LandingClock
from sbdk.landing.history import SOURCE, STREAMS, landing_window
from sbdk.landing.writer import LAYOUT, LandingResult, land_days

__all__ = [
    "LAYOUT",
    "SOURCE",
    "STREAMS",
    "LandingClock",
    "LandingResult",
    "land_days",
    "landing_window",
]
