"""Password expiry of the tenant's verified domains (checks/domains.py)."""

from __future__ import annotations

import pytest

from dev.tenant.policies import HARDENED, TYPICAL
from shared.snapshot import records as r
from tests.unit.insights.checks_support import verdict
from tests.unit.insights.conftest import Build
from tests.unit.insights.policy_builder import policy_state
from tests.unit.insights.state_builder import EVERYTHING, tenant_state

NEVER = 2_147_483_647


def domain(name: str, days: int | None, verified: bool = True) -> r.Domain:
    return r.Domain(id=name, is_verified=verified, password_validity_period_in_days=days)


@pytest.mark.parametrize(
    ("domains", "status", "expiring", "unset"),
    [
        ((domain("a.example", NEVER), domain("b.example", NEVER)), "pass", "", ""),
        ((domain("a.example", NEVER), domain("b.example", 90)), "fail", "b.example", ""),
        ((domain("a.example", NEVER - 1),), "fail", "a.example", ""),  # long, but it still expires
        ((domain("a.example", 730), domain("b.example", None)), "fail", "a.example", "b.example"),
        ((domain("a.example", NEVER), domain("b.example", None)), "warn", "", "b.example"),
        ((domain("a.example", NEVER), domain("pending.example", 90, verified=False)), "pass", "", ""),
    ],
)
def test_passwords_never_expire(
    domains: tuple[r.Domain, ...], status: str, expiring: str, unset: str
) -> None:
    result = verdict("passwords-never-expire", policy_state(domains=domains)).result
    assert result.status == status
    verified = sum(d.is_verified for d in domains)
    assert result.evidence == {
        "verified_domains": verified,
        "domains_expiring_passwords": expiring,
        "domains_without_a_set_period": unset,
    }


@pytest.mark.parametrize("domains", [(), (domain("pending.example", 90, verified=False),)])
def test_without_a_verified_domain_the_check_cannot_judge(domains: tuple[r.Domain, ...]) -> None:
    result = verdict("passwords-never-expire", policy_state(domains=domains)).result
    assert (result.status, result.not_applicable) == ("not_applicable", "data_unreadable")


def test_domains_refused_is_permission_not_granted_never_a_pass() -> None:
    error = "403 Authorization_RequestDenied: Insufficient privileges to complete the operation."
    state = tenant_state(statuses={**EVERYTHING, "domains": "failed"}, errors={"domains": error})
    result = verdict("passwords-never-expire", state).result
    assert (result.status, result.not_applicable) == ("not_applicable", "permission_not_granted")
    assert "Domain.Read.All" in (result.reason or "")


@pytest.mark.parametrize("hardened", [False, True], ids=["typical", "hardened"])
def test_the_planted_domains_reach_their_verdict(build: Build, hardened: bool) -> None:
    published = {c.id: c for c in build(3, 300, hardened_policies=hardened).compute().assurance.checks}
    result = published["passwords-never-expire"]
    assert result.status == (HARDENED if hardened else TYPICAL).expected["passwords-never-expire"]
    assert result.evidence["verified_domains"] == 2  # the unverified one is not judged
