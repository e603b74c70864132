{#-
    The customer dimension of the star schema: one row per valid user, with their attributes
    and purchase history (valid orders).

    Full mode regenerates every table on each run, so this is a plain table. In incremental
    mode (var sbdk_mode) it is an incremental model merged on customer_id: a build refreshes
    only the customers whose user row or orders were extracted after the last build, i.e.
    whose processed rows carry an _extracted_at later than the greatest source_extracted_at
    already in the table (the watermark). Every refreshed row is recomputed from all of the
    customer's data, so a merge gives the same row as a rebuild.
-#}
{%- set incremental_mode = var('sbdk_mode', 'full') == 'incremental' -%}
{{ config(
    materialized=('incremental' if incremental_mode else 'table'),
    incremental_strategy='merge',
    unique_key='customer_id',
    on_schema_change='fail',
) }}

with

{% if incremental_mode %}
-- When each customer's data was last extracted at the source, from the processed tables:
-- the current version of their user row and of each of their orders.
extractions as (

    select
        user_id as customer_id,
        _extracted_at
    from {{ sbdk_source('users') }}

    union all

    select
        user_id,
        _extracted_at
    from {{ sbdk_source('orders') }}

),

latest_extractions as (

    select
        customer_id,
        max(_extracted_at) as source_extracted_at
    from extractions
    group by customer_id

),
{% endif %}

{% if is_incremental() %}
changed_customers as (

    select customer_id
    from latest_extractions
    where source_extracted_at > (
        -- '-infinity' when the table is empty: then every customer is new
        select coalesce(max(built.source_extracted_at), '-infinity'::timestamp)
        from {{ this }} as built
    )

),
{% endif %}

customers as (

    select valid_users.*
    from {{ ref('stg_users') }} as valid_users
    {% if is_incremental() %}
    inner join changed_customers as changed on valid_users.user_id = changed.customer_id
    {% endif %}
    where valid_users.data_quality_flag = 'valid'

),

purchase_history as (

    select * from {{ ref('int_customer_purchase_history') }}

)

select
    customers.user_id as customer_id,
    customers.name,
    customers.email,
    customers.country_code,
    customers.referrer_source,
    customers.created_at as signed_up_at,
    customers.signup_date,

    -- Purchase history (valid orders)
    coalesce(purchase_history.total_orders, 0)::bigint as total_orders,
    coalesce(purchase_history.total_spent, 0)::decimal(18, 2) as total_spent,
    purchase_history.first_order_date,
    purchase_history.last_order_date,

    -- Watermark of the incremental merge (incremental mode only)
    {% if incremental_mode -%}
    latest_extractions.source_extracted_at,
    {%- else -%}
    null::timestamp as source_extracted_at,
    {%- endif %}

    current_timestamp as dbt_updated_at

from customers
left join purchase_history
    on customers.user_id = purchase_history.customer_id
{% if incremental_mode -%}
left join latest_extractions
    on customers.user_id = latest_extractions.customer_id
{%- endif %}
