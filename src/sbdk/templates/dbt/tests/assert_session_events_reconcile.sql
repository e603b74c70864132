-- The sessions of int_session_events hold every valid event of stg_events exactly once:
-- their event and purchase counts add up to stg_events' totals. (stg_events is counted
-- without its session columns, so DuckDB skips the sessionisation window of the full-mode
-- view.) Returns one row per total that differs.
{{ config(meta={'dagster': {'ref': {'name': 'int_session_events'}}}) }}

with session_totals as (

    select
        coalesce(sum(event_count), 0) as events,
        coalesce(sum(purchase_count), 0) as purchases
    from {{ ref('int_session_events') }}

),

event_totals as (

    select
        count(*) as events,
        count(*) filter (where event_type = 'purchase') as purchases
    from {{ ref('stg_events') }}
    where data_quality_flag = 'valid'

)

select
    'events' as measure,
    e.events as expected,
    s.events as actual
from event_totals as e
cross join session_totals as s
where e.events != s.events

union all

select
    'purchases' as measure,
    e.purchases as expected,
    s.purchases as actual
from event_totals as e
cross join session_totals as s
where e.purchases != s.purchases
