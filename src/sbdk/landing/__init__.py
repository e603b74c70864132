"""The landing simulator: the synthetic world landed day by day as Hive-partitioned Parquet,
like an ELT tool's incremental-append sync to object storage.

    result = land_next_days(settings, settings.landing_storage_options())

which moves the simulated clock (LandingClock) and lands each day with `land_days`.
"""

from sbdk.landing.clock import LandingClock
from sbdk.landing.daily_extracts import landing_window
from sbdk.landing.simulation import land_next_days
from sbdk.landing.writer import LAYOUT, LandingResult, land_days

__all__ = [
    "LAYOUT",
    "LandingClock",
    "LandingResult",
    "land_days",
    "land_next_days",
    "landing_window",
]
