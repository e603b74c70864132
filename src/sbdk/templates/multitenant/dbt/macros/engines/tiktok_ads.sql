{#- TikTok Marketing API: the daily ad report. -#}
{% macro engine_tiktok_ads(tenant, output) -%}
{%- set prefix = 'int_' ~ tenant ~ '_tiktok_ads__' -%}
{%- if output == 'ad_performance' -%}
select {{ domain_select('ad_performance', {
    'source_platform': "'tiktok_ads'",
    'report_date': 'stat_time_day',
    'campaign_id': 'campaign_id',
    'ad_group_id': 'adgroup_id',
    'ad_id': 'ad_id',
    'spend': 'spend',
    'impressions': 'impressions',
    'clicks': 'clicks',
    'conversions': 'conversion',
}) }}
from {{ ref(prefix ~ 'ad_reports_daily') }}
{%- elif output == 'campaigns' -%}
select {{ domain_select('campaigns', {
    'source_platform': "'tiktok_ads'",
    'campaign_id': 'campaign_id',
    'campaign_name': 'campaign_name',
    'campaign_status': normalized_campaign_status('operation_status'),
}) }}
from {{ ref(prefix ~ 'campaigns') }}
{%- else -%}{{ unknown_output('engine_tiktok_ads', output) }}{%- endif -%}
{%- endmacro %}
