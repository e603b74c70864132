{#- Meta Marketing API (facebook_ads, instagram_ads): one engine, told apart by platform. -#}
{% macro meta_marketing_engine(tenant, platform, output) -%}
{%- set prefix = 'int_' ~ tenant ~ '_' ~ platform ~ '__' -%}
{%- if output == 'ad_performance' -%}
select {{ domain_select('ad_performance', {
    'source_platform': "'" ~ platform ~ "'",
    'report_date': 'date_start',
    'campaign_id': 'campaign_id',
    'ad_group_id': 'adset_id',
    'ad_id': 'ad_id',
    'spend': 'spend',
    'impressions': 'impressions',
    'clicks': 'clicks',
    'conversions': "coalesce(list_sum(list_transform(list_filter(
        from_json(actions, '[{\"action_type\": \"VARCHAR\", \"value\": \"VARCHAR\"}]'),
        lambda action: action.action_type = 'purchase'),
        lambda action: cast(action.value as double))), 0)",
}) }}
from {{ ref(prefix ~ 'ads_insights') }}
{%- elif output == 'campaigns' -%}
select {{ domain_select('campaigns', {
    'source_platform': "'" ~ platform ~ "'",
    'campaign_id': 'id',
    'campaign_name': 'name',
    'campaign_status': normalized_campaign_status('status'),
}) }}
from {{ ref(prefix ~ 'campaigns') }}
{%- else -%}{{ unknown_output('meta_marketing_engine', output) }}{%- endif -%}
{%- endmacro %}

{% macro engine_facebook_ads(tenant, output) -%}
{{ meta_marketing_engine(tenant, 'facebook_ads', output) }}
{%- endmacro %}

{% macro engine_instagram_ads(tenant, output) -%}
{{ meta_marketing_engine(tenant, 'instagram_ads', output) }}
{%- endmacro %}
