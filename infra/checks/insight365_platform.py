"""Function App, Key Vault, Application Insights and Backup vault hardening."""

from __future__ import annotations

import re
from typing import Any

from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from insight365_support import app_settings, as_list, get_path, result

# App settings that hold secrets must be Key Vault references, never values.
SECRET_SETTING = re.compile(r"(CONNECTION_?STRING|SECRET|PASSWORD|_KEY)$", re.IGNORECASE)
KEY_VAULT_REFERENCE = "@Microsoft.KeyVault("
# siteConfig properties that ARM refuses on Flex Consumption sites with error 51021 ("The following
# site configuration property ... for Flex Consumption sites is invalid"), as named verbatim in
# microsoft/azure-pipelines-tasks#21032 and Azure/azure-cli#31414; the runtime and scale settings live
# in functionAppConfig instead (Flex Consumption plan deprecations,
# https://learn.microsoft.com/azure/azure-functions/functions-app-settings#flex-consumption-plan-deprecations).
FLEX_REJECTED_SITE_CONFIG = frozenset(
    {
        "ftpsState",
        "use32BitWorkerProcess",
        "preWarmedInstanceCount",
        "netFrameworkVersion",
        "functionsRuntimeScaleMonitoringEnabled",
        "linuxFxVersion",
        "windowsFxVersion",
        "alwaysOn",
    }
)


def function_app_problems(conf: dict[str, Any]) -> list[str]:
    properties = get_path(conf, "properties", {})
    problems = []
    if "SystemAssigned" not in str(get_path(conf, "identity.type", "")):
        problems.append("no system-assigned identity")
    if properties.get("httpsOnly") is not True:
        problems.append("httpsOnly is not true")
    if get_path(properties, "siteConfig.minTlsVersion") not in {"1.2", "1.3"}:
        problems.append("siteConfig.minTlsVersion is below 1.2")
    if not properties.get("virtualNetworkSubnetId"):
        problems.append("no VNet integration (virtualNetworkSubnetId)")
    runtime = get_path(properties, "functionAppConfig.runtime", {})
    if runtime != {"name": "python", "version": "3.11"}:
        problems.append(f"functionAppConfig.runtime {runtime!r} is not python 3.11 on Flex Consumption")
    settings = app_settings(conf)
    if settings.get("AzureWebJobsStorage__credential") != "managedidentity":
        problems.append("AzureWebJobsStorage__credential is not 'managedidentity'")
    if "AzureWebJobsStorage" in settings:
        problems.append("AzureWebJobsStorage connection string present (use the identity-based settings)")
    for name, value in settings.items():
        if isinstance(value, str) and "AccountKey=" in value:
            problems.append(f"{name} carries a storage account key")
        elif (
            isinstance(name, str)
            and SECRET_SETTING.search(name)
            and not (isinstance(value, str) and value.startswith(KEY_VAULT_REFERENCE))
        ):
            problems.append(f"{name} is not a Key Vault reference")
    return problems


class FunctionAppHardening(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: Function App: HTTPS, TLS 1.2+, VNet, identity storage, KV secrets",
            id="CKV_I365_13",
            categories=(CheckCategories.GENERAL_SECURITY,),
            supported_resources=("Microsoft.Web/sites",),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if "functionapp" not in str(conf.get("kind", "")):
            return CheckResult.UNKNOWN
        return result(function_app_problems(conf))


class FlexConsumptionSiteConfig(BaseResourceCheck):
    """A site with functionAppConfig is a Flex Consumption app; ARM rejects these siteConfig keys there."""

    def __init__(self) -> None:
        super().__init__(
            name="Insight365: Flex Consumption site carries no siteConfig property ARM rejects (51021)",
            id="CKV_I365_17",
            categories=(CheckCategories.GENERAL_SECURITY,),
            supported_resources=("Microsoft.Web/sites",),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if get_path(conf, "properties.functionAppConfig") is None:
            return CheckResult.UNKNOWN
        site_config = get_path(conf, "properties.siteConfig", {})
        keys = set(site_config) if isinstance(site_config, dict) else set()
        return result(sorted(keys & FLEX_REJECTED_SITE_CONFIG))


class NoBasicPublishingCredentials(BaseResourceCheck):
    """FTP and SCM basic-auth publishing off (on Flex Consumption this replaces siteConfig.ftpsState)."""

    def __init__(self) -> None:
        super().__init__(
            name="Insight365: FTP and SCM basic-authentication publishing are disabled",
            id="CKV_I365_18",
            categories=(CheckCategories.IAM,),
            supported_resources=("Microsoft.Web/sites/basicPublishingCredentialsPolicies",),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.PASSED if get_path(conf, "properties.allow") is False else CheckResult.FAILED


class KeyVaultRbacAndRecoverable(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: Key Vault uses RBAC and has soft delete and purge protection",
            id="CKV_I365_14",
            categories=(CheckCategories.IAM,),
            supported_resources=("Microsoft.KeyVault/vaults",),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        problems = [
            f"{key} is not true"
            for key in ("enableRbacAuthorization", "enableSoftDelete", "enablePurgeProtection")
            if get_path(conf, f"properties.{key}") is not True
        ]
        return result(problems)


class AppInsightsLocalAuthDisabled(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: Application Insights accepts only Entra ID-authenticated telemetry",
            id="CKV_I365_15",
            categories=(CheckCategories.IAM,),
            supported_resources=("Microsoft.Insights/components",),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return (
            CheckResult.PASSED
            if get_path(conf, "properties.DisableLocalAuth") is True
            else CheckResult.FAILED
        )


class BackupVaultGeoRedundantAndImmutable(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: Backup vault is geo-redundant with soft delete and immutability",
            id="CKV_I365_16",
            categories=(CheckCategories.BACKUP_AND_RECOVERY,),
            supported_resources=("Microsoft.DataProtection/backupVaults",),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        problems = []
        storage_types = {
            get_path(item, "type") for item in as_list(get_path(conf, "properties.storageSettings"))
        }
        if storage_types != {"GeoRedundant"}:
            problems.append(f"storageSettings {sorted(map(str, storage_types))} are not GeoRedundant")
        if get_path(conf, "properties.securitySettings.softDeleteSettings.state") not in {"On", "AlwaysOn"}:
            problems.append("soft delete is off")
        if get_path(conf, "properties.securitySettings.immutabilitySettings.state") not in {
            "Unlocked",
            "Locked",
        }:
            problems.append("immutability is off")
        return result(problems)


function_app_check = FunctionAppHardening()
flex_site_config_check = FlexConsumptionSiteConfig()
basic_publishing_check = NoBasicPublishingCredentials()
key_vault_check = KeyVaultRbacAndRecoverable()
app_insights_check = AppInsightsLocalAuthDisabled()
backup_vault_check = BackupVaultGeoRedundantAndImmutable()
