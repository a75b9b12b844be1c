"""Microsoft's constraints on this template, each with the source that states it.

Every constraint takes the whole `Deployment` (plus the repository around it) and returns the problems
it finds; `make scan` runs them all (`python -m constraints`), and infra/tests/test_constraints.py
proves each one fails on the template as it was before issue 19 was fixed and passes today.
"""

from __future__ import annotations

import ast
import base64
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from constraints.kql import query_problems
from constraints.template import UNKNOWN_TEXT, Deployment, Node, Ref

SAMPLE_KEY = base64.b64encode(bytes(range(32))).decode()
# Values for main.bicep's required parameters, as `azd up` would pass them.
SAMPLE_MAIN_PARAMETERS: dict[str, Any] = {
    "environmentName": "prod",
    "oidcIssuer": "https://tenant.ciamlogin.com/tenant/v2.0",
    "oidcAudience": "api://insight365",
    "spaOrigins": "https://app.insight365.example",
    "publicHostName": "api.insight365.example",
    "tlsCertificateVaultName": "kv-certificates",
    "tlsCertificateVaultResourceGroup": "rg-certificates",
    "tlsCertificateName": "api-insight365",
    "alertEmail": "ops@insight365.example",
    "deployerIpRanges": "203.0.113.7/32",
    "pageTokenKey": SAMPLE_KEY,
    "mfaKey": SAMPLE_KEY,
}
ALLOWED_LOCATIONS = "e56962a6-4747-49cd-b67b-bf8b01975c4c"
ALLOWED_RESOURCE_GROUP_LOCATIONS = "e765b5de-1225-4ba3-bd56-1ac6695af988"
# UK regions with availability zones (UK West has none), which zone-redundant Flex Consumption plans
# and GZRS storage require: https://learn.microsoft.com/azure/reliability/availability-zones-region-support
ZONAL_UK_REGIONS = frozenset({"uksouth"})
ROLE = {
    "blobDataOwner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
    "queueDataContributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
    "queueDataReader": "19e7f393-937e-4f77-808e-94535e297925",
    "queueMessageProcessor": "8a0f0c08-91a1-4084-bc3d-661d67233fed",
    "queueMessageSender": "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a",
    "tableDataContributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
}
# What each binding needs from the app's identity; any one alternative is enough.
# Host storage: https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity
# Queues: https://learn.microsoft.com/azure/azure-functions/functions-bindings-storage-queue#grant-permission-to-the-identity
BINDING_ROLES: dict[str, list[frozenset[str]]] = {
    "host storage (identity-based AzureWebJobsStorage)": [frozenset({ROLE["blobDataOwner"]})],
    "timer_trigger": [frozenset({ROLE["blobDataOwner"]})],
    "queue_trigger": [
        frozenset({ROLE["queueDataContributor"]}),
        frozenset({ROLE["queueDataReader"], ROLE["queueMessageProcessor"]}),
    ],
    "queue_output": [frozenset({ROLE["queueDataContributor"]}), frozenset({ROLE["queueMessageSender"]})],
    "application tables (shared/storage)": [frozenset({ROLE["tableDataContributor"]})],
}
_BINDING_DECORATOR = re.compile(r"@\w+\.(timer_trigger|queue_trigger|queue_output|blob_trigger)\(")


@dataclass(frozen=True)
class Constraint:
    id: str
    title: str
    source: str
    check: Callable[[Deployment, Path], list[str]]


def _site(deployment: Deployment) -> tuple[Node, dict[str, Any]]:
    (node,) = deployment.resources("Microsoft.Web/sites")
    return node, deployment.bodies(node)[0]


def app_settings(deployment: Deployment) -> dict[str, Any]:
    _, site = _site(deployment)
    return {item["name"]: item["value"] for item in site["properties"]["siteConfig"]["appSettings"]}


def created_secret_names(deployment: Deployment) -> set[str]:
    return {
        body["name"]
        for node in deployment.resources("Microsoft.KeyVault/vaults/secrets")
        for body in deployment.bodies(node)
        if isinstance(body.get("name"), str) and UNKNOWN_TEXT not in body["name"]
    }


def key_vault_reference(value: Any) -> str | None:
    """The secret name of an `@Microsoft.KeyVault(...;SecretName=x)` app setting, else None."""
    if not isinstance(value, str) or not value.startswith("@Microsoft.KeyVault("):
        return None
    match = re.search(r"SecretName=([^;)]*)", value)
    return match.group(1) if match else ""


