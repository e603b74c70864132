with current_configs as (

    select
        tenant_slug,
        config_version,
        config
    from {{ ref('sat_tenant_config_history') }}
    where is_current

)

select
    current_configs.tenant_slug,
    current_configs.config_version,
    json_extract_string(current_configs.config, '$.status') as tenant_status,
    sources.source_platform,
    json_extract(current_configs.config, '$.sources."' || sources.source_platform || '".mock')
        as mock,
    json_extract(current_configs.config, '$.sources."' || sources.source_platform || '".logic')
        as logic
from current_configs
cross join unnest(json_keys(current_configs.config, '$.sources')) as sources (source_platform)
