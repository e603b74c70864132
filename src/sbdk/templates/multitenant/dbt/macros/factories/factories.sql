{#-
    The factories: each builds one table of a tenant's star schema from whatever sources the
    tenant has in its domain (the list onboarding writes into the analytics shell).
-#}
{% macro build_fct_ad_performance(tenant, sources) -%}
{{ union_engines('ad_performance', tenant, sources) }}
{%- endmacro %}

{% macro build_dim_campaigns(tenant, sources) -%}
{{ union_engines('campaigns', tenant, sources) }}
{%- endmacro %}

{% macro build_fct_orders(tenant, sources) -%}
{{ union_engines('orders', tenant, sources) }}
{%- endmacro %}

{% macro build_fct_sessions(tenant, sources) -%}
{{ union_engines('sessions', tenant, sources) }}
{%- endmacro %}

{#- Campaign statuses of every platform as active, paused or removed. -#}
{% macro normalized_campaign_status(column) -%}
case upper({{ column }})
    when 'ACTIVE' then 'active' when 'ENABLED' then 'active' when 'ENABLE' then 'active'
    when 'PAUSED' then 'paused' when 'DISABLE' then 'paused'
    when 'REMOVED' then 'removed' when 'ARCHIVED' then 'removed' when 'DELETED' then 'removed'
    else lower({{ column }})
end
{%- endmacro %}
