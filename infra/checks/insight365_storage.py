"""Storage account and blob service: geo-redundancy, encryption, access and data protection."""

from __future__ import annotations

from typing import Any

from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from insight365_support import GEO_REDUNDANT_STORAGE_SKUS, get_path, result

STORAGE = "Microsoft.Storage/storageAccounts"


class StorageGeoRedundant(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: storage is geo-zone-redundant (GZRS or RA-GZRS)",
            id="CKV_I365_9",
            categories=(CheckCategories.BACKUP_AND_RECOVERY,),
            supported_resources=(STORAGE,),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        sku = get_path(conf, "sku.name")
        return CheckResult.PASSED if sku in GEO_REDUNDANT_STORAGE_SKUS else CheckResult.FAILED


class StorageCustomerManagedKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: storage uses a Key Vault customer-managed key plus infrastructure encryption",
            id="CKV_I365_10",
            categories=(CheckCategories.ENCRYPTION,),
            supported_resources=(STORAGE,),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        encryption = get_path(conf, "properties.encryption", {})
        problems = []
        if get_path(encryption, "keySource") != "Microsoft.Keyvault":
            problems.append("keySource is not 'Microsoft.Keyvault'")
        if not get_path(encryption, "keyvaultproperties.keyname") or not get_path(
            encryption, "keyvaultproperties.keyvaulturi"
        ):
            problems.append("keyvaultproperties.keyname/keyvaulturi missing")
        if get_path(encryption, "requireInfrastructureEncryption") is not True:
            problems.append("requireInfrastructureEncryption is not true")
        for service in ("queue", "table"):
            if get_path(encryption, f"services.{service}.keyType") != "Account":
                problems.append(f"{service} is not encrypted with the account (customer-managed) key")
        return result(problems)


class StorageSecureAccess(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: storage requires HTTPS and TLS 1.2 and has shared-key access disabled",
            id="CKV_I365_11",
            categories=(CheckCategories.IAM,),
            supported_resources=(STORAGE,),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        problems = []
        if get_path(conf, "properties.minimumTlsVersion") != "TLS1_2":
            problems.append("minimumTlsVersion is not TLS1_2")
        if get_path(conf, "properties.supportsHttpsTrafficOnly") is not True:
            problems.append("supportsHttpsTrafficOnly is not true")
        if get_path(conf, "properties.allowSharedKeyAccess") is not False:
            problems.append("allowSharedKeyAccess is not false")
        return result(problems)


class BlobDataProtection(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: blobs have soft delete, versioning, change feed and point-in-time restore",
            id="CKV_I365_12",
            categories=(CheckCategories.BACKUP_AND_RECOVERY,),
            supported_resources=("Microsoft.Storage/storageAccounts/blobServices",),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        properties = get_path(conf, "properties", {})
        problems = []
        for policy in (
            "deleteRetentionPolicy",
            "containerDeleteRetentionPolicy",
            "restorePolicy",
            "changeFeed",
        ):
            if get_path(properties, f"{policy}.enabled") is not True:
                problems.append(f"{policy} is not enabled")
        if properties.get("isVersioningEnabled") is not True:
            problems.append("isVersioningEnabled is not true")
        restore_days = get_path(properties, "restorePolicy.days")
        delete_days = get_path(properties, "deleteRetentionPolicy.days")
        if not (
            isinstance(restore_days, int) and isinstance(delete_days, int) and restore_days < delete_days
        ):
            problems.append("restorePolicy.days must be a literal below deleteRetentionPolicy.days")
        return result(problems)


geo_check = StorageGeoRedundant()
cmk_check = StorageCustomerManagedKey()
access_check = StorageSecureAccess()
blob_protection_check = BlobDataProtection()
