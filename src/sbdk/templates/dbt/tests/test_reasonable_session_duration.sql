-- No session may last longer than var('max_session_duration_hours').
-- Returns the offending sessions.

select
    session_id,
    user_id,
    session_start,
    session_end,
    session_duration_minutes
from {{ ref('int_event_sessions') }}
where session_duration_minutes > {{ var('max_session_duration_hours') }} * 60
