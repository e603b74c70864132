{#-
    The body of assert_<tenant>__isolated: every key of the tenant's analytics (ads and
    campaigns per ads source, orders per shop, users per analytics source) must be in that
    tenant's own raw tables, and every row must come from one of its sources. One row per
    key that is not: a record of another tenant that leaked into this one.
-#}
{% macro assert_tenant_isolated(tenant, ads, shops, analytics) -%}
{%- set platforms = (ads + shops + analytics) | map(attribute='platform') | list -%}
{%- set analytics_tables = {
    'ad_performance': ref('fct_' ~ tenant ~ '__ad_performance'),
    'campaigns': ref('dim_' ~ tenant ~ '__campaigns'),
    'orders': ref('fct_' ~ tenant ~ '__orders'),
    'sessions': ref('fct_' ~ tenant ~ '__sessions'),
} -%}
with leaked as (
    select
        cast(null as varchar) as analytics_table,
        cast(null as varchar) as source_platform,
        cast(null as varchar) as leaked_key
    where false
{%- for src in ads %}
    union all
    select 'ad_performance', source_platform, ad_id
    from {{ analytics_tables['ad_performance'] }}
    where source_platform = '{{ src.platform }}' and ad_id not in (
        select cast("{{ src.ad_key }}" as varchar)
        from {{ source(tenant ~ '_' ~ src.platform, src.report) }}
        where "{{ src.ad_key }}" is not null
    )
    union all
    select 'campaigns', source_platform, campaign_id
    from {{ analytics_tables['campaigns'] }}
    where source_platform = '{{ src.platform }}' and campaign_id not in (
        select cast("{{ src.campaign_key }}" as varchar)
        from {{ source(tenant ~ '_' ~ src.platform, src.campaigns) }}
        where "{{ src.campaign_key }}" is not null
    )
{%- endfor %}
{%- for src in shops %}
    union all
    select 'orders', source_platform, order_id
    from {{ analytics_tables['orders'] }}
    where source_platform = '{{ src.platform }}' and order_id not in (
        select cast("{{ src.order_key }}" as varchar)
        from {{ source(tenant ~ '_' ~ src.platform, src.orders) }}
        where "{{ src.order_key }}" is not null
    )
{%- endfor %}
{%- for src in analytics %}
    union all
    select 'sessions', source_platform, user_pseudo_id
    from {{ analytics_tables['sessions'] }}
    where source_platform = '{{ src.platform }}' and user_pseudo_id not in (
        select cast("{{ src.user_key }}" as varchar)
        from {{ source(tenant ~ '_' ~ src.platform, src.events) }}
        where "{{ src.user_key }}" is not null
    )
{%- endfor %}
{%- for name, relation in analytics_tables.items() %}
    union all
    select '{{ name }}', source_platform, 'a row from a source the tenant does not have'
    from {{ relation }}
    where source_platform not in ({% for p in platforms %}'{{ p }}'{{ ", " if not loop.last }}{% endfor %}{{ "''" if not platforms }})
{%- endfor %}
)

select * from leaked
{%- endmacro %}
