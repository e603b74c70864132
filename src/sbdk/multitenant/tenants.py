"""The tenants file (tenants.yaml): who the platform's tenants are, which connectors each has
enabled, the mock data each source lands, and each tenant's business logic per object.
Validated against the connector catalogue; a mistake is one line naming the file and key."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializeAsAny,
    StringConstraints,
    ValidationError,
    model_validator,
)

from sbdk.errors import SbdkError
from sbdk.multitenant.connectors import Catalogue, Domain
from sbdk.multitenant.yaml_files import first_error, read_yaml

TENANTS_FILE = "tenants.yaml"
MAX_MOCK_DAYS = 3 * 366
# A slug names the tenant's tables and models (`fct_<slug>__orders`): a SQL identifier.
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]


class TenantStatus(StrEnum):
    ACTIVE = "active"  # built on every run
    PAUSED = "paused"  # kept in the master models, not built


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MockWindow(_Strict):
    start_date: date
    end_date: date

    @model_validator(mode="after")
    def _ordered(self):
        if self.end_date < self.start_date:
            raise ValueError(f"end_date {self.end_date} is before start_date {self.start_date}")
        if (self.end_date - self.start_date).days >= MAX_MOCK_DAYS:
            raise ValueError(f"the mock data spans more than {MAX_MOCK_DAYS} days")
        return self


class PaidAdsMock(MockWindow):
    campaigns: int = Field(3, ge=1, le=1000)
    ad_groups_per_campaign: int = Field(2, ge=1, le=100)
    ads_per_ad_group: int = Field(2, ge=1, le=100)


class EcommerceMock(MockWindow):
    customers: int = Field(500, ge=1, le=10_000_000)
    orders: int = Field(2000, ge=1, le=50_000_000)


class ProductAnalyticsMock(MockWindow):
    sessions: int = Field(5000, ge=1, le=100_000_000)


MOCK_MODELS: dict[Domain, type[MockWindow]] = {
    Domain.PAID_ADS: PaidAdsMock,
    Domain.ECOMMERCE: EcommerceMock,
    Domain.PRODUCT_ANALYTICS: ProductAnalyticsMock,
}


class ObjectLogic(_Strict):
    """A tenant's business logic for one object of one source."""

    conversion_events: list[str] = Field(default_factory=list)  # events that convert a session
    funnel_steps: list[str] = Field(default_factory=list)  # events of the funnel, in order
    cost_micros_divisor: int | None = Field(None, ge=1)  # cost_micros / this = the currency
    row_filter: str | None = None  # a SQL condition on the object's columns

    @model_validator(mode="after")
    def _one_condition(self):
        if self.row_filter is not None and (";" in self.row_filter or not self.row_filter.strip()):
            raise ValueError("row_filter must be one SQL condition, without ';'")
        return self


class TenantSource(_Strict):
    mock: SerializeAsAny[MockWindow]  # the domain's mock model, with its volumes
    logic: dict[str, ObjectLogic] = Field(default_factory=dict)


class Tenant(_Strict):
    slug: Slug
    display_name: str = Field(min_length=1)
    status: TenantStatus = TenantStatus.ACTIVE
    sources: dict[str, TenantSource] = Field(min_length=1)


class Tenants(_Strict):
    tenants: list[Tenant] = Field(min_length=1)

    @property
    def active(self) -> list[Tenant]:
        return [tenant for tenant in self.tenants if tenant.status == TenantStatus.ACTIVE]


def load_tenants(path: Path, catalogue: Catalogue) -> Tenants:
    """The tenants in `path`, checked against `catalogue`; SbdkError naming file and key."""
    data = read_yaml(path)
    try:
        return Tenants.model_validate(with_domain_mocks(data, catalogue))
    except (ValidationError, _Invalid) as error:
        message = first_error(error) if isinstance(error, ValidationError) else str(error)
        raise SbdkError(f"{path.name}: {message}") from None


class _Invalid(ValueError):
    """A mistake found before pydantic's own validation, already `key.path: message`."""


def with_domain_mocks(data: Any, catalogue: Catalogue) -> Any:
    """`data` with each source's mock validated by its connector's domain model, after the
    checks that need the catalogue: known connectors and objects, unique slugs."""
    if not isinstance(data, dict) or not isinstance(data.get("tenants"), list):
        return data  # pydantic names what is wrong with the shape
    seen: dict[str, int] = {}
    for number, tenant in enumerate(data["tenants"]):
        if not isinstance(tenant, dict):
            continue
        where = f"tenants.{number}"
        slug = tenant.get("slug")
        if isinstance(slug, str):
            if slug in seen:
                raise _Invalid(f"{where}.slug: {slug} is also tenant {seen[slug]}'s slug")
            seen[slug] = number
        sources = tenant.get("sources")
        if not isinstance(sources, dict):
            continue
        for name, source in sources.items():
            connector = catalogue.connectors.get(name)
            if connector is None:
                known = ", ".join(sorted(catalogue.connectors))
                raise _Invalid(f"{where}.sources.{name}: unknown connector (known: {known})")
            if not isinstance(source, dict):
                continue
            for object_name in source.get("logic") or {}:
                if object_name not in connector.objects:
                    raise _Invalid(
                        f"{where}.sources.{name}.logic.{object_name}: {name} has no such object "
                        f"(its objects: {', '.join(connector.objects)})"
                    )
            try:
                source["mock"] = MOCK_MODELS[connector.domain].model_validate(source.get("mock"))
            except ValidationError as error:
                key = f"{where}.sources.{name}.mock"
                detail = first_error(error)
                raise _Invalid(
                    f"{key}.{detail}" if error.errors()[0]["loc"] else f"{key}: {detail}"
                ) from None
    return data
