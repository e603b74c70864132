-- int_session_events (the per-session view) and int_event_sessions (the per-session table)
-- both aggregate stg_events' sessions: they must hold the same sessions with the same
-- user, bounds, duration and counts. Returns one row per session that differs or is missing on a side.

select
    coalesce(v.session_id, t.session_id) as session_id,
    case
        when t.session_id is null then 'only in int_session_events'
        when v.session_id is null then 'only in int_event_sessions'
        else 'different user, bounds, duration or counts'
    end as problem
from {{ ref('int_session_events') }} as v
full outer join {{ ref('int_event_sessions') }} as t
    on v.session_id = t.session_id
where v.session_id is null
   or t.session_id is null
   or v.user_id != t.user_id
   or v.session_number != t.session_number
   or v.session_started_at != t.session_start
   or v.session_ended_at != t.session_end
   or v.session_duration_minutes != t.session_duration_minutes
   or v.event_count != t.events_in_session
   or v.pageview_count != t.pageviews_in_session
   or v.purchase_count != t.purchases_in_session
   or v.is_conversion_session != (t.session_outcome = 'converted')
