{#- Microsoft Advertising (bing_ads): the daily ad performance report. -#}
{% macro engine_bing_ads(tenant, output) -%}
{%- set prefix = 'int_' ~ tenant ~ '_bing_ads__' -%}
{%- if output == 'ad_performance' -%}
select {{ domain_select('ad_performance', {
    'source_platform': "'bing_ads'",
    'report_date': 'time_period',
    'campaign_id': 'campaign_id',
    'ad_group_id': 'ad_group_id',
    'ad_id': 'ad_id',
    'spend': 'spend',
    'impressions': 'impressions',
    'clicks': 'clicks',
    'conversions': 'conversions',
}) }}
from {{ ref(prefix ~ 'ad_performance_report_daily') }}
{%- elif output == 'campaigns' -%}
select {{ domain_select('campaigns', {
    'source_platform': "'bing_ads'",
    'campaign_id': 'id',
    'campaign_name': 'name',
    'campaign_status': normalized_campaign_status('status'),
}) }}
from {{ ref(prefix ~ 'campaigns') }}
{%- else -%}{{ unknown_output('engine_bing_ads', output) }}{%- endif -%}
{%- endmacro %}
