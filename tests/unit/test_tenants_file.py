"""The tenants file (tenants.yaml): the bundled one, and its mistakes."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
import yaml

from sbdk.errors import SbdkError
from sbdk.multitenant.connectors import CATALOGUE_FILE, load_catalogue
from sbdk.multitenant.tenants import TENANTS_FILE, PaidAdsMock, load_tenants

TEMPLATE = Path(str(resources.files("sbdk") / "templates" / "multitenant" / "project"))
CATALOGUE = load_catalogue(TEMPLATE / CATALOGUE_FILE)


def test_the_bundled_tenants_load_with_their_domain_mocks():
    tenants = load_tenants(TEMPLATE / TENANTS_FILE, CATALOGUE)
    assert [(t.slug, len(t.sources)) for t in tenants.active] == [
        ("tyrell_corp", 8), ("wayne_enterprises", 6),
    ]  # fmt: skip
    assert isinstance(tenants.tenants[0].sources["google_ads"].mock, PaidAdsMock)


def broken(tmp_path: Path, change) -> Path:
    data = yaml.safe_load((TEMPLATE / TENANTS_FILE).read_text(encoding="utf-8"))
    change(data["tenants"])
    path = tmp_path / TENANTS_FILE
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t[0]["sources"].update(snapchat_ads={"mock": {}}),
         "tenants.0.sources.snapchat_ads: unknown connector"),
        (lambda t: t[1].update(slug="tyrell_corp"), "tenants.1.slug: tyrell_corp is also tenant 0"),
        (lambda t: t[0].update(slug="Tyrell-Corp"), "tenants.0.slug: String should match pattern"),
        (lambda t: t[0]["sources"]["google_ads"]["logic"].update(keywords={}),
         "tenants.0.sources.google_ads.logic.keywords: google_ads has no such object"),
        (lambda t: t[0]["sources"]["shopify"]["mock"].update(end_date="2025-01-01"),
         "tenants.0.sources.shopify.mock: end_date 2025-01-01 is before start_date"),
        (lambda t: t[0]["sources"]["bing_ads"]["mock"].update(campaigns=0),
         "tenants.0.sources.bing_ads.mock.campaigns: Input should be greater than or equal to 1"),
        (lambda t: t[1].update(status="archived"), "tenants.1.status"),
    ],
)  # fmt: skip
def test_a_mistake_is_one_line_naming_the_file_and_the_key(tmp_path, change, message):
    with pytest.raises(SbdkError) as raised:
        load_tenants(broken(tmp_path, change), CATALOGUE)
    text = str(raised.value)
    assert text.startswith(f"{TENANTS_FILE}: ") and "\n" not in text
    assert message in text, text
