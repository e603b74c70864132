-- Every order adds up to its items: the line amounts of fct_order_items sum to the order
-- amount, and fct_orders' item_count and total_quantity agree with them. An order without
-- items fails too. Returns one row per order that disagrees.
{{ config(meta={'dagster': {'ref': {'name': 'fct_order_items'}}}) }}

with items as (

    select
        order_id,
        count(*) as item_count,
        sum(quantity) as total_quantity,
        sum(line_amount) as items_amount
    from {{ ref('fct_order_items') }}
    group by order_id

)

select
    orders.order_id,
    orders.order_amount,
    items.items_amount,
    orders.item_count,
    items.item_count as counted_items,
    orders.total_quantity,
    items.total_quantity as counted_quantity
from {{ ref('fct_orders') }} as orders
left join items
    on orders.order_id = items.order_id
where
    items.order_id is null
    or items.items_amount != orders.order_amount
    or items.item_count != orders.item_count
    or items.total_quantity != orders.total_quantity
