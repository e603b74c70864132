-- Contract parity for $tenant: the output of each engine it uses has exactly the columns
-- and types of its domain contract. One row per column that differs.
{{ assert_engines_match_domain_contracts(
    tenant='$tenant',
    outputs=$outputs
) }}
