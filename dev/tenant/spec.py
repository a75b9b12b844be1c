"""What a synthetic tenant looks like: every knob the tests and the simulator turn."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import BaseModel, ConfigDict, Field


def _today() -> date:
    return datetime.now(UTC).date()


class TenantSpec(BaseModel):
    """Deterministic from (seed, accounts) plus these explicit choices.

    `as_of` is the tenant's "today": every date is an offset from it, so a tenant generated on another
    day has the same shape. Tests pin it; the demo uses the real date so inactivity reads naturally.
    """

    model_config = ConfigDict(frozen=True)

    seed: int = 1
    accounts: int = Field(default=2000, ge=1, le=100_000)
    as_of: date = Field(default_factory=_today)
    tenant_id: str = "8f1d6c3e-5b7a-4e2f-9c1d-2a3b4c5d6e7f"
    domain: str = "northwind.example"
    premium: bool = True  # holds Entra ID P1 (signInActivity, CA, registration details available)
    global_admins: int = Field(default=4, ge=0, le=50)  # SCuBA MS.AAD.7.1 wants 2..8
    other_admins: int | None = Field(default=None, ge=0)  # None: about 0.3% of accounts, at least 6
    guest_ratio: float = Field(default=0.08, ge=0, le=0.9)
    synced_ratio: float = Field(default=0.4, ge=0, le=1)  # hybrid tenant: share synced from on-premises
    legacy_auth_blocked: bool = True
    mfa_required_for_all: bool = False
    hardened_policies: bool = False  # dev.tenant.policies: HARDENED instead of TYPICAL
    # The "Block high-risk sign-ins" Conditional Access policy every tenant has is enabled (False: disabled,
    # so no policy uses risk and the right-sizing E5 rule runs).
    sign_in_risk_blocked: bool = True
    rightsizing_plants: bool = False  # dev.tenant.rightsizing: planted mail-only and web-only users
    second_run: bool = False  # the same tenant as a later run sees it (dev.tenant.rightsizing changes)
    copilot: bool = True  # some suite holders also hold Microsoft 365 Copilot (False: nobody does)
    copilot_trial: bool = True  # Copilot's seats are a trial (False: a paid subscription)
