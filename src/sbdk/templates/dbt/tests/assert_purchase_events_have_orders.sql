-- In incremental mode late-arriving rows can break this for a day or two: warn there.
{{ config(
    severity=('warn' if var('sbdk_mode', 'full') == 'incremental' else 'error'),
    meta={'dagster': {'ref': {'name': 'stg_orders'}}},
) }}
-- Every purchase event has an order (joined by event_id) of the same user at the same
-- timestamp, and every order points to a purchase event.
-- Returns one row per broken pair.

select
    'purchase event without a matching order' as problem,
    e.event_id,
    e.user_id as event_user_id,
    e.event_timestamp,
    o.order_id,
    o.user_id as order_user_id,
    o.created_at as order_created_at
from {{ ref('stg_events') }} as e
left join {{ ref('stg_orders') }} as o
    on e.event_id = o.event_id
where
    e.event_type = 'purchase'
    and (
        o.order_id is null
        or o.user_id is distinct from e.user_id
        or o.created_at is distinct from e.event_timestamp
    )

union all

select
    'order without a purchase event' as problem,
    o.event_id,
    e.user_id as event_user_id,
    e.event_timestamp,
    o.order_id,
    o.user_id as order_user_id,
    o.created_at as order_created_at
from {{ ref('stg_orders') }} as o
left join {{ ref('stg_events') }} as e
    on o.event_id = e.event_id
where
    e.event_id is null
    or e.event_type != 'purchase'
