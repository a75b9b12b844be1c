"""The security promises, asserted directly on the parsed Bicep (pycep), independently of checkov."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import INFRA_DIR

UK = {"uksouth", "ukwest"}
Bicep = dict[str, dict[str, Any]]


def resources(parsed: Bicep, file: str, resource_type: str | None = None) -> dict[str, dict[str, Any]]:
    """Resource bodies of one file (loops unwrapped), optionally of one type."""
    found = {}
    for name, resource in parsed[file].get("resources", {}).items():
        if resource_type and resource["type"] != resource_type:
            continue
        config = resource["config"]
        found[name] = config["config"] if "loop_type" in config else config
    return found


def accessor(obj: str, prop: str) -> dict[str, Any]:
    """pycep's form of the Bicep expression ``obj.prop``."""
    return {"operator": {"type": "property_accessor", "operands": {"operand_1": obj, "operand_2": prop}}}


def only(parsed: Bicep, file: str, resource_type: str) -> dict[str, Any]:
    matches = list(resources(parsed, file, resource_type).values())
    assert len(matches) == 1, f"expected one {resource_type} in {file}, found {len(matches)}"
    return matches[0]


def test_every_bicep_file_parses(parsed: Bicep) -> None:
    assert "main.bicep" in parsed
    assert {"modules/storage.bicep", "modules/gateway.bicep", "modules/functionapp.bicep"} <= set(parsed)


def test_only_local_modules(parsed: Bicep) -> None:
    main_modules = parsed["main.bicep"]["modules"]
    for name, module in main_modules.items():
        assert module["type"] == "local", f"{name} is not a local module"
        path = module["detail"]["path"]
        assert path.startswith("modules/") and (INFRA_DIR / path).is_file(), (
            f"{name}: {path} is not a local module"
        )


def test_location_parameters_are_uk_only(parsed: Bicep) -> None:
    seen = 0
    for file, template in parsed.items():
        for name, param in template.get("parameters", {}).items():
            if not name.lower().endswith("location"):
                continue
            allowed = [d["argument"] for d in param["decorators"] if d["type"] == "allowed"]
            assert allowed and set(allowed[0]) <= UK, f"{file}: param {name} is not @allowed UK-only"
            seen += 1
    assert seen >= 10


def test_allowed_locations_policies(parsed: Bicep) -> None:
    policies = resources(parsed, "main.bicep", "Microsoft.Authorization/policyAssignments").values()
    definitions = {policy["properties"]["policyDefinitionId"].rsplit("/", 1)[-1] for policy in policies}
    # "Allowed locations" and "Allowed locations for resource groups" (the first excludes groups).
    assert definitions == {"e56962a6-4747-49cd-b67b-bf8b01975c4c", "e765b5de-1225-4ba3-bd56-1ac6695af988"}
    for policy in policies:
        assert policy["properties"]["enforcementMode"] == "Default"
        assert policy["properties"]["parameters"]["listOfAllowedLocations"]["value"] == ["uksouth", "ukwest"]


def test_storage_account(parsed: Bicep) -> None:
    account = only(parsed, "modules/storage.bicep", "Microsoft.Storage/storageAccounts")
    props = account["properties"]
    assert account["sku"]["name"] in {"Standard_GZRS", "Standard_RAGZRS"}
    assert props["minimumTlsVersion"] == "TLS1_2"
    assert props["supportsHttpsTrafficOnly"] is True
    assert props["allowSharedKeyAccess"] is False
    assert props["allowBlobPublicAccess"] is False
    assert props["publicNetworkAccess"] == "Disabled"
    assert props["networkAcls"]["defaultAction"] == "Deny"
    encryption = props["encryption"]
    assert encryption["keySource"] == "Microsoft.Keyvault"
    assert encryption["requireInfrastructureEncryption"] is True
    assert {encryption["services"][s]["keyType"] for s in ("blob", "file", "queue", "table")} == {"Account"}


