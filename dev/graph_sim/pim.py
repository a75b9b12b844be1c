"""`GET /roleManagement/directory/roleAssignmentScheduleInstances` (learn.microsoft.com/graph/api/
rbacapplication-list-roleassignmentscheduleinstances; resources/unifiedroleassignmentscheduleinstance): the
active role assignments. In a typical tenant every assignment is permanent (`Assigned`, no end); with the
planted PIM rollout the highly privileged roles are activated for the working day (`Activated`) and only
the emergency access account holds Global Administrator permanently."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from dev.graph_sim import directory
from dev.graph_sim.errors import graph_error
from dev.graph_sim.odata import Clause, QueryError
from dev.graph_sim.wire import Clock
from dev.tenant import Tenant
from shared.snapshot.roles import GLOBAL_ADMINISTRATOR, HIGHLY_PRIVILEGED_ROLES

JsonObject = dict[str, Any]


def not_licensed() -> web.Response:
    """What PIM's APIs answer a tenant without Entra ID P2 (the simulator's non-premium tenants)."""
    return graph_error(400, "AadPremiumLicenseRequired", "The tenant needs an AAD Premium 2 license.")


def _instance(assignment: JsonObject, *, start: str, end: str | None, kind: str) -> JsonObject:
    """`assignment`: the roleAssignment it is the active instance of."""
    assignment_id = assignment["id"]
    return {
        "id": assignment_id,
        "principalId": assignment["principalId"],
        "roleDefinitionId": assignment["roleDefinitionId"],
        "directoryScopeId": "/",
        "appScopeId": None,
        "startDateTime": start,
        "endDateTime": end,
        "assignmentType": kind,
        "memberType": "Direct",
        "roleAssignmentOriginId": assignment_id,
        "roleAssignmentScheduleId": assignment_id,
    }


def role_assignment_schedule_instances(tenant: Tenant, context: str) -> JsonObject:
    clock = Clock(tenant.spec.as_of)
    planted = tenant.policies
    assignments = directory.role_assignments(tenant, [], False, "")["value"]
    if planted.break_glass:
        emergency = {"id": "bg-assignment-1", "principalId": planted.break_glass}
        assignments.append(emergency | {"roleDefinitionId": GLOBAL_ADMINISTRATOR})
    items = []
    for a in assignments:
        just_in_time = planted.privileged_roles_just_in_time and a["principalId"] != planted.break_glass
        if just_in_time and a["roleDefinitionId"] in HIGHLY_PRIVILEGED_ROLES:  # activated 08:00–16:00
            start, end = clock.instant(0, 8 * 3600), clock.instant(0, 16 * 3600)
            items.append(_instance(a, start=start, end=end, kind="Activated"))
        else:
            items.append(_instance(a, start=clock.instant(700), end=None, kind="Assigned"))
    return {"@odata.context": context, "value": items}


# The policy assigned to every directory role (learn.microsoft.com/graph/api/
# policyroot-list-rolemanagementpolicyassignments, example 2): ids as Graph forms them.
POLICY_ID = "DirectoryRole_8f1d6c3e-5b7a-4e2f-9c1d-2a3b4c5d6e7f_70c808b5-0d35-4863-a0ba-07888e99d448"


def _approval_rule(required: bool) -> JsonObject:
    """resources/unifiedrolemanagementpolicyapprovalrule: approval to activate (end user, assignment)."""
    stage = {"approvalStageTimeOutInDays": 1, "isApproverJustificationRequired": True, "primaryApprovers": []}
    return {
        "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
        "id": "Approval_EndUser_Assignment",
        "target": {"caller": "EndUser", "operations": ["All"], "level": "Assignment"},
        "setting": {
            "isApprovalRequired": required,
            "isApprovalRequiredForExtension": False,
            "isRequestorJustificationRequired": True,
            "approvalMode": "SingleStage",
            "approvalStages": [stage] if required else [],
        },
    }


def role_management_policy_assignments(tenant: Tenant, clauses: list[Clause], context: str) -> JsonObject:
    """Graph requires `scopeId eq '/'` and a scopeType for directory roles; `roleDefinitionId eq` narrows."""
    wanted = {c.prop: c.value for c in clauses if c.op == "eq"}
    if wanted.get("scopeId") != "/" or wanted.get("scopeType") not in ("Directory", "DirectoryRole"):
        raise QueryError("The filter must name scopeId eq '/' and scopeType eq 'DirectoryRole'.")
    roles = [wanted["roleDefinitionId"]] if "roleDefinitionId" in wanted else sorted(HIGHLY_PRIVILEGED_ROLES)
    approval = tenant.policies.global_admin_approval
    items = [
        {
            "id": f"{POLICY_ID}_{role}",
            "policyId": POLICY_ID,
            "scopeId": "/",
            "scopeType": "DirectoryRole",
            "roleDefinitionId": role,
            "policy": {
                "id": POLICY_ID,
                "displayName": "DirectoryRole",
                "isOrganizationDefault": False,
                "scopeId": "/",
                "scopeType": "DirectoryRole",
                "rules": [_approval_rule(approval and role == GLOBAL_ADMINISTRATOR)],
            },
        }
        for role in roles
    ]
    return {"@odata.context": context, "value": items}
