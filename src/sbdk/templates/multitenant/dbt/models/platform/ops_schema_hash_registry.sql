with seen as (

    select
        source_schema_hash,
        count(distinct source_table) as landed_tables_seen,
        max(last_seen_at) as last_seen_at
    from {{ source('registry', 'source_schema_history') }}
    group by source_schema_hash

)

select
    blueprints.source_schema_hash,
    blueprints.contract_id,
    blueprints.api,
    blueprints.api_version,
    blueprints.object_name,
    blueprints.master_model,
    blueprints.registered_at,
    coalesce(seen.landed_tables_seen, 0) as landed_tables_seen,
    seen.last_seen_at
from {{ source('registry', 'connector_blueprints') }} as blueprints
left join seen on blueprints.source_schema_hash = seen.source_schema_hash
