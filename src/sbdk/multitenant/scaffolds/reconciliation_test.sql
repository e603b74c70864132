-- $tenant's analytics reconcile with its raw tables: per source, the spend, impressions and
-- clicks of the ads reports, and the orders and revenue of the shops, computed straight
-- from the landed tables with the tenant's logic, equal those of its fct tables. Fails with
-- a row per measure that differs.
{{ assert_tenant_reconciles_with_raw(
    tenant='$tenant',
    ads=$ads,
    shops=$shops
) }}
