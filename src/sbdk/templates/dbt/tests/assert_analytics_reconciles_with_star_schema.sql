-- The analytics layer adds attributes, never rows or amounts:
--   analytics_orders           = fct_orders:       orders, amount, items, quantity
--   analytics_order_items      = fct_order_items:  items, quantity, amount
--   analytics_customer_summary = dim_customers:    customers, orders, spent
--   analytics_customer_summary = fct_order_items of the valid orders of those customers:
--                                items, quantity, amount
-- Returns one row per measure that differs.
{{ config(meta={'dagster': {'ref': {'name': 'analytics_orders'}}}) }}

with customer_items as (

    select items.*
    from {{ ref('fct_order_items') }} as items
    inner join {{ ref('fct_orders') }} as orders
        on items.order_id = orders.order_id
    where
        orders.data_quality_flag = 'valid'
        and items.customer_id in (
            select customers.customer_id from {{ ref('dim_customers') }} as customers
        )

),

measures as (

    select
        'analytics_orders' as layer,
        'orders' as measure,
        'fct_orders' as reference,
        (select count(*) from {{ ref('fct_orders') }})::decimal(38, 2) as expected_value,
        (select count(*) from {{ ref('analytics_orders') }})::decimal(38, 2) as actual_value
    union all
    select
        'analytics_orders' as layer,
        'amount' as measure,
        'fct_orders' as reference,
        (select coalesce(sum(order_amount), 0) from {{ ref('fct_orders') }}) as expected_value,
        (select coalesce(sum(order_amount), 0) from {{ ref('analytics_orders') }}) as actual_value
    union all
    select
        'analytics_orders' as layer,
        'items' as measure,
        'fct_orders' as reference,
        (select coalesce(sum(item_count), 0) from {{ ref('fct_orders') }}) as expected_value,
        (select coalesce(sum(item_count), 0) from {{ ref('analytics_orders') }}) as actual_value
    union all
    select
        'analytics_orders' as layer,
        'quantity' as measure,
        'fct_orders' as reference,
        (select coalesce(sum(total_quantity), 0) from {{ ref('fct_orders') }}) as expected_value,
        (select coalesce(sum(total_quantity), 0) from {{ ref('analytics_orders') }}) as actual_value

    union all
    select
        'analytics_order_items' as layer,
        'items' as measure,
        'fct_order_items' as reference,
        (select count(*) from {{ ref('fct_order_items') }}) as expected_value,
        (select count(*) from {{ ref('analytics_order_items') }}) as actual_value
    union all
    select
        'analytics_order_items' as layer,
        'quantity' as measure,
        'fct_order_items' as reference,
        (select coalesce(sum(quantity), 0) from {{ ref('fct_order_items') }}) as expected_value,
        (select coalesce(sum(quantity), 0) from {{ ref('analytics_order_items') }}) as actual_value
    union all
    select
        'analytics_order_items' as layer,
        'amount' as measure,
        'fct_order_items' as reference,
        (select coalesce(sum(line_amount), 0) from {{ ref('fct_order_items') }}) as expected_value,
        (
            select coalesce(sum(line_amount), 0) from {{ ref('analytics_order_items') }}
        ) as actual_value

    union all
    select
        'analytics_customer_summary' as layer,
        'customers' as measure,
        'dim_customers' as reference,
        (select count(*) from {{ ref('dim_customers') }}) as expected_value,
        (select count(*) from {{ ref('analytics_customer_summary') }}) as actual_value
    union all
    select
        'analytics_customer_summary' as layer,
        'orders' as measure,
        'dim_customers' as reference,
        (select coalesce(sum(total_orders), 0) from {{ ref('dim_customers') }}) as expected_value,
        (
            select coalesce(sum(total_orders), 0) from {{ ref('analytics_customer_summary') }}
        ) as actual_value
    union all
    select
        'analytics_customer_summary' as layer,
        'spent' as measure,
        'dim_customers' as reference,
        (select coalesce(sum(total_spent), 0) from {{ ref('dim_customers') }}) as expected_value,
        (
            select coalesce(sum(total_spent), 0) from {{ ref('analytics_customer_summary') }}
        ) as actual_value

    union all
    select
        'analytics_customer_summary' as layer,
        'items' as measure,
        'fct_order_items (valid orders)' as reference,
        (select count(*) from customer_items) as expected_value,
        (
            select coalesce(sum(total_items), 0) from {{ ref('analytics_customer_summary') }}
        ) as actual_value
    union all
    select
        'analytics_customer_summary' as layer,
        'quantity' as measure,
        'fct_order_items (valid orders)' as reference,
        (select coalesce(sum(quantity), 0) from customer_items) as expected_value,
        (
            select coalesce(sum(total_quantity), 0) from {{ ref('analytics_customer_summary') }}
        ) as actual_value
    union all
    select
        'analytics_customer_summary' as layer,
        'amount' as measure,
        'fct_order_items (valid orders)' as reference,
        (select coalesce(sum(line_amount), 0) from customer_items) as expected_value,
        (
            select coalesce(sum(items_amount), 0) from {{ ref('analytics_customer_summary') }}
        ) as actual_value

)

select *
from measures
where expected_value != actual_value
