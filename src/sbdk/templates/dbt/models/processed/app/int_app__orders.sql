{#-
    Processed orders (delete+insert processing of new landed files): the landed Parquet files of stream app/orders given in
    var('files'), deduplicated to the latest version of each order (its status moves
    placed -> paid -> refunded), typed, and upserted (delete+insert on order_id) into
    processed.int_app__orders.

    Columns follow the raw contract (raw.raw_orders: amount as decimal(12,2), line_items as
    the landed JSON text) plus status, updated_at and version/lineage metadata.

    Latest version = greatest (updated_at, _extracted_at, _source_file, _source_row_number).
    In incremental runs the rows already in the table for the batch's orders compete with
    the batch, so a late file carrying an OLDER version never overwrites a newer one, and
    processing the files one by one, in any order, gives the same table as one full refresh.

    `sbdk run --incremental --full-refresh` builds the table aside, as
    int_app__orders__refresh (var sbdk_processed_suffix, set by sbdk), from every landed file,
    and swaps it in only once complete: staging never reads a half-rebuilt table.
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

with batch as (

    select
        -- identifiers
        {{ sbdk_source_key() }}::bigint as order_id,
        user_id::bigint as user_id,
        event_id::bigint as event_id,

        -- typed measures and attributes (raw contract names)
        cast(amount as decimal(12, 2)) as amount,
        product_category::varchar as product_category,
        payment_method::varchar as payment_method,
        created_at::timestamp as created_at,
        status::varchar as status,
        line_items::varchar as line_items,

        -- versioning and lineage
        updated_at::timestamp as updated_at,
        _extracted_at::timestamp as _extracted_at,
        _batch_id::varchar as _batch_id,
        filename::varchar as _source_file,
        file_row_number::bigint as _source_row_number,
        year::integer as year,
        month::integer as month,
        day::integer as day

    from read_parquet(
        {{ sbdk_files() }},
        filename = true,
        hive_partitioning = true,
        union_by_name = true,
        file_row_number = true
    )
    -- delete+insert cannot replace a row without a key: it would pile up on every reprocessing
    where {{ sbdk_source_key() }} is not null

),

candidates as (

    select * from batch

    {% if is_incremental() %}
    -- versions already processed for the orders of this batch compete with the batch
    union all by name
    select * from {{ this }}
    where order_id in (select order_id from batch)
    {% endif %}

)

select *
from candidates
qualify row_number() over (
    partition by order_id
    order by
        {{ sbdk_version_column('updated_at') }} desc nulls last,
        _extracted_at desc nulls last,
        _source_file desc,
        _source_row_number desc
) = 1
