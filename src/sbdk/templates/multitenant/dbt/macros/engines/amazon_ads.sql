{#- Amazon Ads, Sponsored Products: the advertised product report (14-day attribution). -#}
{% macro engine_amazon_ads(tenant, output) -%}
{%- set prefix = 'int_' ~ tenant ~ '_amazon_ads__sponsored_products_' -%}
{%- if output == 'ad_performance' -%}
select {{ domain_select('ad_performance', {
    'source_platform': "'amazon_ads'",
    'report_date': '"date"',
    'campaign_id': 'campaign_id',
    'ad_group_id': 'ad_group_id',
    'ad_id': 'ad_id',
    'spend': 'cost',
    'impressions': 'impressions',
    'clicks': 'clicks',
    'conversions': 'purchases14d',
}) }}
from {{ ref(prefix ~ 'advertised_product_report') }}
{%- elif output == 'campaigns' -%}
select {{ domain_select('campaigns', {
    'source_platform': "'amazon_ads'",
    'campaign_id': 'campaign_id',
    'campaign_name': 'name',
    'campaign_status': normalized_campaign_status('state'),
}) }}
from {{ ref(prefix ~ 'campaigns') }}
{%- else -%}{{ unknown_output('engine_amazon_ads', output) }}{%- endif -%}
{%- endmacro %}
