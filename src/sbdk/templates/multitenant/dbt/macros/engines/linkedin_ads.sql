{#-
    LinkedIn Marketing API: its campaign groups are the domain's campaigns, its campaigns the
    ad groups and its creatives the ads. The report names the LinkedIn campaign; its group
    comes from the campaigns object (an URN, urn:li:sponsoredCampaignGroup:<id>).
-#}
{% macro engine_linkedin_ads(tenant, output) -%}
{%- set prefix = 'int_' ~ tenant ~ '_linkedin_ads__' -%}
{%- if output == 'ad_performance' -%}
select {{ domain_select('ad_performance', {
    'source_platform': "'linkedin_ads'",
    'report_date': 'report.day',
    'campaign_id': "split_part(campaigns.campaign_group, ':', 4)",
    'ad_group_id': 'report.campaign_id',
    'ad_id': 'report.creative_id',
    'spend': 'report.cost_in_local_currency',
    'impressions': 'report.impressions',
    'clicks': 'report.clicks',
    'conversions': 'report.external_website_conversions',
}) }}
from {{ ref(prefix ~ 'ad_analytics_by_creative') }} as report
left join {{ ref(prefix ~ 'campaigns') }} as campaigns on campaigns.id = report.campaign_id
{%- elif output == 'campaigns' -%}
select {{ domain_select('campaigns', {
    'source_platform': "'linkedin_ads'",
    'campaign_id': 'id',
    'campaign_name': 'name',
    'campaign_status': normalized_campaign_status('status'),
}) }}
from {{ ref(prefix ~ 'campaign_groups') }}
{%- else -%}{{ unknown_output('engine_linkedin_ads', output) }}{%- endif -%}
{%- endmacro %}
