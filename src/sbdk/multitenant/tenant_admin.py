"""`sbdk tenant add`: a new tenant appended to tenants.yaml (the file's comments and layout
kept), checked with the rest of the file, then onboarded. A mistake changes nothing."""

from __future__ import annotations

import re
from datetime import date

import yaml

from sbdk import project_lock
from sbdk.config import Settings
from sbdk.errors import SbdkError
from sbdk.multitenant.connectors import Domain
from sbdk.multitenant.onboarding import OnboardResult, onboard, require_multitenant
from sbdk.multitenant.platform import load_platform
from sbdk.multitenant.tenants import TENANTS_FILE, TenantStatus

# A new source's mock volumes, per domain (tenants.yaml can change them afterwards).
DEFAULT_VOLUMES = {
    Domain.PAID_ADS: {"campaigns": 3},
    Domain.ECOMMERCE: {"customers": 500, "orders": 1500},
    Domain.PRODUCT_ANALYTICS: {"sessions": 5000},
}
DEFAULT_WINDOW = (date(2026, 1, 1), date(2026, 3, 31))


def add_tenant(
    settings: Settings, slug: str, sources: list[str], display_name: str | None = None
) -> OnboardResult:
    require_multitenant(settings, "tenant add")
    with project_lock.exclusive(settings.state_dir):
        platform = load_platform(settings.root)
        existing = {tenant.slug: tenant for tenant in platform.tenants.tenants}
        if slug in existing:
            tenant = existing[slug]
            if tenant.status == TenantStatus.PAUSED:
                raise SbdkError(
                    f"tenant {slug} is paused: set its status to active in {TENANTS_FILE} "
                    "to build it again"
                )
            raise SbdkError(f"{slug} is already a tenant in {TENANTS_FILE}")
        repeated = sorted({s for s in sources if sources.count(s) > 1})
        if repeated:
            raise SbdkError(f"--source {repeated[0]} is given more than once")
        unknown = [s for s in sources if s not in platform.catalogue.connectors]
        if unknown:
            known = ", ".join(sorted(platform.catalogue.connectors))
            raise SbdkError(f"unknown connector {unknown[0]} (known: {known})")
        start, end = _window(platform)
        entry = {
            "slug": slug,
            "display_name": display_name or slug.replace("_", " ").title(),
            "status": TenantStatus.ACTIVE.value,
            "sources": {
                name: {"mock": {"start_date": start, "end_date": end,
                                **DEFAULT_VOLUMES[platform.catalogue.connectors[name].domain]}}
                for name in sources
            },
        }  # fmt: skip
        path = settings.root / TENANTS_FILE
        original = path.read_text(encoding="utf-8")
        path.write_text(_appended(original, entry), encoding="utf-8")
        try:
            load_platform(settings.root)  # the whole file, as the next run reads it
        except SbdkError:
            path.write_text(original, encoding="utf-8")
            raise
        return onboard(settings)


def _appended(text: str, entry: dict) -> str:
    """`text` with `entry` appended to its tenants list, indented like the list's items, so
    that the file's comments and layout stay as they are."""
    items = re.findall(r"^( *)- +slug *:", text, flags=re.MULTILINE)
    indent = min(items, key=len) if items else "  "
    block = yaml.safe_dump([entry], sort_keys=False, default_flow_style=None, width=100)
    return text.rstrip("\n") + "\n" + "".join(f"{indent}{line}\n" for line in block.splitlines())


def _window(platform) -> tuple[date, date]:
    windows = [
        (source.mock.start_date, source.mock.end_date)
        for tenant in platform.tenants.tenants
        for source in tenant.sources.values()
    ]
    if not windows:
        return DEFAULT_WINDOW
    return min(w[0] for w in windows), max(w[1] for w in windows)
