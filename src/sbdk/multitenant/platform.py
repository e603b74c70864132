"""A multi-tenant project's platform: its connector catalogue and its tenants, loaded and
checked together, and the source tables they land (one per active tenant x enabled source x
object of the connector)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sbdk.multitenant.connectors import CATALOGUE_FILE, Catalogue, Connector, Domain, load_catalogue
from sbdk.multitenant.contracts.base import LandingContract
from sbdk.multitenant.tenants import TENANTS_FILE, Tenant, Tenants, load_tenants

RAW_SCHEMA = "raw"


@dataclass(frozen=True)
class SourceTable:
    """One object of one tenant's source, as its connector lands it."""

    tenant: str
    platform: str  # the connector's name: facebook_ads, shopify, ...
    object_name: str
    connector: Connector = field(compare=False, repr=False)

    @property
    def name(self) -> str:
        """The landed table in schema raw: `{tenant}_{platform}__{object}`."""
        return f"{self.tenant}_{self.platform}__{self.object_name}"

    @property
    def contract(self) -> type[LandingContract]:
        return self.connector.contract(self.object_name)

    @property
    def master_model(self) -> str:
        return self.connector.master_model(self.object_name)

    @property
    def primary_key(self) -> list[str]:
        return self.connector.objects[self.object_name].primary_key

    @property
    def domain(self) -> Domain:
        return self.connector.domain


@dataclass(frozen=True)
class Platform:
    catalogue: Catalogue
    tenants: Tenants

    @property
    def active_tenants(self) -> list[Tenant]:
        return self.tenants.active

    def source_tables(self, tenant: Tenant | None = None) -> list[SourceTable]:
        """The landed tables of `tenant` (default: of every active tenant)."""
        chosen = [tenant] if tenant is not None else self.active_tenants
        return [
            SourceTable(t.slug, platform, object_name, self.catalogue.connectors[platform])
            for t in chosen
            for platform in t.sources
            for object_name in self.catalogue.connectors[platform].objects
        ]

    def platforms_of(self, tenant: Tenant, domain: Domain) -> list[str]:
        """The tenant's sources in `domain`, in the order tenants.yaml lists them."""
        return [p for p in tenant.sources if self.catalogue.connectors[p].domain == domain]


def load_platform(root: Path) -> Platform:
    """The catalogue and tenants files of the project at `root`, validated (SbdkError)."""
    catalogue = load_catalogue(root / CATALOGUE_FILE)
    return Platform(catalogue, load_tenants(root / TENANTS_FILE, catalogue))
