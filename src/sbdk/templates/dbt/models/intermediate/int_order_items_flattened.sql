-- One row per line item: each order's JSON array of items (stg_orders.line_items) unnested.
-- DuckDB's unnest() plays the part of Snowflake's LATERAL FLATTEN, and generate_subscripts()
-- beside it, unnesting in step, gives each item's position in the array: its line number.
-- Both sit in the select list: as a lateral join (unnest ... with ordinality) the same
-- flattening runs about four times slower.
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
            '[{"product_id": "VARCHAR", "product_name": "VARCHAR", "quantity": "INTEGER", "unit_price": "DECIMAL(12,2)"}]'  -- noqa: LT05
        ) as items
    from {{ ref('stg_orders') }}

),

lines as (

    select
        order_id,
        user_id,
        product_category,
        created_at,
        order_date,
        unnest(items) as item,
        generate_subscripts(items, 1) as line_number
    from orders

)

select
    lines.order_id,
    line_number::integer as line_number,
    lines.user_id as customer_id,
    item.product_id,
    item.product_name,
    lines.product_category,
    item.quantity,
    item.unit_price,
    (item.quantity * item.unit_price)::decimal(12, 2) as line_amount,
    lines.created_at as ordered_at,
    lines.order_date
from lines