def alert_rules(deployment: Deployment) -> list[dict[str, Any]]:
    return [
        body
        for node in deployment.resources("Microsoft.Insights/scheduledQueryRules")
        for body in deployment.bodies(node)
    ]


# --- the constraints ------------------------------------------------------------------------------


def flex_publish_reachable(deployment: Deployment, repository: Path) -> list[str]:
    _, site = _site(deployment)
    properties = site["properties"]
    if "functionAppConfig" not in properties:
        return []
    if properties.get("publicNetworkAccess") == "Disabled":
        return ["publicNetworkAccess is Disabled: `azd deploy` cannot post the package to SCM"]
    scm = properties.get("siteConfig", {})
    if scm.get("scmIpSecurityRestrictionsDefaultAction") == "Deny" and not any(
        rule.get("action") == "Allow" for rule in scm.get("scmIpSecurityRestrictions") or []
    ):
        return ["SCM denies every address, so no deployer can reach it"]
    return []


def alert_queries_type_check(deployment: Deployment, repository: Path) -> list[str]:
    problems = []
    for rule in alert_rules(deployment):
        for criterion in rule["properties"]["criteria"]["allOf"]:
            problems += [f"{rule['name']}: {problem}" for problem in query_problems(criterion["query"])]
    return problems


def alerts_skip_validation_on_new_workspace(deployment: Deployment, repository: Path) -> list[str]:
    problems = []
    for rule in alert_rules(deployment):
        properties = rule["properties"]
        on_new_workspace = any(
            isinstance(scope, Ref)
            and deployment.type_of(scope.node) == "Microsoft.OperationalInsights/workspaces"
            for scope in properties.get("scopes", [])
        )
        if on_new_workspace and properties.get("skipQueryValidation") is not True:
            problems.append(
                f"{rule['name']}: queries a workspace this deployment creates without skipQueryValidation"
            )
    return problems


def key_vault_references_created(deployment: Deployment, repository: Path) -> list[str]:
    created = created_secret_names(deployment)
    settings = app_settings(deployment)
    problems = [
        f"{name} references secret {secret!r}, which the template does not create"
        for name, value in settings.items()
        if (secret := key_vault_reference(value)) is not None and secret not in created
    ]
    mfa_ids = settings.get("INSIGHT365_MFA_KEY_IDS", _app_default("mfa_key_ids", repository))
    for key_id in (part.strip() for part in str(mfa_ids).split(",")):
        if key_id and key_id not in created:
            problems.append(
                f"MFA key {key_id!r} (INSIGHT365_MFA_KEY_IDS) is read at start-up but never created"
            )
    return problems


def one_resource_per_azd_service(deployment: Deployment, repository: Path) -> list[str]:
    tagged: Counter[str] = Counter()
    for node in deployment.resources():
        for body in deployment.bodies(node):
            tags = body.get("tags") if isinstance(body, dict) else None
            if isinstance(tags, dict) and isinstance(tags.get("azd-service-name"), str):
                tagged[tags["azd-service-name"]] += 1
    services = set(yaml.safe_load((repository / "azure.yaml").read_text()).get("services", {}))
    problems = [
        f"azd service {name!r} is tagged on {count} resources (azd needs exactly one)"
        for name, count in tagged.items()
        if count != 1
    ]
    problems += [f"azd service {name!r} has no tagged resource" for name in sorted(services - set(tagged))]
    problems += [f"tag {name!r} names no service in azure.yaml" for name in sorted(set(tagged) - services)]
    return problems


def location_policy_covers_resource_groups(deployment: Deployment, repository: Path) -> list[str]:
    lists: dict[str, list[Any]] = {}
    for node in deployment.resources("Microsoft.Authorization/policyAssignments"):
        properties = deployment.bodies(node)[0]["properties"]
        definition = str(properties.get("policyDefinitionId", ""))
        for policy in (ALLOWED_LOCATIONS, ALLOWED_RESOURCE_GROUP_LOCATIONS):
            if definition.endswith(policy):
                lists[policy] = properties["parameters"]["listOfAllowedLocations"]["value"]
    if ALLOWED_LOCATIONS in lists and lists.get(ALLOWED_RESOURCE_GROUP_LOCATIONS) != lists[ALLOWED_LOCATIONS]:
        return [
            '"Allowed locations" excludes resource groups: also assign "Allowed locations for resource '
            'groups" with the same list'
        ]
    return []


