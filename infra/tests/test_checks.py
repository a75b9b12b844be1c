"""Tests of the checks themselves.

The unmodified infra/ passes every check (and every custom check actually runs); flipping any one
guarded property in a temporary copy makes the scan fail with the check that guards it. The scan
runs checkov's Bicep runner in-process (built-in checks + infra/checks + the repository skip list),
on the mutated file only, so each case costs well under a second.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import INFRA_DIR, ScanResult, scan, skipped_checks

CUSTOM_CHECK_IDS = {f"CKV_I365_{n}" for n in range(1, 26)}


class Mutation(NamedTuple):
    id: str
    file: str
    old: str
    new: str
    expected: frozenset[str]  # check ids that must fail


def m(case_id: str, file: str, old: str, new: str, *expected: str) -> Mutation:
    return Mutation(case_id, file, old, new, frozenset(expected))


MUTATIONS = [
    # UK-only hosting
    m(
        "policy-third-region",
        "main.bicep",
        "e56962a6-4747-49cd-b67b-bf8b01975c4c'\n    enforcementMode: 'Default'\n    parameters: {\n"
        "      listOfAllowedLocations: {\n        value: [\n          'uksouth'\n",
        "e56962a6-4747-49cd-b67b-bf8b01975c4c'\n    enforcementMode: 'Default'\n    parameters: {\n"
        "      listOfAllowedLocations: {\n        value: [\n          'uksouth'\n          'westeurope'\n",
        "CKV_I365_5",
    ),
    m(
        "policy-not-enforced",
        "main.bicep",
        "e56962a6-4747-49cd-b67b-bf8b01975c4c'\n    enforcementMode: 'Default'",
        "e56962a6-4747-49cd-b67b-bf8b01975c4c'\n    enforcementMode: 'DoNotEnforce'",
        "CKV_I365_5",
    ),
    m(
        "location-param-third-region",
        "main.bicep",
        "@allowed([\n  'uksouth'\n])\n@description('Primary",
        "@allowed([\n  'uksouth'\n  'westeurope'\n])\n@description('Primary",
        "CKV_I365_6",
    ),
    m(
        "module-location-unrestricted",
        "modules/storage.bicep",
        "@allowed([\n  'uksouth'\n  'ukwest'\n])\n",
        "",
        "CKV_I365_6",
    ),
    m(
        "resource-outside-uk",
        "main.bicep",
        "insight365-${environmentName}'\n  location: location",
        "insight365-${environmentName}'\n  location: 'westeurope'",
        "CKV_I365_7",
    ),
    # WAF
    m("waf-detection-mode", "modules/gateway.bicep", "mode: 'Prevention'", "mode: 'Detection'", "CKV_I365_1"),
    m(
        "waf-disabled",
        "modules/gateway.bicep",
        "state: 'Enabled'\n      mode:",
        "state: 'Disabled'\n      mode:",
        "CKV_I365_1",
    ),
    m("waf-old-crs", "modules/gateway.bicep", "ruleSetVersion: '3.2'", "ruleSetVersion: '3.1'", "CKV_I365_1"),
    m(
        "waf-no-body-inspection",
        "modules/gateway.bicep",
        "requestBodyCheck: true",
        "requestBodyCheck: false",
        "CKV_I365_2",
    ),
    m(
        "waf-body-limit-128kb",
        "modules/gateway.bicep",
        "maxRequestBodySizeInKb: 64",
        "maxRequestBodySizeInKb: 128",
        "CKV_I365_2",
    ),
    m(
        "waf-no-rate-limit",
        "modules/gateway.bicep",
        "ruleType: 'RateLimitRule'",
        "ruleType: 'MatchRule'",
        "CKV_I365_2",
    ),
    # Gateway TLS and HTTPS
    m(
        "gateway-tls1_0",
        "modules/gateway.bicep",
        "minProtocolVersion: 'TLSv1_2'",
        "minProtocolVersion: 'TLSv1_0'",
        "CKV_I365_3",
        "CKV_AZURE_218",
    ),
    m(
        "gateway-cbc-rsa-cipher",
        "modules/gateway.bicep",
        "'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'",
        "'TLS_RSA_WITH_AES_128_CBC_SHA'",
        "CKV_I365_3",
    ),
    m(
        "gateway-serves-http",
        "modules/gateway.bicep",
        "redirectConfiguration: {\n            id: '${gatewayId}/redirectConfigurations/http-to-https'",
        "backendAddressPool: {\n            id: '${gatewayId}/backendAddressPools/function-app'",
        "CKV_I365_4",
    ),
    m(
        "gateway-standard-sku",
        "modules/gateway.bicep",
        "name: 'WAF_v2'\n      tier: 'WAF_v2'",
        "name: 'Standard_v2'\n      tier: 'Standard_v2'",
        "CKV_I365_4",
    ),
    m(
        "gateway-http-backend",
        "modules/gateway.bicep",
        "port: 443\n          protocol: 'Https'",
        "port: 80\n          protocol: 'Http'",
        "CKV_I365_4",
    ),
    # Public endpoints
    m(
        "storage-public",
        "modules/storage.bicep",
        "publicNetworkAccess: 'Disabled'",
        "publicNetworkAccess: 'Enabled'",
        "CKV_I365_8",
        "CKV_AZURE_59",
    ),
    m(
        "storage-blob-public",
        "modules/storage.bicep",
        "allowBlobPublicAccess: false",
        "allowBlobPublicAccess: true",
        "CKV_I365_8",
    ),
    m(
        "key-vault-public",
        "modules/keyvault.bicep",
        "publicNetworkAccess: 'Disabled'",
        "publicNetworkAccess: 'Enabled'",
        "CKV_I365_8",
        "CKV_AZURE_189",
    ),
    m(
        "function-app-main-site-public",
        "modules/functionapp.bicep",
        "ipSecurityRestrictionsDefaultAction: 'Deny'",
        "ipSecurityRestrictionsDefaultAction: 'Allow'",
        "CKV_I365_8",
    ),
    m(
        "function-app-scm-open-to-everyone",
        "modules/functionapp.bicep",
        "scmIpSecurityRestrictions: deployerRules",
        "scmIpSecurityRestrictions: [\n        {\n          ipAddress: 'Any'\n"
        "          action: 'Allow'\n        }\n      ]",
        "CKV_I365_8",
    ),
    m(
        "function-app-scm-follows-main",
        "modules/functionapp.bicep",
        "scmIpSecurityRestrictionsUseMain: false",
        "scmIpSecurityRestrictionsUseMain: true",
        "CKV_I365_8",
    ),
    # Storage
    m(
        "storage-lrs",
        "modules/storage.bicep",
        "name: 'Standard_GZRS'",
        "name: 'Standard_LRS'",
        "CKV_I365_9",
        "CKV_AZURE_206",
    ),
    m(
        "storage-grs-not-zonal",
        "modules/storage.bicep",
        "name: 'Standard_GZRS'",
        "name: 'Standard_GRS'",
        "CKV_I365_9",
    ),
    m(
        "storage-tls1_0",
        "modules/storage.bicep",
        "minimumTlsVersion: 'TLS1_2'",
        "minimumTlsVersion: 'TLS1_0'",
        "CKV_I365_11",
        "CKV_AZURE_44",
    ),
    m(
        "storage-http",
        "modules/storage.bicep",
        "supportsHttpsTrafficOnly: true",
        "supportsHttpsTrafficOnly: false",
        "CKV_I365_11",
        "CKV_AZURE_3",
    ),
    m(
        "storage-shared-key",
        "modules/storage.bicep",
        "allowSharedKeyAccess: false",
        "allowSharedKeyAccess: true",
        "CKV_I365_11",
    ),
    m(
        "storage-platform-key",
        "modules/storage.bicep",
        "keySource: 'Microsoft.Keyvault'",
        "keySource: 'Microsoft.Storage'",
        "CKV_I365_10",
    ),
    m(
        "storage-no-infra-encryption",
        "modules/storage.bicep",
        "requireInfrastructureEncryption: true",
        "requireInfrastructureEncryption: false",
        "CKV_I365_10",
    ),
    m(
        "blob-no-versioning",
        "modules/storage.bicep",
        "isVersioningEnabled: true",
        "isVersioningEnabled: false",
        "CKV_I365_12",
    ),
    m(
        "blob-no-point-in-time-restore",
        "modules/storage.bicep",
        "restorePolicy: {\n      enabled: true",
        "restorePolicy: {\n      enabled: false",
        "CKV_I365_12",
    ),
    m(
        "backup-vault-lrs",
        "modules/backup.bicep",
        "type: 'GeoRedundant'",
        "type: 'LocallyRedundant'",
        "CKV_I365_16",
    ),
    # The tables' backup
    m(
        "table-backups-mutable",
        "modules/storage.bicep",
        "immutableStorageWithVersioning: {\n      enabled: true",
        "immutableStorageWithVersioning: {\n      enabled: false",
        "CKV_I365_19",
    ),
    m(
        "table-backups-kept-7-days",
        "modules/storage.bicep",
        "immutabilityPeriodSinceCreationInDays: tableBackupRetentionDays",
        "immutabilityPeriodSinceCreationInDays: 7",
        "CKV_I365_20",
    ),
    m(
        "table-backups-protected-appends",
        "modules/storage.bicep",
        "allowProtectedAppendWrites: false",
        "allowProtectedAppendWrites: true",
        "CKV_I365_20",
    ),
    m(
        "no-vaulted-copy",
        "modules/backup.bicep",
        "objectType: 'AzureBackupRule'",
        "objectType: 'AzureRetentionRule'",
        "CKV_I365_21",
    ),
    m(
        "vaulted-copy-kept-7-days",
        "modules/backup.bicep",
        "duration: 'P35D'",
        "duration: 'P7D'",
        "CKV_I365_21",
    ),
    m(
        "vault-no-cross-region-restore",
        "modules/backup.bicep",
        "crossRegionRestoreSettings: {\n        state: 'Enabled'",
        "crossRegionRestoreSettings: {\n        state: 'Disabled'",
        "CKV_I365_22",
    ),
    # Function App
    m(
        "function-tls1_0",
        "modules/functionapp.bicep",
        "minTlsVersion: '1.2'",
        "minTlsVersion: '1.0'",
        "CKV_I365_13",
        "CKV_AZURE_145",
    ),
    # Flex Consumption rejects these siteConfig properties (ARM 51021), even ftpsState: 'Disabled'.
    m(
        "flex-ftps-state",
        "modules/functionapp.bicep",
        "      http20Enabled: true\n",
        "      http20Enabled: true\n      ftpsState: 'Disabled'\n",
        "CKV_I365_17",
    ),
    m(
        "flex-linux-fx-version",
        "modules/functionapp.bicep",
        "      http20Enabled: true\n",
        "      http20Enabled: true\n      linuxFxVersion: 'PYTHON|3.11'\n",
        "CKV_I365_17",
    ),
    m(
        "ftp-basic-publishing-allowed",
        "modules/functionapp.bicep",
        "  name: 'ftp'\n  properties: {\n    allow: false",
        "  name: 'ftp'\n  properties: {\n    allow: true",
        "CKV_I365_18",
    ),
    m(
        "function-http",
        "modules/functionapp.bicep",
        "httpsOnly: true",
        "httpsOnly: false",
        "CKV_I365_13",
        "CKV_AZURE_70",
    ),
    m(
        "function-key-based-storage",
        "modules/functionapp.bicep",
        "name: 'AzureWebJobsStorage__credential'\n          value: 'managedidentity'",
        "name: 'AzureWebJobsStorage'\n          value: 'AccountName=x;AccountKey=y'",
        "CKV_I365_13",
    ),
    m(
        "function-plaintext-secret",
        "modules/functionapp.bicep",
        "value: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${appInsightsSecretName})'",
        "value: 'InstrumentationKey=00000000-0000-0000-0000-000000000000'",
        "CKV_I365_13",
    ),
    m(
        "function-python-3_12",
        "modules/functionapp.bicep",
        "version: '3.11'",
        "version: '3.12'",
        "CKV_I365_13",
    ),
    # Key Vault and monitoring
    m(
        "key-vault-no-purge-protection",
        "modules/keyvault.bicep",
        "enablePurgeProtection: true",
        "enablePurgeProtection: false",
        "CKV_I365_14",
        "CKV_AZURE_110",
    ),
    m(
        "key-vault-access-policies",
        "modules/keyvault.bicep",
        "enableRbacAuthorization: true",
        "enableRbacAuthorization: false",
        "CKV_I365_14",
    ),
    m(
        "app-insights-local-auth",
        "modules/monitoring.bicep",
        "DisableLocalAuth: true",
        "DisableLocalAuth: false",
        "CKV_I365_15",
    ),
    # Customer e-mail (Azure Communication Services)
    m(
        "email-service-data-outside-uk",
        "modules/email.bicep",
        "  properties: {\n    dataLocation: 'UK'\n  }\n}",
        "  properties: {\n    dataLocation: 'Europe'\n  }\n}",
        "CKV_I365_23",
    ),
    m(
        "communication-service-data-outside-uk",
        "modules/email.bicep",
        "    dataLocation: 'UK'\n    disableLocalAuth: true",
        "    dataLocation: 'United States'\n    disableLocalAuth: true",
        "CKV_I365_23",
    ),
    m(
        "communication-service-keys-enabled",
        "modules/email.bicep",
        "disableLocalAuth: true",
        "disableLocalAuth: false",
        "CKV_I365_24",
    ),
    m(
        "customer-email-by-connection-string",
        "modules/functionapp.bicep",
        "name: 'INSIGHT365_ACS_ENDPOINT'\n          value: acsEndpoint",
        "name: 'INSIGHT365_ACS_ENDPOINT'\n          value: 'endpoint=https://acs.uk.communication.azure.com/;accesskey=${acsKey}'",
        "CKV_I365_25",
    ),
    m(
        "customer-email-key-from-list-keys",
        "modules/functionapp.bicep",
        "name: 'INSIGHT365_ACS_SENDER'\n          value: acsSender",
        "name: 'INSIGHT365_ACS_SENDER'\n          value: communication.listKeys().primaryConnectionString",
        "CKV_I365_25",
    ),
    m(
        "customer-email-channel-off",
        "modules/functionapp.bicep",
        "name: 'INSIGHT365_CUSTOMER_EMAIL_CHANNEL'\n          value: 'acs'",
        "name: 'INSIGHT365_CUSTOMER_EMAIL_CHANNEL'\n          value: 'smtp'",
        "CKV_I365_25",
    ),
]


@pytest.fixture(scope="module")
def baseline() -> ScanResult:
    return scan(INFRA_DIR)


def test_unmodified_infra_passes(baseline: ScanResult) -> None:
    assert not baseline.parsing_errors
    assert baseline.failed == []


def test_every_custom_check_runs(baseline: ScanResult) -> None:
    # checkov only logs a custom check that fails to import; prove all of them ran.
    assert baseline.passed_ids >= CUSTOM_CHECK_IDS


def test_skip_list_is_short_and_never_skips_custom_checks() -> None:
    skips = skipped_checks()
    assert len(skips) <= 7
    assert not CUSTOM_CHECK_IDS & set(skips)


def test_every_skip_has_a_reason() -> None:
    lines = (INFRA_DIR / ".checkov.yaml").read_text().splitlines()
    for index, line in enumerate(lines):
        if line.strip().startswith("- CKV_") and index > 0 and "skip-check" not in lines[index - 1]:
            previous = lines[index - 1].strip()
            assert previous.startswith("#"), f"skip {line.strip()} has no comment above it"
    skips = [line for line in lines if line.strip().startswith("- CKV_")]
    assert skips and all(lines[lines.index(s) - 1].strip().startswith("#") for s in skips)


def test_every_custom_check_is_exercised_by_a_mutation() -> None:
    exercised = set().union(*(mutation.expected for mutation in MUTATIONS))
    assert exercised >= CUSTOM_CHECK_IDS


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[mutation.id for mutation in MUTATIONS])
def test_flipping_a_guarded_property_fails_the_scan(
    mutation: Mutation, infra_copy: Path, mutate: Callable[[Path, str, str], None]
) -> None:
    target = infra_copy / mutation.file
    mutate(target, mutation.old, mutation.new)
    result = scan(target)
    assert not result.parsing_errors, f"mutated {mutation.file} no longer parses"
    missing = mutation.expected - result.failed_ids
    assert not missing, (
        f"{mutation.id}: expected {sorted(missing)} to fail; failed: {sorted(result.failed_ids)}"
    )
