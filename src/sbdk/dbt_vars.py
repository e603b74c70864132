"""The bundled dbt project's vars (templates/dbt/dbt_project.yml) and their types.

`[dbt.vars]` in sbdk.toml overrides them. dbt renders vars into SQL as they come, so a
string where the models expect a number, or a date that is not one, only fails deep inside a
model, or worse, is read as something else. The known vars are checked here, when the
settings are validated; vars the user adds for their own models stay free-form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

# Counts of events or days.
COUNT_VARS = {
    "min_user_events",
    "active_user_min_events",
    "active_user_min_days",
    "engaged_user_min_events",
    "dormant_after_days",
    "events_lookback_days",
}
# Durations, amounts and thresholds: any number.
NUMBER_VARS = {
    "max_session_duration_hours",
    "min_order_amount",
    "session_timeout_minutes",
    "high_value_customer_threshold",
    "medium_value_customer_threshold",
}
# Reference date for day counts: null (the latest event's date) or 'YYYY-MM-DD'.
DATE_VARS = {"as_of_date"}
# Vars sbdk sets on dbt calls (the mode, the catalogue's streams, a batch's files, a
# stream's columns, which come from streams/app/*.json, the name a full refresh builds
# processed tables under): an override would contradict what sbdk runs.
SBDK_VARS = {
    "sbdk_mode",
    "sbdk_streams",
    "files",
    "unique_key",
    "cursor_column",
    "sbdk_processed_suffix",
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def validate_dbt_vars(variables: Mapping[str, Any]) -> dict[str, Any]:
    """The vars with known ones checked (dates as 'YYYY-MM-DD'); ValueError names a bad one."""
    checked = dict(variables)
    for name, value in variables.items():
        if name in SBDK_VARS:
            raise ValueError(f"'{name}' is set by sbdk on every dbt call; remove it")
        if name in COUNT_VARS:
            _check_number(name, value, integer=True)
        elif name in NUMBER_VARS:
            _check_number(name, value, integer=False)
        elif name in DATE_VARS:
            checked[name] = _iso_date(name, value)
    return checked


def _check_number(name: str, value: Any, integer: bool) -> None:
    kinds = (int,) if integer else (int, float)
    # bool is an int in Python, but `true` is no count.
    if isinstance(value, bool) or not isinstance(value, kinds) or value < 0:
        what = "a whole number" if integer else "a number"
        quoted = " written without quotes" if isinstance(value, str) else ""
        raise ValueError(f"{name} = {value!r}: must be {what}, 0 or more{quoted}")


def _iso_date(name: str, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):  # a TOML date
        return value.isoformat()
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise ValueError(f"{name} = {value!r}: must be a date 'YYYY-MM-DD' (or left out)")
