-- The order line fact of the star schema: one row per item of an order, keyed by a
-- surrogate key (md5 of order_id and line number, as dbt_utils.generate_surrogate_key
-- would build it, without the package, which is not installed offline).

select
    md5(order_id::varchar || '-' || line_number::varchar) as order_item_id,
    order_id,
    line_number,
    customer_id,
    product_id,
    product_name,
    product_category,
    quantity,
    unit_price,
    line_amount,
    ordered_at,
    order_date
from {{ ref('int_order_items_flattened') }}
