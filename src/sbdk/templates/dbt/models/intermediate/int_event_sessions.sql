-- One row per session (see stg_events for how sessions are cut).

select
    user_id,
    session_id,
    session_number,
    min(event_timestamp) as session_start,
    max(event_timestamp) as session_end,
    count(*) as events_in_session,
    count(distinct event_type) as unique_event_types,

    -- Session duration in minutes
    date_part('epoch', max(event_timestamp) - min(event_timestamp))
    / 60.0 as session_duration_minutes,

    -- Event type analysis
    count(*) filter (where event_type = 'pageview') as pageviews_in_session,
    count(*) filter (where event_type = 'purchase') as purchases_in_session,

    -- Session outcome
    case
        when count(*) filter (where event_type = 'purchase') > 0 then 'converted'
        when count(*) >= 5 then 'engaged'
        when count(*) >= 2 then 'browsed'
        else 'bounced'
    end as session_outcome,

    -- First and last events (event_id breaks timestamp ties)
    arg_min(event_type, (event_timestamp, event_id)) as first_event_type,
    arg_max(event_type, (event_timestamp, event_id)) as last_event_type,

    current_timestamp as dbt_updated_at

from {{ ref('stg_events') }}
where data_quality_flag = 'valid'
group by user_id, session_id, session_number
