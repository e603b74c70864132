{#-
    A staging pusher's select: one row per landed record, with the tenant and platform it
    comes from, its tenant_skey, the fingerprint sbdk routed the table with, and every
    landed column packed into raw_data_payload (JSON), so that no column is ever dropped.
    Pushes nothing unless sbdk routed the table (var sbdk_routes).
-#}
{% macro push_to_master_hub(relation, tenant, platform, object_name, primary_key) -%}
{%- set source_table = tenant ~ '_' ~ platform ~ '__' ~ object_name -%}
{%- set fingerprint = var('sbdk_routes', {}).get(source_table) -%}
select
    '{{ tenant }}' as tenant_slug,
    '{{ platform }}' as source_platform,
    {{ tenant_skey(tenant, platform, object_name, primary_key, 'landed') }} as tenant_skey,
    '{{ fingerprint or "" }}' as source_schema_hash,
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as loaded_at,
    to_json(landed) as raw_data_payload
from {{ relation }} as landed
{%- if fingerprint is none %}
-- Not routed: quarantined by sbdk, or dbt runs without sbdk's routes. Nothing is pushed.
where false
{%- endif %}
{%- endmacro %}

{#- MD5 of tenant, platform, object and the record's primary key: unique across tenants. -#}
{% macro tenant_skey(tenant, platform, object_name, primary_key, alias) -%}
md5(concat_ws('|', '{{ tenant }}', '{{ platform }}', '{{ object_name }}'
    {%- for column in primary_key %}, coalesce(cast({{ alias }}."{{ column }}" as varchar), ''){% endfor %}))
{%- endmacro %}

{#-
    The pushers' post-hook: merge the pushed records into their master model on
    tenant_skey. A new record is inserted; a record whose payload or fingerprint changed is
    updated (loaded_at too); an unchanged one is left as it is, so re-runs of the same data
    change nothing and never duplicate a row.
-#}
{% macro sync_to_master_hub(master_model) -%}
merge into {{ ref(master_model) }} as master
using {{ this }} as staged
on master.tenant_skey = staged.tenant_skey
when matched and (
    cast(master.raw_data_payload as varchar) is distinct from cast(staged.raw_data_payload as varchar)
    or master.source_schema_hash is distinct from staged.source_schema_hash
) then update set
    source_schema_hash = staged.source_schema_hash,
    loaded_at = staged.loaded_at,
    raw_data_payload = staged.raw_data_payload
when not matched then insert (
    tenant_slug, source_platform, tenant_skey, source_schema_hash, loaded_at, raw_data_payload
) values (
    staged.tenant_slug, staged.source_platform, staged.tenant_skey, staged.source_schema_hash,
    staged.loaded_at, staged.raw_data_payload
)
{%- endmacro %}
