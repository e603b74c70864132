-- Staging model for events: cleaning, categorisation and per-user sessionisation.
-- A session is a run of one user's events with no gap longer than
-- var('session_timeout_minutes') between consecutive events.
-- Input: sbdk_source('events') = raw.raw_events in full mode, processed.int_app__events in incremental mode.

with events as (

    select
        event_id::bigint as event_id,
        user_id::bigint as user_id,
        lower(event_type) as event_type,
        "timestamp"::timestamp as event_timestamp,
        lower(utm_source) as utm_source,
        page
    from {{ sbdk_source('events') }}
    where event_id is not null
      and user_id is not null

),

gaps as (

    select
        *,
        case
            when event_timestamp is null then 1
            when lag(event_timestamp) over user_events is null then 1
            when event_timestamp - lag(event_timestamp) over user_events
                > to_seconds({{ var('session_timeout_minutes') }} * 60) then 1
            else 0
        end as is_session_start
    from events
    window user_events as (partition by user_id order by event_timestamp, event_id)

),

sessions as (

    select
        *,
        sum(is_session_start) over (
            partition by user_id
            order by event_timestamp, event_id
            rows between unbounded preceding and current row
        ) as session_number
    from gaps

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