def identity_roles_cover_bindings(deployment: Deployment, repository: Path) -> list[str]:
    site, _ = _site(deployment)
    granted = {
        str(body["properties"]["roleDefinitionId"]).rsplit("/", 1)[-1]
        for node in deployment.resources("Microsoft.Authorization/roleAssignments")
        for body in deployment.bodies(node)
        if isinstance(body["properties"].get("principalId"), Ref)
        and body["properties"]["principalId"].node == site
    }
    used = {"host storage (identity-based AzureWebJobsStorage)", "application tables (shared/storage)"}
    for source in [repository / "function_app.py", *sorted((repository / "functions").glob("*.py"))]:
        used |= set(_BINDING_DECORATOR.findall(source.read_text()))
    return [
        f"{binding}: the app's identity needs one of {[sorted(option) for option in BINDING_ROLES[binding]]}"
        for binding in sorted(used & set(BINDING_ROLES))
        if not any(option <= granted for option in BINDING_ROLES[binding])
    ]


def providers_registered_first(deployment: Deployment, repository: Path) -> list[str]:
    hook = repository / "infra" / "hooks" / "preprovision.sh"
    if not hook.is_file():
        return ["no infra/hooks/preprovision.sh registers the resource providers on a fresh subscription"]
    match = re.search(r'^PROVIDERS="([^"]*)"', hook.read_text(), re.MULTILINE)
    registered = set(match.group(1).split()) if match else set()
    needed = {deployment.type_of(node).split("/")[0] for node in deployment.resources()}
    needed -= {"Microsoft.Resources", "Microsoft.Authorization"}  # always registered
    for node in deployment.resources("Microsoft.Network/virtualNetworks"):
        for subnet in deployment.bodies(node)[0]["properties"].get("subnets", []):
            for delegation in subnet.get("properties", {}).get("delegations", []):
                needed.add(str(delegation["properties"]["serviceName"]).split("/")[0])
    return [
        f"{namespace} is not registered by the preprovision hook" for namespace in sorted(needed - registered)
    ]


def primary_region_has_zones(deployment: Deployment, repository: Path) -> list[str]:
    location = deployment.instances["main"].template["parameters"]["location"]
    allowed: list[str] = next((d["argument"] for d in location["decorators"] if d["type"] == "allowed"), [])
    outside = sorted(set(allowed) - ZONAL_UK_REGIONS)
    if outside:
        return [
            f"location allows {outside}: no availability zones there for the zone-redundant plan and GZRS"
        ]
    return []


def role_names_unique_per_tenant(deployment: Deployment, repository: Path) -> list[str]:
    problems = []
    for node in deployment.resources("Microsoft.Authorization/roleDefinitions"):
        name = deployment.bodies(node)[0]["properties"]["roleName"]
        if not isinstance(name, str) or "00000000-0000-0000-0000-0000000000aa" not in name:
            problems.append(
                f"role name {name!r} is not unique per tenant (include subscription().subscriptionId)"
            )
    return problems


def rate_limit_matches_documented_pattern(deployment: Deployment, repository: Path) -> list[str]:
    problems = []
    for node in deployment.resources("Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies"):
        for rule in deployment.bodies(node)[0]["properties"].get("customRules", []):
            if rule.get("ruleType") != "RateLimitRule":
                continue
            for condition in rule.get("matchConditions", []):
                if condition.get("operator") == "Any":
                    problems.append(
                        f"{rule['name']}: operator 'Any' is not the documented match-all condition"
                    )
    return problems


def _function_app_pools(deployment: Deployment, gateway: dict[str, Any]) -> set[str]:
    """Names of the gateway's back-end pools that hold the Function App (its default host name)."""
    return {
        pool["name"]
        for pool in gateway.get("backendAddressPools", [])
        for address in pool["properties"].get("backendAddresses", [])
        if isinstance(address.get("fqdn"), Ref)
        and deployment.type_of(address["fqdn"].node) == "Microsoft.Web/sites"
    }


