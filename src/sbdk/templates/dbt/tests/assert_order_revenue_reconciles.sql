-- In incremental mode late-arriving rows can break this for a day or two: warn there.
{{ config(
    severity=('warn' if var('sbdk_mode', 'full') == 'incremental' else 'error'),
    meta={'dagster': {'ref': {'name': 'daily_summary'}}},
) }}
-- Order counts and revenue must agree across layers:
--   raw_orders = stg_orders (all rows), and
--   stg_orders (valid rows) = int_user_orders = user_metrics = product_summary = daily_summary.
-- Returns one row per layer whose totals differ from its reference.
-- raw_orders is sbdk_source('orders'): the raw table in full mode, int_app__orders in
-- incremental mode.

with raw_totals as (

    select
        count(*) as order_count,
        coalesce(sum(amount), 0) as revenue
    from {{ sbdk_source('orders') }}

),

staged_totals as (

    select
        count(*) as order_count,
        coalesce(sum(order_amount), 0) as revenue
    from {{ ref('stg_orders') }}

),

valid_totals as (

    select
        count(*) as order_count,
        coalesce(sum(order_amount), 0) as revenue
    from {{ ref('stg_orders') }}
    where data_quality_flag = 'valid'

),

layer_totals as (

    select
        'int_user_orders' as layer,
        coalesce(sum(total_orders), 0) as order_count,
        coalesce(sum(total_revenue), 0) as revenue
    from {{ ref('int_user_orders') }}

    union all

    select
        'user_metrics' as layer,
        coalesce(sum(total_orders), 0) as order_count,
        coalesce(sum(total_revenue), 0) as revenue
    from {{ ref('user_metrics') }}

    union all

    select
        'product_summary' as layer,
        coalesce(sum(total_orders), 0) as order_count,
        coalesce(sum(total_revenue), 0) as revenue
    from {{ ref('product_summary') }}

    union all

    select
        'daily_summary' as layer,
        coalesce(sum(total_orders), 0) as order_count,
        coalesce(sum(daily_revenue), 0) as revenue
    from {{ ref('daily_summary') }}

),

comparisons as (

    select
        'stg_orders' as layer,
        'raw_orders' as reference,
        r.order_count as expected_order_count,
        s.order_count as actual_order_count,
        r.revenue as expected_revenue,
        s.revenue as actual_revenue
    from raw_totals as r
    cross join staged_totals as s

    union all

    select
        l.layer,
        'stg_orders (valid)' as reference,
        v.order_count as expected_order_count,
        l.order_count as actual_order_count,
        v.revenue as expected_revenue,
        l.revenue as actual_revenue
    from layer_totals as l
    cross join valid_totals as v

)

select *
from comparisons
where
    expected_order_count != actual_order_count
    or expected_revenue != actual_revenue
