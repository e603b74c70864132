"""The connector catalogue (supported_connectors.yaml), validated against the landing
contracts: a mistake in it is one line naming the file and the key."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from sbdk.errors import SbdkError
from sbdk.multitenant.contracts import CONTRACTS, contract_id
from sbdk.multitenant.contracts.base import LandingContract
from sbdk.multitenant.yaml_files import first_error, read_yaml

CATALOGUE_FILE = "supported_connectors.yaml"
# Connector and object names become parts of SQL identifiers (raw tables, model names).
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=63)]


class Domain(StrEnum):
    PAID_ADS = "paid_ads"
    ECOMMERCE = "ecommerce"
    PRODUCT_ANALYTICS = "product_analytics"


class ConnectorObject(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    primary_key: list[Identifier] = Field(min_length=1)


class Connector(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    domain: Domain
    api: Identifier
    version: Annotated[str, StringConstraints(pattern=r"^v[1-9][0-9]*$")]
    master_model_id: Identifier
    objects: dict[Identifier, ConnectorObject] = Field(min_length=1)

    @model_validator(mode="after")
    def _matches_the_contracts(self) -> Connector:
        if self.master_model_id != f"{self.api}_{self.version}":
            raise ValueError(
                f"master_model_id must be {self.api}_{self.version} (api_version), "
                f"not {self.master_model_id}"
            )
        for name, spec in self.objects.items():
            key = (self.api, self.version, name)
            contract = CONTRACTS.get(key)
            if contract is None:
                known = sorted(o for a, v, o in CONTRACTS if (a, v) == (self.api, self.version))
                raise ValueError(
                    f"objects.{name}: no landing contract {contract_id(key)}"
                    f" (known: {', '.join(known) or 'none for this api and version'})"
                )
            unknown = [column for column in spec.primary_key if column not in contract.columns()]
            if unknown:
                raise ValueError(
                    f"objects.{name}.primary_key: {', '.join(unknown)} not a column of "
                    f"{contract_id(key)}"
                )
        return self

    def master_model(self, object_name: str) -> str:
        return f"platform_mm__{self.master_model_id}_{object_name}"

    def contract(self, object_name: str) -> type[LandingContract]:
        return CONTRACTS[(self.api, self.version, object_name)]


class Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    connectors: dict[Identifier, Connector] = Field(min_length=1)


def load_catalogue(path: Path) -> Catalogue:
    """The catalogue in `path`, or SbdkError with one line naming the file and the key."""
    data = read_yaml(path)
    try:
        return Catalogue.model_validate(data)
    except ValidationError as error:
        raise SbdkError(f"{path.name}: {first_error(error)}") from None