def test_storage_private_endpoints_for_blob_queue_table(parsed: Bicep) -> None:
    services = {
        item["service"] for item in parsed["modules/storage.bicep"]["variables"]["privateEndpoints"]["value"]
    }
    assert services == {"blob", "queue", "table"}
    endpoint = only(parsed, "modules/storage.bicep", "Microsoft.Network/privateEndpoints")
    assert endpoint["properties"]["privateLinkServiceConnections"][0]["properties"]["groupIds"] == [
        accessor("pe", "service")
    ]


def test_blob_data_protection(parsed: Bicep) -> None:
    props = only(parsed, "modules/storage.bicep", "Microsoft.Storage/storageAccounts/blobServices")[
        "properties"
    ]
    assert props["deleteRetentionPolicy"]["enabled"] is True
    assert props["containerDeleteRetentionPolicy"]["enabled"] is True
    assert props["isVersioningEnabled"] is True
    assert props["changeFeed"]["enabled"] is True
    assert props["restorePolicy"]["enabled"] is True
    assert props["restorePolicy"]["days"] < props["deleteRetentionPolicy"]["days"]


def test_backup_vault_protects_the_blobs(parsed: Bicep) -> None:
    vault = only(parsed, "modules/backup.bicep", "Microsoft.DataProtection/backupVaults")["properties"]
    assert vault["storageSettings"] == [{"datastoreType": "VaultStore", "type": "GeoRedundant"}]
    assert vault["securitySettings"]["softDeleteSettings"]["state"] == "On"
    policy = only(parsed, "modules/backup.bicep", "Microsoft.DataProtection/backupVaults/backupPolicies")
    assert policy["properties"]["datasourceTypes"] == ["Microsoft.Storage/storageAccounts/blobServices"]
    instance = only(parsed, "modules/backup.bicep", "Microsoft.DataProtection/backupVaults/backupInstances")
    assert (
        instance["properties"]["dataSourceInfo"]["datasourceType"]
        == "Microsoft.Storage/storageAccounts/blobServices"
    )


def test_key_vault(parsed: Bicep) -> None:
    props = only(parsed, "modules/keyvault.bicep", "Microsoft.KeyVault/vaults")["properties"]
    assert props["enableRbacAuthorization"] is True
    assert props["enableSoftDelete"] is True
    assert props["enablePurgeProtection"] is True
    assert props["publicNetworkAccess"] == "Disabled"
    assert props["networkAcls"]["defaultAction"] == "Deny"
    endpoint = only(parsed, "modules/keyvault.bicep", "Microsoft.Network/privateEndpoints")
    assert endpoint["properties"]["privateLinkServiceConnections"][0]["properties"]["groupIds"] == ["vault"]
    key = only(parsed, "modules/keyvault.bicep", "Microsoft.KeyVault/vaults/keys")["properties"]
    assert key["kty"] == "RSA-HSM" and key["keySize"] >= 3072


def test_function_app_on_flex_consumption(parsed: Bicep) -> None:
    plan = only(parsed, "modules/functionapp.bicep", "Microsoft.Web/serverfarms")
    assert plan["sku"] == {"name": "FC1", "tier": "FlexConsumption"}
    assert plan["properties"]["reserved"] is True
    app = only(parsed, "modules/functionapp.bicep", "Microsoft.Web/sites")
    props = app["properties"]
    assert app["kind"] == "functionapp,linux"
    assert app["identity"]["type"] == "SystemAssigned"
    assert props["httpsOnly"] is True
    # Public side: SCM for the deployer's ranges only; the main site denies all public requests.
    assert props["publicNetworkAccess"] == "Enabled"
    assert props["siteConfig"]["ipSecurityRestrictionsDefaultAction"] == "Deny"
    assert props["siteConfig"]["ipSecurityRestrictions"] == []
    assert props["siteConfig"]["scmIpSecurityRestrictionsDefaultAction"] == "Deny"
    assert props["siteConfig"]["scmIpSecurityRestrictions"] == "deployerRules"
    assert props["virtualNetworkSubnetId"] == "appSubnetId"
    assert props["functionAppConfig"]["runtime"] == {"name": "python", "version": "3.11"}
    assert (
        props["functionAppConfig"]["deployment"]["storage"]["authentication"]["type"]
        == "SystemAssignedIdentity"
    )
    assert props["siteConfig"]["minTlsVersion"] == "1.2"
    assert "ftpsState" not in props["siteConfig"]  # Flex Consumption rejects it (ARM 51021)
    settings = {item["name"]: item["value"] for item in props["siteConfig"]["appSettings"]}
    assert settings["AzureWebJobsStorage__credential"] == "managedidentity"
    assert "AzureWebJobsStorage" not in settings
    assert settings["APPLICATIONINSIGHTS_CONNECTION_STRING"].startswith("@Microsoft.KeyVault(")
    # Flex Consumption rejects these; the runtime comes from functionAppConfig.
    assert "FUNCTIONS_WORKER_RUNTIME" not in settings and "FUNCTIONS_EXTENSION_VERSION" not in settings
    endpoint = only(parsed, "modules/functionapp.bicep", "Microsoft.Network/privateEndpoints")
    assert endpoint["properties"]["privateLinkServiceConnections"][0]["properties"]["groupIds"] == ["sites"]


