-- One row per session of valid events (seed 002's per-session view): when it started and
-- ended, how many events it had and whether it converted. A view, so it always reflects
-- stg_events, including the sessions an incremental run renumbered.
-- int_event_sessions holds the same sessions with more detail (tests/assert_session_models_reconcile.sql).

{{ config(materialized='view') }}

select
    session_id,
    user_id,
    session_number,
    min(event_timestamp) as session_started_at,
    max(event_timestamp) as session_ended_at,
    date_part('epoch', max(event_timestamp) - min(event_timestamp)) / 60.0 as session_duration_minutes,
    count(*) as event_count,
    count(*) filter (where event_type = 'pageview') as pageview_count,
    count(*) filter (where event_type = 'purchase') as purchase_count,
    count(*) filter (where event_type = 'purchase') > 0 as is_conversion_session
from {{ ref('stg_events') }}
where data_quality_flag = 'valid'
group by session_id, user_id, session_number
