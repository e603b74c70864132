{#- Shopify Admin API orders: financial_status as the shop reports it. -#}
{% macro engine_shopify(tenant, output) -%}
{%- if output == 'orders' -%}
select {{ domain_select('orders', {
    'source_platform': "'shopify'",
    'order_id': 'id',
    'order_date': 'cast(created_at as date)',
    'total_price': 'total_price',
    'currency': 'currency',
    'financial_status': 'lower(financial_status)',
    'customer_email': 'lower(email)',
    'customer_id': 'customer_id',
    'line_items_json': 'line_items',
}) }}
from {{ ref('int_' ~ tenant ~ '_shopify__orders') }}
{%- else -%}{{ unknown_output('engine_shopify', output) }}{%- endif -%}
{%- endmacro %}

{#- BigCommerce orders: the total includes tax; the email is in the billing address. -#}
{% macro engine_bigcommerce(tenant, output) -%}
{%- if output == 'orders' -%}
select {{ domain_select('orders', {
    'source_platform': "'bigcommerce'",
    'order_id': 'id',
    'order_date': 'cast(date_created as date)',
    'total_price': 'total_inc_tax',
    'currency': 'currency_code',
    'financial_status': "case status
        when 'Completed' then 'paid' when 'Shipped' then 'paid'
        when 'Refunded' then 'refunded' when 'Partially Refunded' then 'partially_refunded'
        when 'Awaiting Payment' then 'pending' when 'Pending' then 'pending'
        else lower(status) end",
    'customer_email': "lower(json_extract_string(billing_address, '$.email'))",
    'customer_id': 'customer_id',
    'line_items_json': 'products',
}) }}
from {{ ref('int_' ~ tenant ~ '_bigcommerce__orders') }}
{%- else -%}{{ unknown_output('engine_bigcommerce', output) }}{%- endif -%}
{%- endmacro %}

{#- WooCommerce orders: a completed order with refunds was partially refunded. -#}
{% macro engine_woocommerce(tenant, output) -%}
{%- if output == 'orders' -%}
select {{ domain_select('orders', {
    'source_platform': "'woocommerce'",
    'order_id': 'id',
    'order_date': 'cast(date_created_gmt as date)',
    'total_price': 'total',
    'currency': 'currency',
    'financial_status': "case
        when status = 'completed' and coalesce(json_array_length(refunds), 0) > 0
            then 'partially_refunded'
        when status in ('completed', 'processing') then 'paid'
        when status in ('pending', 'on-hold') then 'pending'
        else lower(status) end",
    'customer_email': "lower(json_extract_string(billing, '$.email'))",
    'customer_id': 'customer_id',
    'line_items_json': 'line_items',
}) }}
from {{ ref('int_' ~ tenant ~ '_woocommerce__orders') }}
{%- else -%}{{ unknown_output('engine_woocommerce', output) }}{%- endif -%}
{%- endmacro %}
