"""The simulated clock of incremental mode: the last day landed, kept in the landing area.

`<root>/app/_sbdk_landing_clock.json` (next to dlt's own bookkeeping, local or on S3) records
the last day landed and the `[data]` settings the landed history was drawn from. It lives
with the files it describes, so it is deleted exactly when they are: deleting `.sbdk/` (which
the project calls rebuildable) never makes the clock start over and land days that are
already there, and deleting the landing area starts the landing over from the first day.
Advance it only after the day's files are written: a day that failed half-way is landed
again by the next run.

Projects landed before the clock moved here kept it in `<state_dir>/landing_clock.json`; a
landing area with landed days but no clock adopts it (moves it in).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sbdk.catalogue import SOURCE, STREAM_NAMES
from sbdk.config import DataSection
from sbdk.errors import SbdkError
from sbdk.incremental.discovery import landing_filesystem
from sbdk.landing.daily_extracts import landing_window

CLOCK_FILE = "_sbdk_landing_clock.json"
LEGACY_CLOCK_FILE = "landing_clock.json"  # in the project's state dir, before the clock moved


class LandingClock:
    def __init__(
        self,
        root: str,
        storage_options: Mapping[str, Any] | None = None,
        state_dir: Path | None = None,
    ) -> None:
        self.root = root
        self._filesystem, base = landing_filesystem(root, dict(storage_options or {}))
        self._source_dir = f"{base.rstrip('/')}/{SOURCE}"
        self._path = f"{self._source_dir}/{CLOCK_FILE}"
        self._legacy = state_dir / LEGACY_CLOCK_FILE if state_dir is not None else None

    @property
    def location(self) -> str:
        """The clock file, as the user would name it (a path or an s3:// URL)."""
        return f"{self.root.rstrip('/')}/{SOURCE}/{CLOCK_FILE}"

    def last_landed_day(self) -> date | None:
        state = self._read()
        return date.fromisoformat(state["last_landed_day"]) if state else None

    def next_days(self, step_days: int, data: DataSection) -> list[date]:
        """The next `step_days` landing days, none past the window's last (maybe none at all).

        Raises SbdkError if the days landed so far were drawn from other `[data]` settings.
        """
        if step_days < 1:
            raise ValueError(f"step_days must be at least 1, not {step_days}")
        state = self._read()
        self._check_same_world(state, data)
        first, last = landing_window(data)
        landed = date.fromisoformat(state["last_landed_day"]) if state else None
        start = first if landed is None else max(first, landed + timedelta(days=1))
        days = (start + timedelta(days=i) for i in range(step_days))
        return [d for d in days if d <= last]

    def advance(self, days: Sequence[date], data: DataSection) -> None:
        """Record `days` as landed (they must come after the last landed day)."""
        if not days:
            return
        recorded = self._clock_bytes()
        state = self._parse(recorded, self.location) if recorded is not None else None
        self._check_same_world(state, data)
        landed = date.fromisoformat(state["last_landed_day"]) if state else None
        if landed is not None and min(days) <= landed:
            raise ValueError(f"cannot move the landing clock back: {min(days)} <= {landed}")
        state = {"last_landed_day": max(days).isoformat(), "data": data.model_dump(mode="json")}
        self._write((json.dumps(state, indent=2) + "\n").encode("utf-8"))

    def reset(self) -> None:
        """Forget every landed day (the landed files are the caller's to remove)."""
        if self._clock_bytes() is not None:
            self._filesystem.rm_file(self._path)

    def _check_same_world(self, state: dict | None, data: DataSection) -> None:
        if not state:
            return
        current = data.model_dump(mode="json")
        changed = [
            f"{key} {state['data'].get(key)!r} -> {value!r}"
            for key, value in current.items()
            if state["data"].get(key) != value
        ]
        if changed:
            raise SbdkError(
                f"the files landed so far were drawn with other [data] settings "
                f"({', '.join(changed)}); restore the settings, or start the landing over: "
                f"remove {self.root.rstrip('/')}/{SOURCE} and run "
                "`sbdk run --incremental --full-refresh`"
            )

    def _read(self) -> dict | None:
        """The clock; without one, nothing landed yet, or an earlier sbdk's clock is adopted,
        or the landed files' origin is unknown (refused: the next days might not fit them)."""
        recorded = self._clock_bytes()
        if recorded is not None:
            return self._parse(recorded, self.location)
        latest = self._latest_partition()
        if latest is None:
            return None  # nothing landed (a legacy clock left behind describes deleted files)
        if self._legacy is None or not self._legacy.is_file():
            raise SbdkError(
                f"the landing area {self.root} holds days up to {latest} but no clock "
                f"({self.location}) saying which [data] settings drew them, so sbdk cannot "
                f"land the next days safely; remove {self.root.rstrip('/')}/{SOURCE} to "
                "land again from the start, then run `sbdk run --incremental --full-refresh`"
            )
        legacy = self._legacy.read_bytes()
        state = self._parse(legacy, str(self._legacy))
        self._write(legacy)
        self._legacy.unlink()
        return state

    def _parse(self, text: bytes, where: str) -> dict:
        try:
            state = json.loads(text)
            date.fromisoformat(state["last_landed_day"])
            if not isinstance(state["data"], dict):
                raise TypeError("data is not an object")
        except (ValueError, KeyError, TypeError) as error:
            raise SbdkError(
                f"the landing clock {where} is damaged ({error}); remove it and the landed "
                "files to start the landing over"
            ) from None
        return state

    def _write(self, content: bytes) -> None:
        # Written aside, then moved over the old one: a run stopped mid-write leaves the old
        # clock, never a torn one.
        partial = f"{self._path}.partial"
        self._filesystem.makedirs(self._source_dir, exist_ok=True)
        self._filesystem.pipe_file(partial, content)
        self._filesystem.mv(partial, self._path)

    def _clock_bytes(self) -> bytes | None:
        try:
            return self._filesystem.cat_file(self._path)
        except FileNotFoundError:
            return None

    def _latest_partition(self) -> date | None:
        """The latest year=/month=/day= partition of any stream, if any."""
        self._filesystem.invalidate_cache()  # s3fs caches listings; files may have landed since
        latest = None
        for stream in STREAM_NAMES:
            for path in self._filesystem.glob(f"{self._source_dir}/{stream}/year=*/month=*/day=*"):
                try:
                    year, month, day = (part.split("=", 1)[1] for part in path.split("/")[-3:])
                    found = date(int(year), int(month), int(day))
                except ValueError:
                    continue  # not a partition sbdk wrote: not a landed day
                latest = found if latest is None else max(latest, found)
        return latest
