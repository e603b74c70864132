"""The simulated clock of incremental mode: the last landing day, kept in the project.

`<state_dir>/landing_clock.json` records the last day landed and the `[data]` settings the
landed history was drawn from. Advance it only after the day's files are written: a day that
failed half-way is landed again by the next run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from sbdk.config import DataSection
from sbdk.errors import SbdkError
from sbdk.landing.history import landing_window

CLOCK_FILE = "landing_clock.json"


class LandingClock:
    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / CLOCK_FILE

    def last_landed_day(self) -> date | None:
        state = self._read()
        return date.fromisoformat(state["last_landed_day"]) if state else None

    def next_days(self, step_days: int, data: DataSection) -> list[date]:
        """The next `step_days` landing days, none past the window's last (maybe none at all).

        Raises SbdkError if the days landed so far were drawn from other `[data]` settings.
        """
        if step_days < 1:
            raise ValueError(f"step_days must be at least 1, not {step_days}")
        self._check_same_world(data)
        first, last = landing_window(data)
        landed = self.last_landed_day()
        start = first if landed is None else max(first, landed + timedelta(days=1))
        days = (start + timedelta(days=i) for i in range(step_days))
        return [d for d in days if d <= last]

    def advance(self, days: Sequence[date], data: DataSection) -> None:
        """Record `days` as landed (they must come after the last landed day)."""
        if not days:
            return
        self._check_same_world(data)
        landed = self.last_landed_day()
        if landed is not None and min(days) <= landed:
            raise ValueError(f"cannot move the landing clock back: {min(days)} <= {landed}")
        state = {"last_landed_day": max(days).isoformat(), "data": data.model_dump(mode="json")}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".json.tmp")
        partial.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, self.path)

    def reset(self) -> None:
        """Forget every landed day (the landed files are the caller's to remove)."""
        self.path.unlink(missing_ok=True)

    def _check_same_world(self, data: DataSection) -> None:
        state = self._read()
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
                f"({', '.join(changed)}); start the landing over (remove {self.path} "
                f"and the landed files) or restore the settings"
            )

    def _read(self) -> dict | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            state = json.loads(text)
            date.fromisoformat(state["last_landed_day"])
            if not isinstance(state["data"], dict):
                raise TypeError("data is not an object")
        except (ValueError, KeyError, TypeError) as error:
            raise SbdkError(
                f"{self.path} is damaged ({error}); remove it and the landed files "
                "to start the landing over"
            ) from None
        return state
