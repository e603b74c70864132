{#- The combination of `columns` is unique: one row per duplicated combination. -#}
{% test sbdk_unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
