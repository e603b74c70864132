"""The connector catalogue (supported_connectors.yaml): the bundled one, and its mistakes."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from sbdk.errors import SbdkError
from sbdk.multitenant.connectors import CATALOGUE_FILE, Domain, load_catalogue
from sbdk.multitenant.contracts import CONTRACTS

BUNDLED = Path(
    str(resources.files("sbdk") / "templates" / "multitenant" / "project" / CATALOGUE_FILE)
)


def test_the_bundled_catalogue_has_every_connector_and_every_contract_once():
    catalogue = load_catalogue(BUNDLED)
    domains = {name: c.domain for name, c in catalogue.connectors.items()}
    assert domains == {
        **dict.fromkeys(
            ["facebook_ads", "instagram_ads", "google_ads", "bing_ads", "linkedin_ads",
             "amazon_ads", "tiktok_ads"], Domain.PAID_ADS,
        ),
        **dict.fromkeys(["shopify", "bigcommerce", "woocommerce"], Domain.ECOMMERCE),
        **dict.fromkeys(["google_analytics", "amplitude", "mixpanel"], Domain.PRODUCT_ANALYTICS),
    }  # fmt: skip
    used = {(c.api, c.version, o) for c in catalogue.connectors.values() for o in c.objects}
    assert used == set(CONTRACTS)
    meta = catalogue.connectors["facebook_ads"], catalogue.connectors["instagram_ads"]
    assert meta[0].master_model("ads") == meta[1].master_model("ads")  # the Meta API's, shared


def broken(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))
    change(data["connectors"])
    path = tmp_path / CATALOGUE_FILE
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["google_ads"]["objects"].update(keywords={"primary_key": ["id"]}),
         "connectors.google_ads: objects.keywords: no landing contract google_ads_api/v1/keywords"),
        (lambda c: c["shopify"]["objects"]["orders"].update(primary_key=["order_id"]),
         "objects.orders.primary_key: order_id not a column of shopify_api/v1/orders"),
        (lambda c: c.update({"Google-Ads": c.pop("google_ads")}),
         "connectors.Google-Ads.[key]: String should match pattern"),
        (lambda c: c["bing_ads"].update(version="2"), "connectors.bing_ads.version"),
        (lambda c: c["tiktok_ads"].update(master_model_id="tiktok"),
         "master_model_id must be tiktok_ads_api_v1"),
        (lambda c: c["mixpanel"].update(domain="crm"), "connectors.mixpanel.domain"),
        (lambda c: c["amplitude"].update(owner="me"), "connectors.amplitude.owner: Extra inputs"),
    ],
)  # fmt: skip
def test_a_mistake_is_one_line_naming_the_file_and_the_key(tmp_path, change, message):
    with pytest.raises(SbdkError) as raised:
        load_catalogue(broken(tmp_path, change))
    text = str(raised.value)
    assert text.startswith(f"{CATALOGUE_FILE}: ") and "\n" not in text
    assert message in text


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / CATALOGUE_FILE
    path.write_text("connectors:\n  shopify: [unclosed\n", encoding="utf-8")
    with pytest.raises(SbdkError, match=rf"^{CATALOGUE_FILE} line \d+: not valid YAML$"):
        load_catalogue(path)
