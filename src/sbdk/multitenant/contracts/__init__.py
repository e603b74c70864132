"""Every published landing contract, by (api, version, object)."""

from __future__ import annotations

from sbdk.multitenant.contracts import ecommerce, paid_ads, product_analytics
from sbdk.multitenant.contracts.base import LandingContract

ContractKey = tuple[str, str, str]  # api, version, object


def _declared(*modules) -> dict[ContractKey, type[LandingContract]]:
    contracts: dict[ContractKey, type[LandingContract]] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, LandingContract):
                if value is LandingContract:
                    continue
                key = (value.api, value.version, value.object_name)
                if key in contracts:
                    raise TypeError(f"two landing contracts for {'/'.join(key)}")
                contracts[key] = value
    return contracts


CONTRACTS = _declared(paid_ads, ecommerce, product_analytics)


def contract_id(key: ContractKey) -> str:
    """`api/version/object`, as published.json and error messages name a contract."""
    return "/".join(key)
