{#-
    Product analytics engines: events grouped into sessions. A session converts when one of
    its events is a conversion event of the tenant's logic (is_conversion_event, from the
    intermediate view); its revenue is that of its conversion events.
-#}

{#- GA4: a session is a user's ga_session_id; timestamps are microseconds. -#}
{% macro engine_google_analytics(tenant, output) -%}
{%- if output == 'sessions' -%}
select {{ domain_select('sessions', {
    'source_platform': "'google_analytics'",
    'session_id': "user_pseudo_id || '-' || ga_session_id",
    'user_pseudo_id': 'user_pseudo_id',
    'session_start_ts': 'make_timestamp(min(event_timestamp))',
    'session_end_ts': 'make_timestamp(max(event_timestamp))',
    'traffic_source': 'min(traffic_source_source)',
    'traffic_medium': 'min(traffic_source_medium)',
    'traffic_campaign': 'min(traffic_source_name)',
    'is_conversion_session': 'bool_or(is_conversion_event)',
    'session_revenue': 'coalesce(sum(ecommerce_purchase_revenue) filter (where is_conversion_event), 0)',
}) }}
from {{ ref('int_' ~ tenant ~ '_google_analytics__events') }}
group by user_pseudo_id, ga_session_id
{%- else -%}{{ unknown_output('engine_google_analytics', output) }}{%- endif -%}
{%- endmacro %}

{#- Amplitude: a session is a device's session_id (its start, in epoch milliseconds). -#}
{% macro engine_amplitude(tenant, output) -%}
{%- if output == 'sessions' -%}
select {{ domain_select('sessions', {
    'source_platform': "'amplitude'",
    'session_id': "device_id || '-' || session_id",
    'user_pseudo_id': 'device_id',
    'session_start_ts': 'min(event_time)',
    'session_end_ts': 'max(event_time)',
    'traffic_source': "min(json_extract_string(user_properties, '$.utm_source'))",
    'traffic_medium': "min(json_extract_string(user_properties, '$.utm_medium'))",
    'traffic_campaign': "min(json_extract_string(user_properties, '$.utm_campaign'))",
    'is_conversion_session': 'bool_or(is_conversion_event)',
    'session_revenue': 'coalesce(sum(revenue) filter (where is_conversion_event), 0)',
}) }}
from {{ ref('int_' ~ tenant ~ '_amplitude__events') }}
group by device_id, session_id
{%- else -%}{{ unknown_output('engine_amplitude', output) }}{%- endif -%}
{%- endmacro %}

{#- Mixpanel: everything but the event, user and time is in properties (session_id too). -#}
{% macro engine_mixpanel(tenant, output) -%}
{%- if output == 'sessions' -%}
select {{ domain_select('sessions', {
    'source_platform': "'mixpanel'",
    'session_id': "json_extract_string(properties, '$.session_id')",
    'user_pseudo_id': 'min(distinct_id)',
    'session_start_ts': 'make_timestamp(min("time") * 1000000)',
    'session_end_ts': 'make_timestamp(max("time") * 1000000)',
    'traffic_source': "min(json_extract_string(properties, '$.utm_source'))",
    'traffic_medium': "min(json_extract_string(properties, '$.utm_medium'))",
    'traffic_campaign': "min(json_extract_string(properties, '$.utm_campaign'))",
    'is_conversion_session': 'bool_or(is_conversion_event)',
    'session_revenue': "coalesce(sum(cast(json_extract_string(properties, '$.revenue') as double)) filter (where is_conversion_event), 0)",
}) }}
from {{ ref('int_' ~ tenant ~ '_mixpanel__events') }}
group by json_extract_string(properties, '$.session_id')
{%- else -%}{{ unknown_output('engine_mixpanel', output) }}{%- endif -%}
{%- endmacro %}
