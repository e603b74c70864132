-- $tenant's $object_name from $platform: its records of the master model $master_model,
-- typed back from raw_data_payload by extract_json, with the tenant's logic of tenants.yaml
-- ($logic_summary).
$depends_on

with extracted as (

    select
        tenant_skey,
        loaded_at,
$columns
    from {{ ref('$master_model') }}
    where
        tenant_slug = '$tenant'
        and source_platform = '$platform'

)

$select
from extracted$row_filter
