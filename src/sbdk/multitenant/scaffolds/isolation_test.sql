-- Tenant isolation for $tenant: every ad, campaign, order and user in its analytics comes
-- from its own raw tables. A record of another tenant that leaked into its rows of a master
-- model fails this test, one row per leaked key.
{{ assert_tenant_isolated(
    tenant='$tenant',
    ads=$ads,
    shops=$shops,
    analytics=$analytics
) }}