def _pool_name(target: Any) -> str | None:
    """The pool name at the end of a `.../backendAddressPools/<name>` id, else None."""
    if not isinstance(target, dict) or not isinstance(target.get("id"), str):
        return None
    return (
        target["id"].rpartition("/backendAddressPools/")[2]
        if "/backendAddressPools/" in target["id"]
        else None
    )


def api_routes_only_to_function_app(deployment: Deployment, repository: Path) -> list[str]:
    """`/api/*` reaches the Function App and nothing else does: the web app's files never reach the API,
    and no rule sends a non-API path (or every path) to it."""
    problems = []
    for node in deployment.resources("Microsoft.Network/applicationGateways"):
        gateway = deployment.bodies(node)[0]["properties"]
        function_pools = _function_app_pools(deployment, gateway)
        api_routed = False
        for rule in gateway.get("requestRoutingRules", []):
            if _pool_name(rule["properties"].get("backendAddressPool")) in function_pools:
                problems.append(f"rule {rule['name']} sends every path to the Function App")
        for path_map in gateway.get("urlPathMaps", []):
            if _pool_name(path_map["properties"].get("defaultBackendAddressPool")) in function_pools:
                problems.append(f"path map {path_map['name']} sends non-API paths to the Function App")
            for path_rule in path_map["properties"].get("pathRules", []):
                paths = path_rule["properties"].get("paths", [])
                to_function_app = (
                    _pool_name(path_rule["properties"].get("backendAddressPool")) in function_pools
                )
                if to_function_app and paths != ["/api/*"]:
                    problems.append(f"path rule {path_rule['name']} sends {paths} to the Function App")
                elif "/api/*" in paths and not to_function_app:
                    problems.append(
                        f"path rule {path_rule['name']} sends /api/* elsewhere than the Function App"
                    )
                api_routed = api_routed or (to_function_app and paths == ["/api/*"])
        if not api_routed:
            problems.append("no path rule sends /api/* to the Function App")
    return problems


# Sending e-mail through Communication Services as an Entra identity: Microsoft's documented minimum
# (a custom role), or the built-in "Communication and Email Service Owner".
EMAIL_SENDER_ACTIONS = frozenset(
    {
        "microsoft.communication/communicationservices/read",
        "microsoft.communication/communicationservices/write",
        "microsoft.communication/emailservices/write",
    }
)
COMMUNICATION_AND_EMAIL_SERVICE_OWNER = "09976791-48a7-449e-bb21-39d1a415f350"


def _granted_actions(deployment: Deployment, role: Any) -> set[str]:
    if isinstance(role, str) and role.endswith(COMMUNICATION_AND_EMAIL_SERVICE_OWNER):
        return set(EMAIL_SENDER_ACTIONS)
    if not isinstance(role, Ref):
        return set()
    return {
        str(action).lower()
        for body in deployment.bodies(role.node)
        for permission in body["properties"].get("permissions", [])
        for action in permission.get("actions", [])
    }


def app_can_send_customer_email(deployment: Deployment, repository: Path) -> list[str]:
    site, _ = _site(deployment)
    problems = []
    for node in deployment.resources("Microsoft.Communication/communicationServices"):
        for body in deployment.bodies(node):
            location = body.get("properties", {}).get("dataLocation")
            for domain in body.get("properties", {}).get("linkedDomains", []):
                parent = deployment.bodies(domain.node)[0].get("parent") if isinstance(domain, Ref) else None
                if not isinstance(parent, Ref):
                    problems.append(f"{node}: linked domain {domain!r} is not a domain of this template")
                    continue
                email_location = deployment.bodies(parent.node)[0]["properties"].get("dataLocation")
                if email_location != location:
                    problems.append(
                        f"{node}: its domain's e-mail service stores data in {email_location!r}, "
                        f"not {location!r} (domains link only within one geography)"
                    )
    granted: set[str] = set()
    for assignment in deployment.resources("Microsoft.Authorization/roleAssignments"):
        body = deployment.bodies(assignment)[0]
        principal, scope = body["properties"].get("principalId"), body.get("scope")
        if (
            isinstance(principal, Ref)
            and principal.node == site
            and isinstance(scope, Ref)
            and deployment.type_of(scope.node) == "Microsoft.Communication/communicationServices"
        ):
            granted |= _granted_actions(deployment, body["properties"].get("roleDefinitionId"))
    missing = EMAIL_SENDER_ACTIONS - granted
    if missing:
        problems.append(f"the app's identity lacks {sorted(missing)} on the Communication Service")
    return problems


