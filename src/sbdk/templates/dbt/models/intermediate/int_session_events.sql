-- One row per session (the per-session view of a sessions star): when it started and ended,
-- how many events and purchases it had and whether it converted. These are
-- int_event_sessions' sessions under the session-view names: aggregating stg_events again
-- here would rerun the sessionisation window on every query of this view (each of its tests)
-- in full mode, where stg_events is a view itself.

{{ config(materialized='view') }}

select
    session_id,
    user_id,
    session_number,
    session_start as session_started_at,
    session_end as session_ended_at,
    session_duration_minutes,
    events_in_session as event_count,
    pageviews_in_session as pageview_count,
    purchases_in_session as purchase_count,
    purchases_in_session > 0 as is_conversion_session
from {{ ref('int_event_sessions') }}
