"""stg_events' lookback window in incremental mode.

Each incremental run merges into stg_events the events at or after the latest event already
staged minus var events_lookback_days, continuing each user's session numbering from the
table. Late events inside that window give the same table as a full refresh; an event
arriving older than it is skipped (and reported by a warning test) until `--full-refresh`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from .conftest import query, sbdk
from .test_incremental import new_project

pytestmark = pytest.mark.integration

RUNS = 3  # each lands two days (test_incremental's settings)
DEFAULT_LOOKBACK = timedelta(days=3)  # dbt_project.yml's events_lookback_days


@dataclass
class Observation:
    """The warehouse after one run."""

    processed: dict[int, datetime]  # event_id -> timestamp of every processed event
    staged: dict[int, tuple]  # event_id -> its stg_events row, without dbt_updated_at
    sessions: dict[int, int]  # event_id -> session_number in stg_events
    latest_staged_at: datetime
    flagged: set[int]  # events stored as failures of assert_processed_events_are_staged


def observe(root: Path) -> Observation:
    staged = query(root, "select * exclude (dbt_updated_at) from staging.stg_events")
    return Observation(
        processed=dict(query(root, 'select event_id, "timestamp" from processed.int_app__events')),
        staged={row[0]: row for row in staged},
        sessions=dict(query(root, "select event_id, session_number from staging.stg_events")),
        latest_staged_at=query(root, "select max(event_timestamp) from staging.stg_events")[0][0],
        flagged=flagged_events(root),
    )


def flagged_events(root: Path) -> set[int]:
    """The failing rows of the warning test; it has no table while it passes."""
    table = "assert_processed_events_are_staged"
    exists = query(
        root,
        "select count(*) from information_schema.tables "
        "where table_schema = 'test_failures' and table_name = ?",
        [table],
    )[0][0]
    if not exists:
        return set()
    return {event_id for (event_id,) in query(root, f"select event_id from test_failures.{table}")}


@dataclass
class LookbackRuns:
    observed: list[Observation]  # after each incremental run
    refreshed: Observation  # after `--full-refresh`

    def arrivals(self) -> Iterator[tuple[dict[int, datetime], datetime, Observation]]:
        """Per run after the first: the events it processed, the latest event staged before
        it, and the warehouse after it."""
        for before, after in pairwise(self.observed):
            new = {e: at for e, at in after.processed.items() if e not in before.processed}
            yield new, before.latest_staged_at, after


@pytest.fixture(scope="module")
def one_day_window(tmp_path_factory) -> LookbackRuns:
    """test_incremental's project with events_lookback_days = 1: three runs, then a full refresh."""
    root = new_project(tmp_path_factory.mktemp("lookback"), "shop")
    config = root / "sbdk.toml"
    text = config.read_text()
    assert "\n[dbt.vars]\n" in text
    config.write_text(text.replace("\n[dbt.vars]\n", "\n[dbt.vars]\nevents_lookback_days = 1\n"))
    observed = []
    for _ in range(RUNS):
        run = sbdk("run", cwd=root)
        assert run.code == 0, run.output
        observed.append(observe(root))
    full_refresh = sbdk("run", "--skip-generate", "--full-refresh", cwd=root)
    assert full_refresh.code == 0, full_refresh.output
    return LookbackRuns(observed, observe(root))


def test_late_events_fall_inside_the_default_lookback(one_day_window):
    """The landed data of test_incremental's settings (whose test shows incremental stg_events
    equal to a full refresh with the default lookback) has events arriving older than the
    latest event already staged, all less than the default lookback older, some more than
    one day older. The latest staged event does not depend on the lookback: a skipped event
    is older than it."""
    ages = [
        latest - at
        for new, latest, _ in one_day_window.arrivals()
        for at in new.values()
        if at < latest
    ]
    assert ages
    assert max(ages) < DEFAULT_LOOKBACK
    assert max(ages) > timedelta(days=1)


def test_events_older_than_the_lookback_are_skipped_until_a_full_refresh(one_day_window):
    first = one_day_window.observed[0]
    assert first.staged.keys() == first.processed.keys()  # the first run builds from scratch
    skipped: set[int] = set()
    merged_late = 0
    for new, latest, after in one_day_window.arrivals():
        window_start = latest - timedelta(days=1)
        skipped |= {e for e, at in new.items() if at < window_start}
        merged_late += sum(window_start <= at < latest for at in new.values())
        assert after.processed.keys() - after.staged.keys() == skipped
        assert after.flagged == skipped  # the warning names exactly the skipped events
    assert skipped  # some events arrived older than the window ...
    assert merged_late  # ... while other late ones fell inside it and were merged

    refreshed = one_day_window.refreshed
    assert refreshed.staged.keys() == refreshed.processed.keys()
    assert not refreshed.flagged


def test_merged_late_events_renumber_sessions_like_a_full_refresh(one_day_window):
    """Users none of whose events was skipped have exactly their full-refresh rows, although
    late events merged inside the window renumbered sessions staged by earlier runs."""
    last, refreshed = one_day_window.observed[-1], one_day_window.refreshed
    # stg_events rows start (event_id, user_id, ...)
    user_of = {event_id: row[1] for event_id, row in refreshed.staged.items()}
    users_with_skipped_events = {user_of[e] for e in refreshed.staged.keys() - last.staged.keys()}
    events_of_other_users = [e for e in last.staged if user_of[e] not in users_with_skipped_events]
    assert users_with_skipped_events and events_of_other_users
    for event_id in events_of_other_users:
        assert last.staged[event_id] == refreshed.staged[event_id]

    renumbered = {
        event_id
        for before, after in pairwise(one_day_window.observed)
        for event_id, number in before.sessions.items()
        if after.sessions[event_id] != number and user_of[event_id] not in users_with_skipped_events
    }
    assert renumbered


def test_an_invalid_lookback_is_a_one_line_error(tmp_path):
    assert sbdk("init", "shop", cwd=tmp_path).code == 0
    config = tmp_path / "shop" / "sbdk.toml"
    config.write_text(
        config.read_text().replace("\n[dbt.vars]\n", "\n[dbt.vars]\nevents_lookback_days = -1\n")
    )
    result = sbdk("run", "--users", "100", cwd=tmp_path / "shop")
    assert result.code == 1
    [line] = result.output.strip().splitlines()
    assert line == (
        "Error: invalid configuration: dbt.vars: events_lookback_days = -1: "
        "must be a whole number, 0 or more"
    )
    assert "Traceback" not in result.output
