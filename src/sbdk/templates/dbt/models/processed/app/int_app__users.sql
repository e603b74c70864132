{#-
    Processed users (delete+insert processing of new landed files): the landed Parquet files
    of stream app/users given in var('files'), deduplicated to the latest version of each
    user, JSON flattened, typed, and upserted (delete+insert on user_id) into
    processed.int_app__users.

    Columns follow the raw contract (raw.raw_users), so staging reads this table unchanged
    in incremental mode (see macros/sbdk_mode.sql), plus version and lineage metadata.

    The batch read, the lineage columns and the choice of each record's latest version
    (against the rows already in the table, too) are the same for every stream:
    macros/sbdk_processed.sql. `sbdk run --incremental --full-refresh` builds the table
    aside, as int_app__users__refresh (var sbdk_processed_suffix, set by sbdk), and swaps it in
    only once complete.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='user_id',
    tags=['processed', 'app__users'],
    schema='processed',
    alias='int_app__users' ~ var('sbdk_processed_suffix', ''),
    enabled=(var('sbdk_mode', 'full') == 'incremental'),
) }}

{{ sbdk_processed_latest_versions(
    key='user_id',
    columns=[
        "attributes::json ->> '$.name' as name",
        "attributes::json ->> '$.email' as email",
        'created_at::timestamp as created_at',
        "attributes::json ->> '$.country' as country",
        "attributes::json ->> '$.referrer' as referrer",
    ],
    versioned_by='updated_at',
) }}
