{#-
    Fails for every row whose column is outside [min_value, max_value]
    (or (min_value, max_value) with inclusive=false). Null values pass: use not_null for them.
    A local stand-in for dbt_utils.accepted_range, which is not installed offline.
    Selects only the tested column, so that a view's unrelated (costly) columns are not computed.
-#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error("accepted_range needs min_value, max_value or both") }}
{%- endif %}

select {{ column_name }}
from {{ model }}
where not (
    {%- if min_value is not none %}
    {{ column_name }} {{ '>=' if inclusive else '>' }} {{ min_value }}
    {%- endif %}
    {%- if min_value is not none and max_value is not none %} and {%- endif %}
    {%- if max_value is not none %}
    {{ column_name }} {{ '<=' if inclusive else '<' }} {{ max_value }}
    {%- endif %}
)

{% endtest %}
