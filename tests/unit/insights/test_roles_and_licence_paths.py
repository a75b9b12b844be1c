"""Privileged roles by Microsoft's own label, roles held through role-assignable groups, and how each
reclaimable licence reached its holder (issue 11, item 8 and the licence assignment path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dev.graph_sim import directory
from dev.tenant import Tenant, TenantSpec
from shared.insights.engine import ComputedRun, ComputeSettings
from shared.insights.models import AssuranceSummary, Family
from shared.insights.utilisation import PriceInfo
from shared.snapshot import Dataset
from shared.snapshot import records as r
from shared.snapshot.roles import (
    BUILT_IN_ROLES,
    GLOBAL_ADMINISTRATOR,
    HIGHLY_PRIVILEGED_ROLES,
    MICROSOFT_PRIVILEGED,
    PRIVILEGED_ROLES,
    ROLE_NAMES,
)
from tests.unit.insights.test_formulas import E3, E5, PBI_PRO, run, sign_in, sku, user

HELPDESK = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
REPORTS_READER = "4a5d8f65-41da-4de4-8968-e035b65339cf"
GROUP = "9d0c1f4e-0000-4000-a000-0000000000aa"
GBP = "GBP"


def rows(result: ComputedRun, report: str) -> list[dict[str, Any]]:
    return list(result.lists[report]())


def checks(result: ComputedRun) -> dict[str, Any]:
    assurance = result.payloads[Family.ASSURANCE]
    assert isinstance(assurance, AssuranceSummary)
    return {c.id: c for c in assurance.checks}


# --- Microsoft's designation --------------------------------------------------------------------------


def test_privileged_roles_are_microsofts_labelled_roles() -> None:
    assert len(BUILT_IN_ROLES) == len(ROLE_NAMES) == 123  # unique template ids
    assert len(MICROSOFT_PRIVILEGED) == 29
    named = {ROLE_NAMES[role] for role in MICROSOFT_PRIVILEGED}
    # The roles the issue found missing from the old hand-kept list of 10.
    assert {
        "Privileged Authentication Administrator",
        "Conditional Access Administrator",
        "Authentication Administrator",
        "Intune Administrator",
        "Helpdesk Administrator",
    } <= named
    assert "Reports Reader" not in named and "License Administrator" not in named
    # Collected: Microsoft's label plus CISA's highly privileged set (Exchange / SharePoint Administrator).
    assert set(PRIVILEGED_ROLES) == MICROSOFT_PRIVILEGED | set(HIGHLY_PRIVILEGED_ROLES)
    assert len(PRIVILEGED_ROLES) == 31


def test_every_role_the_simulator_serves_is_classified() -> None:
    tenant = Tenant(TenantSpec(accounts=2000))
    served = {item["roleDefinitionId"] for item in directory.role_assignments(tenant, [], False, "")["value"]}
    assert served <= set(ROLE_NAMES)
    assert REPORTS_READER in served and REPORTS_READER not in PRIVILEGED_ROLES  # served, never collected


# --- roles through role-assignable groups --------------------------------------------------------------


def _group_roles(tmp_path: Path) -> ComputedRun:
    def member(name: str, via: bool = True, role: str = HELPDESK) -> r.RoleAssignment:
        return r.RoleAssignment(
            id=f"ra-{name}-{role[:4]}",
            role_definition_id=role,
            principal_id=f"id-{name}",
            principal_type="user",
            via_group_id=GROUP if via else None,
            via_group_name="Helpdesk team" if via else None,
        )

    group_row = r.RoleAssignment(
        id="ra-group",
        role_definition_id=HELPDESK,
        principal_id=GROUP,
        principal_type="group",
        principal_display_name="Helpdesk team",
    )
    return run(
        tmp_path,
        {
            Dataset.USERS: [user("ann", (E3,)), user("bob", (E3,)), user("cat", (E3,)), user("dan")],
            Dataset.SIGN_IN_ACTIVITY: [sign_in(n, successful=1) for n in ("ann", "bob", "cat", "dan")],
            Dataset.REGISTRATION_DETAILS: [
                r.RegistrationDetail(id=f"id-{n}", is_mfa_registered=False)
                for n in ("ann", "bob", "cat", "dan")
            ],
            Dataset.ROLE_ASSIGNMENTS: [
                group_row,
                member("ann"),
                member("bob"),
                member("bob", via=False),  # Bob also holds it directly
                member("cat", via=False, role=GLOBAL_ADMINISTRATOR),
                member("dan", role=REPORTS_READER),  # not privileged: not an administrator
            ],
        },
    )


def test_members_of_a_role_assignable_group_are_role_holders_and_say_which_group(tmp_path: Path) -> None:
    result = _group_roles(tmp_path)
    evidence = checks(result)["admins-without-mfa"].evidence
    assert evidence == {"admins": 3, "admins_without_mfa": 3}  # Ann, Bob, Cat; not Dan
    found = {
        row["user_principal_name"]: row["detail"]
        for row in rows(result, "assurance-findings")
        if row["check_id"] == "admins-without-mfa"
    }
    assert found == {
        "ann@t.example": "no MFA method registered; roles: Helpdesk Administrator (via group Helpdesk team)",
        "bob@t.example": "no MFA method registered; roles: "
        "Helpdesk Administrator (directly and via group Helpdesk team)",
        "cat@t.example": "no MFA method registered; roles: Global Administrator",
    }


# --- licence assignment path ---------------------------------------------------------------------------


def _licensed(name: str, *paths: tuple[str, str | None]) -> r.User:
    """A disabled account holding each SKU of `paths` by (sku id, group id or None for direct)."""
    base = user(name, *{(sku_id,) for sku_id, _ in paths}, enabled=False)
    states = [r.LicenseAssignmentState(sku_id=s, assigned_by_group=g, state="Active") for s, g in paths]
    return base.model_copy(update={"license_assignment_states": states})


def test_reclaimable_licences_say_how_each_licence_was_assigned_and_what_to_do(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        {
            Dataset.USERS: [
                _licensed("direct", (E3, None)),
                _licensed("inherited", (E3, GROUP)),
                _licensed("both", (E3, None), (E3, GROUP)),
                # A failed group assignment holds nothing: the licence is direct.
                _licensed("failed", (E3, None)).model_copy(
                    update={
                        "license_assignment_states": [
                            r.LicenseAssignmentState(sku_id=E3, state="Active"),
                            r.LicenseAssignmentState(
                                sku_id=E3, assigned_by_group=GROUP, state="Error", error="CountViolation"
                            ),
                        ]
                    }
                ),
            ],
            Dataset.GROUPS: [r.Group(id=GROUP, display_name="Licensing - Microsoft 365 E3")],
            Dataset.SUBSCRIBED_SKUS: [sku(E3, "SPE_E3", enabled=4, consumed=4)],
        },
        ComputeSettings(prices={E3: PriceInfo(GBP, 30.0)}),
    )
    found = {
        row["user_principal_name"]: (row["assignment"], row["group_ids"], row["group_names"], row["action"])
        for row in rows(result, "reclaimable-licences")
    }
    assert found == {
        "direct@t.example": ("direct", None, None, "Remove the licence: the account is disabled"),
        "failed@t.example": ("direct", None, None, "Remove the licence: the account is disabled"),
        "inherited@t.example": (
            "group",
            GROUP,
            "Licensing - Microsoft 365 E3",
            "Remove the account from group Licensing - Microsoft 365 E3 (the licence is inherited from it): "
            "the account is disabled",
        ),
        "both@t.example": (
            "direct and group",
            GROUP,
            "Licensing - Microsoft 365 E3",
            "Unassign the direct licence and remove the account from group Licensing - Microsoft 365 E3: "
            "the account is disabled",
        ),
    }


def test_an_inherited_redundant_or_inactive_licence_names_its_group(tmp_path: Path) -> None:
    active = _licensed("pro", (E5, None), (PBI_PRO, GROUP)).model_copy(update={"account_enabled": True})
    idle = _licensed("idle", (E3, GROUP)).model_copy(update={"account_enabled": True})
    result = run(
        tmp_path,
        {
            Dataset.USERS: [active, idle],
            Dataset.SIGN_IN_ACTIVITY: [sign_in("pro", successful=1), sign_in("idle", successful=200)],
            Dataset.SUBSCRIBED_SKUS: [
                sku(E5, "SPE_E5", enabled=1, consumed=1),
                sku(PBI_PRO, "POWER_BI_PRO", enabled=1, consumed=1),
                sku(E3, "SPE_E3", enabled=1, consumed=1),
            ],
        },
    )
    actions = {
        (row["user_principal_name"], row["reason"]): row["action"]
        for row in rows(result, "reclaimable-licences")
    }
    # Without the groups dataset the group is named by its id.
    assert actions[("pro@t.example", "redundant")] == (
        f"Remove the account from group {GROUP} (the licence is inherited from it): "
        "Microsoft 365 E5 already includes it"
    )
    assert actions[("idle@t.example", "inactive")] == (
        "Confirm with the person or their manager, then remove the account from group "
        f"{GROUP} (the licence is inherited from it)"
    )