def test_waf_policy(parsed: Bicep) -> None:
    props = only(
        parsed, "modules/gateway.bicep", "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies"
    )["properties"]
    settings = props["policySettings"]
    assert settings["state"] == "Enabled" and settings["mode"] == "Prevention"
    assert settings["requestBodyCheck"] is True and settings["maxRequestBodySizeInKb"] == 64
    assert {"ruleSetType": "OWASP", "ruleSetVersion": "3.2"} in props["managedRules"]["managedRuleSets"]
    assert [rule["ruleType"] for rule in props["customRules"]] == ["RateLimitRule"]


def test_gateway_tls_and_redirect(parsed: Bicep) -> None:
    gateway = only(parsed, "modules/gateway.bicep", "Microsoft.Network/applicationGateways")["properties"]
    assert gateway["sku"] == {"name": "WAF_v2", "tier": "WAF_v2"}
    assert gateway["firewallPolicy"]["id"] == accessor("wafPolicy", "id")
    ssl = gateway["sslPolicy"]
    assert ssl["minProtocolVersion"] == "TLSv1_2"
    assert ssl["cipherSuites"] and all(
        cipher.startswith("TLS_ECDHE_") and "_GCM_" in cipher for cipher in ssl["cipherSuites"]
    )
    listeners = {item["name"]: item["properties"]["protocol"] for item in gateway["httpListeners"]}
    assert listeners == {"https": "Https", "http": "Http"}
    rules = {item["name"]: item["properties"] for item in gateway["requestRoutingRules"]}
    assert "redirectConfiguration" in rules["http-redirect-to-https"]
    assert "backendAddressPool" not in rules["http-redirect-to-https"]
    redirect = gateway["redirectConfigurations"][0]["properties"]
    assert redirect["redirectType"] == "Permanent" and redirect["targetListener"]["id"].endswith(
        "/httpListeners/https"
    )
    backend = gateway["backendHttpSettingsCollection"][0]["properties"]
    assert backend["protocol"] == "Https" and backend["port"] == 443
    assert gateway["backendAddressPools"][0]["properties"]["backendAddresses"] == [
        {"fqdn": "backendHostName"}
    ]


def test_monitoring(parsed: Bicep) -> None:
    insights = only(parsed, "modules/monitoring.bicep", "Microsoft.Insights/components")["properties"]
    assert insights["DisableLocalAuth"] is True
    rules = parsed["modules/alerts.bicep"]["variables"]["rules"]["value"]
    assert {rule["name"] for rule in rules} == {
        "poison-queue-messages",
        "function-failures",
        "gateway-5xx-rate",
        "operations-notification",
        "waf-blocks",
    }
    alert = only(parsed, "modules/alerts.bicep", "Microsoft.Insights/scheduledQueryRules")
    assert alert["properties"]["actions"]["actionGroups"] == ["actionGroupId"]


# Resource types that emit logs or metrics and therefore need a diagnostic setting.
DIAGNOSABLE = {
    "Microsoft.Storage/storageAccounts",
    "Microsoft.Storage/storageAccounts/blobServices",
    "Microsoft.Storage/storageAccounts/queueServices",
    "Microsoft.Storage/storageAccounts/tableServices",
    "Microsoft.KeyVault/vaults",
    "Microsoft.Web/sites",
    "Microsoft.Network/applicationGateways",
    "Microsoft.Network/publicIPAddresses",
    "Microsoft.Network/networkSecurityGroups",
    "Microsoft.Network/virtualNetworks",
    "Microsoft.OperationalInsights/workspaces",
    "Microsoft.DataProtection/backupVaults",
    "Microsoft.Communication/communicationServices",
}


