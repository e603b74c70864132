{#-
    Money in marts and analytics is DECIMAL. An amount per unit (an average, a revenue per
    order) is DECIMAL(18,2), rounded half up to the cent in integer arithmetic: DuckDB's avg()
    and division of DECIMAL amounts are DOUBLE, which BI tools show as 57.370000000000005 and
    engines (or DuckDB versions) round differently at a tie; this is exact everywhere. Null
    when `count` is 0.
-#}
{% macro sbdk_money_per(amount, count) -%}
cast(
    cast(
        (cast(({{ amount }}) * 100 as hugeint) * 2 + ({{ count }}))
        // nullif(2 * ({{ count }}), 0)
        as decimal(18, 0)
    ) * 0.01
    as decimal(18, 2)
)
{%- endmacro %}

{#-
    A rate, share, percentage or average of counts: numerator / denominator (times `scale`,
    100 for a percentage) as DOUBLE, rounded half up to `digits` decimals (2 for *_pct and
    averages of counts, 4 for rates between 0 and 1) in integer arithmetic, so that it reads
    as a number, not float noise, and is the same on every engine: a DOUBLE rounded by round()
    goes either way at a tie (6.725), depending on the DuckDB version. Both operands must be
    whole numbers (counts, or amounts times 100). Null when the denominator is 0.
-#}
{% macro sbdk_ratio(numerator, denominator, digits=2, scale=1) -%}
{%- set factor = scale * (10 ** digits) -%}
cast(
    cast(
        (cast(({{ numerator }}) * {{ factor }} as hugeint) * 2 + cast({{ denominator }} as hugeint))
        // nullif(2 * cast({{ denominator }} as hugeint), 0)
        as decimal(38, 0)
    ) / {{ 10 ** digits }}
    as double
)
{%- endmacro %}
