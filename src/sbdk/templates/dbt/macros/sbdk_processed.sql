{#-
    The body of a processed model: one batch of a stream's landed Parquet files (var 'files'),
    the latest version of each record, ready for delete+insert on `key`.

        {{ sbdk_processed_latest_versions(
            key='user_id',
            columns=["attributes::json ->> '$.name' as name", ...],
            versioned_by='updated_at',
        ) }}

    - key         the record's id, read from the landed column `id` (or the stream's
                  unique_key override) as a bigint; rows without one are dropped:
                  delete+insert cannot replace a row without a key, it would pile up.
    - columns     the model's own columns, as select expressions over the landed columns.
    - versioned_by  the landed timestamp column that orders a record's versions (the
                    stream's cursor_column overrides it in the ordering); none when versions
                    are ordered by extraction time alone (events).

    Every processed table ends with the same versioning and lineage columns: versioned_by
    (if any), _extracted_at, _batch_id, _source_file, _source_row_number and the Hive
    partition year / month / day.

    Latest version = greatest (versioned_by, _extracted_at, _source_file, _source_row_number).
    In incremental runs the rows already in the table for the batch's keys compete with the
    batch, so a late file carrying an older version never overwrites a newer one, and
    processing the files one by one, in any order, gives the same table as one full refresh.
-#}
{% macro sbdk_processed_latest_versions(key, columns, versioned_by=none) -%}
with batch as (

    select
        {{ sbdk_source_key() }}::bigint as {{ key }},
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        {%- if versioned_by is not none %}
        {{ versioned_by }}::timestamp as {{ versioned_by }},
        {%- endif %}
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
    where {{ sbdk_source_key() }} is not null

),

candidates as (

    select * from batch

    {% if is_incremental() -%}
    union all by name
    select * from {{ this }}
    where {{ key }} in (select {{ key }} from batch)
    {%- endif %}

)

select *
from candidates
qualify row_number() over (
    partition by {{ key }}
    order by
        {%- if versioned_by is not none %}
        {{ sbdk_version_column(versioned_by) }} desc nulls last,
        _extracted_at desc nulls last,
        {%- else %}
        {{ sbdk_version_column('_extracted_at') }} desc nulls last,
        {%- endif %}
        _source_file desc,
        _source_row_number desc
) = 1
{%- endmacro %}