def test_diagnostic_settings_on_everything(parsed: Bicep) -> None:
    for file, template in parsed.items():
        declared = template.get("resources", {})
        scoped = {
            str(resource["config"].get("scope"))
            for resource in declared.values()
            if resource["type"] == "Microsoft.Insights/diagnosticSettings"
        }
        for name, resource in declared.items():
            if resource["type"] in DIAGNOSABLE and not resource["existing"]:
                assert name in scoped, f"{file}: {resource['type']} {name} has no diagnostic setting"


def test_least_privilege_roles(parsed: Bicep) -> None:
    roles = resources(parsed, "modules/rbac.bicep", "Microsoft.Authorization/roleDefinitions")
    assert set(roles) == {"customerSecretsRole", "emailSenderRole"}
    (permissions,) = roles["customerSecretsRole"]["properties"]["permissions"]
    assert permissions["actions"] == []
    assert sorted(permissions["dataActions"]) == sorted(
        [
            "Microsoft.KeyVault/vaults/secrets/getSecret/action",
            "Microsoft.KeyVault/vaults/secrets/setSecret/action",
            "Microsoft.KeyVault/vaults/secrets/delete",
            "Microsoft.KeyVault/vaults/secrets/recover/action",
            "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
        ]
    )
    assert not any("*" in action or "purge" in action for action in permissions["dataActions"])
    role_ids = parsed["modules/rbac.bicep"]["variables"]["roleIds"]["value"]
    assert role_ids == {
        "storageBlobDataOwner": "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        "storageQueueDataContributor": "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
        "storageTableDataContributor": "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
        "monitoringMetricsPublisher": "3913510d-42f4-4e42-8a64-420c390055eb",
    }
    assignments = resources(parsed, "modules/rbac.bicep", "Microsoft.Authorization/roleAssignments")
    assert len(assignments) == 6
    assert {str(a["scope"]) for a in assignments.values()} == {
        "storageAccount",
        "vault",
        "appInsights",
        "communicationService",
    }
    # Sending customer e-mail: Microsoft's documented minimum, no wildcard, no data actions, no keys.
    (sending,) = roles["emailSenderRole"]["properties"]["permissions"]
    assert sorted(sending["actions"]) == [
        "Microsoft.Communication/CommunicationServices/Read",
        "Microsoft.Communication/CommunicationServices/Write",
        "Microsoft.Communication/EmailServices/write",
    ]
    assert sending["dataActions"] == []


def test_parameters_file_and_azure_yaml() -> None:
    parameters = json.loads((INFRA_DIR / "main.parameters.json").read_text())["parameters"]
    assert parameters["location"]["value"] == "${AZURE_LOCATION=uksouth}"
    azure_yaml = yaml.safe_load((INFRA_DIR.parent / "azure.yaml").read_text())
    assert azure_yaml["services"]["api"] == {"project": ".", "language": "python", "host": "function"}
    assert azure_yaml["infra"] == {"provider": "bicep", "path": "infra", "module": "main"}
    hook = azure_yaml["hooks"]["preprovision"]["run"]
    assert (
        hook == "bash ./infra/hooks/preprovision.sh" and (INFRA_DIR / "hooks" / "preprovision.sh").is_file()
    )


def test_required_main_parameters_are_supplied(parsed: Bicep) -> None:
    supplied = set(json.loads((INFRA_DIR / "main.parameters.json").read_text())["parameters"])
    required = {name for name, param in parsed["main.bicep"]["parameters"].items() if "default" not in param}
    assert required <= supplied


@pytest.mark.parametrize(
    "path", sorted(INFRA_DIR.rglob("*.bicep")), ids=lambda p: str(p.relative_to(INFRA_DIR))
)
def test_no_registry_modules(path: Path) -> None:
    assert "'br:" not in path.read_text() and "'br/" not in path.read_text()
