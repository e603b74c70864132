-- The star schema holds exactly the orders of the source and their items:
--   orders, amount:           sbdk_source('orders') = fct_orders
--   items, quantity, amount:  the source's line_items = fct_orders = fct_order_items
-- The source's items are measured on the JSON text itself (json_array_length, JSON paths),
-- not through the unnest the models use. Returns one row per measure and layer that differs.
-- sbdk_source('orders') is raw.raw_orders in full mode and int_app__orders in incremental
-- mode: one stream either way, so this holds in both modes.
{{ config(meta={'dagster': {'ref': {'name': 'fct_orders'}}}) }}

with source_orders as (

    select
        amount,
        line_items::json as line_items
    from {{ sbdk_source('orders') }}

),

measures as (

    select
        'orders' as measure,
        'source' as layer,
        count(*)::decimal(38, 2) as measured_value
    from source_orders
    union all
    select
        'order amount' as measure,
        'source' as layer,
        coalesce(sum(amount), 0) as measured_value
    from source_orders
    union all
    select
        'items' as measure,
        'source' as layer,
        coalesce(sum(json_array_length(line_items)), 0) as measured_value
    from source_orders
    union all
    select
        'quantity' as measure,
        'source' as layer,
        coalesce(sum(list_sum(list_transform(
            from_json(line_items, '["json"]'), lambda item: (item ->> 'quantity')::integer
        ))), 0) as measured_value
    from source_orders
    union all
    select
        'item amount' as measure,
        'source' as layer,
        coalesce(sum(list_sum(list_transform(
            from_json(line_items, '["json"]'),
            lambda item: (item ->> 'quantity')::integer * (item ->> 'unit_price')::decimal(12, 2)
        ))), 0) as measured_value
    from source_orders

    union all
    select
        'orders' as measure,
        'fct_orders' as layer,
        count(*) as measured_value
    from {{ ref('fct_orders') }}
    union all
    select
        'order amount' as measure,
        'fct_orders' as layer,
        coalesce(sum(order_amount), 0) as measured_value
    from {{ ref('fct_orders') }}
    union all
    select
        'items' as measure,
        'fct_orders' as layer,
        coalesce(sum(item_count), 0) as measured_value
    from {{ ref('fct_orders') }}
    union all
    select
        'quantity' as measure,
        'fct_orders' as layer,
        coalesce(sum(total_quantity), 0) as measured_value
    from {{ ref('fct_orders') }}

    union all
    select
        'items' as measure,
        'fct_order_items' as layer,
        count(*) as measured_value
    from {{ ref('fct_order_items') }}
    union all
    select
        'quantity' as measure,
        'fct_order_items' as layer,
        coalesce(sum(quantity), 0) as measured_value
    from {{ ref('fct_order_items') }}
    union all
    select
        'item amount' as measure,
        'fct_order_items' as layer,
        coalesce(sum(line_amount), 0) as measured_value
    from {{ ref('fct_order_items') }}

)

select
    m.measure,
    m.layer,
    s.measured_value as expected_value,
    m.measured_value as actual_value
from measures as m
inner join measures as s
    on
        m.measure = s.measure
        and s.layer = 'source'
where
    m.layer != 'source'
    and m.measured_value != s.measured_value
