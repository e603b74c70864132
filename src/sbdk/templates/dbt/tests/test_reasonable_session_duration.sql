-- No session may last longer than var('max_session_duration_hours').
-- Returns the offending sessions.

select *
from {{ ref('int_event_sessions') }}
where session_duration_minutes > {{ var('max_session_duration_hours') }} * 60
