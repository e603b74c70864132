-- Staging model for events: cleaning, categorisation and per-user sessionisation.
-- A session is a run of one user's events with no gap longer than
-- var('session_timeout_minutes') between consecutive events.
-- Input: sbdk_source('events') = raw.raw_events in full mode, processed.int_app__events in
-- incremental mode.
--
-- Full mode: a view (every run regenerates everything).
-- Incremental mode: a table merged on event_id. Each run recomputes only the events at or
-- after the window start: the latest event already in the table minus
-- var('events_lookback_days') days, so that late-arriving events inside the lookback are
-- inserted and the sessions around them renumbered. Session numbering continues from each
-- user's last event before the window (its timestamp decides whether the first event in the
-- window opens a new session; its session_number is the count of sessions before), so the
-- table equals a full refresh row for row (but dbt_updated_at) as long as no event arrives
-- older than the window start. Such an event is skipped until `--full-refresh`.

{%- set incremental_mode = var('sbdk_mode', 'full') == 'incremental' %}
{%- set lookback_days = var('events_lookback_days', 3) %}
{%- if lookback_days is not number or lookback_days is sameas true or lookback_days is sameas false
        or lookback_days < 0 or lookback_days != lookback_days | int %}
    {{ exceptions.raise_compiler_error(
        "var events_lookback_days must be a whole number of days, 0 or more, not "
        ~ ("the text '" if lookback_days is string else "'") ~ lookback_days ~ "'"
    ) }}
{%- endif %}

{{ config(
    materialized=('incremental' if incremental_mode else 'view'),
    incremental_strategy='merge',
    unique_key='event_id',
    on_schema_change='fail',
) }}

with events as (

    select
        event_id::bigint as event_id,
        user_id::bigint as user_id,
        lower(event_type) as event_type,
        timestamp::timestamp as event_timestamp,
        lower(utm_source) as utm_source,
        page
    from {{ sbdk_source('events') }}
    where
        event_id is not null
        and user_id is not null

),

{% if is_incremental() %}

window_start as (

    -- null while the table is empty: then every event is in the window
    select max(event_timestamp) - to_days({{ lookback_days | int }}) as starts_at
    from {{ this }}

),

events_in_window as (

    -- Events without a timestamp sort after all others (a session each, numbered last), so
    -- they are always recomputed: a new event before them shifts their session numbers.
    select events.*
    from events
    cross join window_start
    where window_start.starts_at is null
       or events.event_timestamp >= window_start.starts_at
       or events.event_timestamp is null

),

sessions_before_window as (

    -- Per user with events in the window: the last event already in the table before it.
    select
        user_id,
        max(event_timestamp) as last_event_timestamp,
        arg_max(session_number, (event_timestamp, event_id)) as sessions_before
    from {{ this }}
    where event_timestamp < (select starts_at from window_start)
      and user_id in (select user_id from events_in_window)
    group by user_id

),

gaps as (

    select
        events_in_window.*,
        coalesce(
            lag(events_in_window.event_timestamp) over user_events,
            sessions_before_window.last_event_timestamp
        ) as previous_event_timestamp,
        coalesce(sessions_before_window.sessions_before, 0) as sessions_before
    from events_in_window
    left join sessions_before_window
        on events_in_window.user_id = sessions_before_window.user_id
    window user_events as (
        partition by events_in_window.user_id
        order by events_in_window.event_timestamp nulls last, events_in_window.event_id
    )

),

{% else %}

gaps as (

    select
        *,
        lag(event_timestamp) over user_events as previous_event_timestamp,
        0 as sessions_before
    from events
    window user_events as (partition by user_id order by event_timestamp nulls last, event_id)

),

{% endif %}

session_starts as (

    select
        *,
        case
            when event_timestamp is null then 1
            when previous_event_timestamp is null then 1
            when
                event_timestamp - previous_event_timestamp
                > to_seconds({{ var('session_timeout_minutes') }} * 60) then 1
            else 0
        end as is_session_start
    from gaps

),

sessions as (

    select
        *,
        sessions_before + sum(is_session_start) over (
            partition by user_id
            order by event_timestamp nulls last, event_id
            rows between unbounded preceding and current row
        ) as session_number
    from session_starts

)

select
    event_id,
    user_id,
    event_type,
    event_timestamp,
    utm_source,
    page,

    -- Event categorisation
    case
        when event_type in ('signup', 'login') then 'authentication'
        when event_type in ('pageview', 'click') then 'engagement'
        when event_type in ('purchase', 'add_to_cart') then 'conversion'
        else 'other'
    end as event_category,

    -- Time dimensions (UTC)
    event_timestamp::date as event_date,
    date_part('hour', event_timestamp) as event_hour,
    date_part('dow', event_timestamp) as day_of_week,

    -- Sessions: numbered 1, 2, ... per user; the id is unique across users
    session_number,
    user_id::varchar || '-' || session_number::varchar as session_id,

    -- Data quality
    case
        when event_timestamp is null then 'missing_timestamp'
        else 'valid'
    end as data_quality_flag,

    current_timestamp as dbt_updated_at

from sessions