def _app_default(field: str, repository: Path) -> str:
    """A setting's default, read from shared/settings.py without importing the app."""
    tree = ast.parse((repository / "shared" / "settings.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == field and node.value:
            value = ast.literal_eval(node.value)
            return ",".join(value) if isinstance(value, tuple) else str(value)
    return ""


CONSTRAINTS = [
    Constraint(
        "I365-MS-1",
        "azd can publish the Flex Consumption app (its SCM endpoint is reachable by the deployer)",
        "Azure/azure-dev cli/azd/pkg/azapi/function_app.go (Flex: POST to the SCM host)",
        flex_publish_reachable,
    ),
    Constraint(
        "I365-MS-2",
        "alert queries type-check against their tables' documented columns",
        "https://learn.microsoft.com/azure/azure-monitor/reference/tables/storagequeuelogs (and siblings)",
        alert_queries_type_check,
    ),
    Constraint(
        "I365-MS-3",
        "log alerts on a workspace created by the same deployment skip query validation",
        "Azure/bicep#11378; https://learn.microsoft.com/azure/templates/microsoft.insights/scheduledqueryrules",
        alerts_skip_validation_on_new_workspace,
    ),
    Constraint(
        "I365-MS-4",
        "every Key Vault reference and MFA key the app reads at start-up is created by the template",
        "https://learn.microsoft.com/azure/app-service/app-service-key-vault-references",
        key_vault_references_created,
    ),
    Constraint(
        "I365-MS-5",
        "exactly one resource per azd service tag",
        "https://learn.microsoft.com/azure/developer/azure-developer-cli/azd-schema (azd-service-name)",
        one_resource_per_azd_service,
    ),
    Constraint(
        "I365-MS-6",
        'location policy covers resource groups ("Allowed locations" excludes them)',
        "https://github.com/Azure/azure-policy/blob/master/built-in-policies/policyDefinitions/"
        "General/AllowedLocations_Deny.json",
        location_policy_covers_resource_groups,
    ),
    Constraint(
        "I365-MS-7",
        "the app's identity holds the documented minimum role for each binding it uses",
        "https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity",
        identity_roles_cover_bindings,
    ),
    Constraint(
        "I365-MS-8",
        "every resource provider the template uses (Microsoft.App: Flex VNet integration) is registered",
        "https://learn.microsoft.com/azure/azure-functions/flex-consumption-how-to (prerequisites)",
        providers_registered_first,
    ),
    Constraint(
        "I365-MS-9",
        "the primary region has availability zones (zone-redundant Flex plan, GZRS)",
        "https://learn.microsoft.com/azure/reliability/availability-zones-region-support",
        primary_region_has_zones,
    ),
    Constraint(
        "I365-MS-10",
        "custom role names are unique in the tenant",
        "https://learn.microsoft.com/azure/role-based-access-control/custom-roles#custom-role-properties",
        role_names_unique_per_tenant,
    ),
    Constraint(
        "I365-MS-11",
        "rate-limit rules use the documented match-all condition",
        "https://learn.microsoft.com/azure/web-application-firewall/ag/rate-limiting-configure",
        rate_limit_matches_documented_pattern,
    ),
    Constraint(
        "I365-MS-12",
        "one origin: /api/* reaches only the Function App, and nothing else routes to it",
        "https://learn.microsoft.com/azure/application-gateway/url-route-overview (path-based routing)",
        api_routes_only_to_function_app,
    ),
    Constraint(
        "I365-MS-13",
        "the app's identity may send through the Communication Service; its domain shares its data location",
        "https://learn.microsoft.com/azure/communication-services/quickstarts/email/send-email-smtp/"
        "smtp-authentication; https://learn.microsoft.com/azure/communication-services/quickstarts/email/"
        "connect-email-communication-resource",
        app_can_send_customer_email,
    ),
]


def run(
    infra_dir: Path, repository: Path, constraints: Sequence[Constraint] = CONSTRAINTS
) -> dict[str, list[str]]:
    deployment = Deployment(infra_dir, SAMPLE_MAIN_PARAMETERS)
    return {constraint.id: constraint.check(deployment, repository) for constraint in constraints}
