{#- Google Ads API: money in micros, converted by the tenant's cost_micros_divisor. -#}
{% macro engine_google_ads(tenant, output) -%}
{%- set prefix = 'int_' ~ tenant ~ '_google_ads__' -%}
{%- if output == 'ad_performance' -%}
select {{ domain_select('ad_performance', {
    'source_platform': "'google_ads'",
    'report_date': 'segments_date',
    'campaign_id': 'campaign_id',
    'ad_group_id': 'ad_group_id',
    'ad_id': 'ad_group_ad_ad_id',
    'spend': 'metrics_cost_amount',
    'impressions': 'metrics_impressions',
    'clicks': 'metrics_clicks',
    'conversions': 'metrics_conversions',
}) }}
from {{ ref(prefix ~ 'ad_stats') }}
{%- elif output == 'campaigns' -%}
select {{ domain_select('campaigns', {
    'source_platform': "'google_ads'",
    'campaign_id': 'campaign_id',
    'campaign_name': 'campaign_name',
    'campaign_status': normalized_campaign_status('campaign_status'),
}) }}
from {{ ref(prefix ~ 'campaigns') }}
{%- else -%}{{ unknown_output('engine_google_ads', output) }}{%- endif -%}
{%- endmacro %}
