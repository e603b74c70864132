{#-
    The reference date ("today") for day counts such as days_since_last_activity and
    customer_age_days, as a SQL expression of type DATE.

    - var('as_of_date') set (a 'YYYY-MM-DD' string or a YAML date): that date.
    - otherwise: the date of the latest event in stg_events, so that the same data
      always gives the same marts, whatever day dbt runs.
-#}
{% macro as_of_date() -%}
    {%- set as_of = var('as_of_date', none) -%}
    {%- if as_of is not none and (as_of | string | trim) != '' -%}
        cast('{{ as_of | string | trim }}' as date)
    {%- else -%}
        (select max(event_date) from {{ ref('stg_events') }})
    {%- endif -%}
{%- endmacro %}
