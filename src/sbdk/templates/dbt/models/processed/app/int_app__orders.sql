{#-
    Processed orders (delete+insert processing of new landed files): the landed Parquet
    files of stream app/orders given in var('files'), deduplicated to the latest version of
    each order (its status moves placed -> paid -> refunded), typed, and upserted
    (delete+insert on order_id) into processed.int_app__orders.

    Columns follow the raw contract (raw.raw_orders: amount as decimal(12,2), line_items as
    the landed JSON text) plus status, updated_at and version/lineage metadata.

    The batch read, the lineage columns and the choice of each record's latest version
    (against the rows already in the table, too) are the same for every stream:
    macros/sbdk_processed.sql. `sbdk run --incremental --full-refresh` builds the table
    aside, as int_app__orders__refresh (var sbdk_processed_suffix, set by sbdk), and swaps it in
    only once complete.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='order_id',
    tags=['processed', 'app__orders'],
    schema='processed',
    alias='int_app__orders' ~ var('sbdk_processed_suffix', ''),
    enabled=(var('sbdk_mode', 'full') == 'incremental'),
) }}

{{ sbdk_processed_latest_versions(
    key='order_id',
    columns=[
        'user_id::bigint as user_id',
        'event_id::bigint as event_id',
        'cast(amount as decimal(12, 2)) as amount',
        'product_category::varchar as product_category',
        'payment_method::varchar as payment_method',
        'created_at::timestamp as created_at',
        'status::varchar as status',
        'line_items::varchar as line_items',
    ],
    versioned_by='updated_at',
) }}
