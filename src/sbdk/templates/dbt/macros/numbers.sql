{#-
    Money in marts and analytics is DECIMAL(18,2), rounded to the cent: DuckDB's avg() and
    division of DECIMAL amounts are DOUBLE, which BI tools show as 57.370000000000005 and
    engines round differently in the last digit.
-#}
{% macro sbdk_money(expression) -%}
cast(round({{ expression }}, 2) as decimal(18, 2))
{%- endmacro %}

{#-
    Rates, shares and percentages: DOUBLE rounded to `digits` decimals (2 for *_pct and
    averages of counts, 4 for rates between 0 and 1), so that they read as numbers, not float
    noise, and compare equal across engines.
-#}
{% macro sbdk_rounded(expression, digits=2) -%}
round({{ expression }}, {{ digits }})
{%- endmacro %}
