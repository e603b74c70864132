{#-
    A typed field of a master model's payload: extract_json('metrics_clicks', 'BIGINT').
    JSON fields stay JSON (a JSON null becomes SQL null); others are cast from their text.
-#}
{% macro extract_json(field, data_type, payload='raw_data_payload') -%}
{%- set path = "'$.\"" ~ field ~ "\"'" -%}
{%- if data_type | upper == 'JSON' -%}
nullif(json_extract({{ payload }}, {{ path }}), 'null')
{%- else -%}
cast(json_extract_string({{ payload }}, {{ path }}) as {{ data_type }})
{%- endif -%}
{%- endmacro %}
