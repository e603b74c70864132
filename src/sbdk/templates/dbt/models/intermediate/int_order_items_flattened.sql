-- One row per line item: each order's JSON array of items (stg_orders.line_items) unnested.
-- DuckDB's unnest(...) with ordinality plays the part of Snowflake's LATERAL FLATTEN; the
-- ordinality is the item's position in the array, its line number.
{{ config(materialized='view') }}

with orders as (

    select
        order_id,
        user_id,
        product_category,
        created_at,
        order_date,
        from_json(
            line_items,
            '[{"product_id": "VARCHAR", "product_name": "VARCHAR", "quantity": "INTEGER", "unit_price": "DECIMAL(12,2)"}]'
        ) as items
    from {{ ref('stg_orders') }}

)

select
    orders.order_id,
    line.line_number::integer as line_number,
    orders.user_id as customer_id,
    line.item.product_id as product_id,
    line.item.product_name as product_name,
    orders.product_category,
    line.item.quantity as quantity,
    line.item.unit_price as unit_price,
    (line.item.quantity * line.item.unit_price)::decimal(12, 2) as line_amount,
    orders.created_at as ordered_at,
    orders.order_date
from orders,
    unnest(orders.items) with ordinality as line(item, line_number)
