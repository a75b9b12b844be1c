"""The tables' backup: an immutable container, and a vaulted copy in the Backup vault's geo store.

Sources: https://learn.microsoft.com/azure/storage/blobs/immutable-storage-overview (time-based
retention, version-level WORM), https://learn.microsoft.com/azure/backup/blob-backup-overview (vaulted
backup) and https://learn.microsoft.com/azure/backup/backup-vault-overview (cross-region restore, soft
delete).
"""

from __future__ import annotations

import re
from typing import Any

from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from insight365_support import as_list, get_path, result

BACKUP_CONTAINER = "table-backups"
MIN_RETENTION_DAYS = 35
_DAYS = re.compile(r"P(\d+)D")


def _days(duration: Any) -> int:
    match = _DAYS.fullmatch(duration) if isinstance(duration, str) else None
    return int(match.group(1)) if match else 0


class TableBackupContainerImmutable(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: the table-backups container has version-level immutability (WORM)",
            id="CKV_I365_19",
            categories=(CheckCategories.BACKUP_AND_RECOVERY,),
            supported_resources=("Microsoft.Storage/storageAccounts/blobServices/containers",),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if conf.get("name") != BACKUP_CONTAINER:
            return CheckResult.UNKNOWN
        enabled = get_path(conf, "properties.immutableStorageWithVersioning.enabled")
        public = get_path(conf, "properties.publicAccess")
        return result([] if enabled is True and public == "None" else ["not immutable or not private"])


class TableBackupRetention(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: backups are immutable for at least 35 days, with no protected appends",
            id="CKV_I365_20",
            categories=(CheckCategories.BACKUP_AND_RECOVERY,),
            supported_resources=(
                "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies",
            ),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        days = get_path(conf, "properties.immutabilityPeriodSinceCreationInDays")
        problems = []
        # A literal, or the module's variable (checked against the Python constant by the constraints).
        if not (days == "tableBackupRetentionDays" or (isinstance(days, int) and days >= MIN_RETENTION_DAYS)):
            problems.append("immutabilityPeriodSinceCreationInDays is below 35 days")
        if get_path(conf, "properties.allowProtectedAppendWrites") is not False:
            problems.append("allowProtectedAppendWrites is not false")
        if get_path(conf, "properties.allowProtectedAppendWritesAll") is True:
            problems.append("allowProtectedAppendWritesAll is true")
        return result(problems)


class VaultedBackupPolicy(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: the backup policy copies daily to the vault store and keeps it 35 days",
            id="CKV_I365_21",
            categories=(CheckCategories.BACKUP_AND_RECOVERY,),
            supported_resources=("Microsoft.DataProtection/backupVaults/backupPolicies",),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        rules = as_list(get_path(conf, "properties.policyRules"))
        backups = [
            rule
            for rule in rules
            if rule.get("objectType") == "AzureBackupRule"
            and get_path(rule, "dataStore.dataStoreType") == "VaultStore"
            and any(
                str(interval).endswith("/P1D")
                for interval in as_list(get_path(rule, "trigger.schedule.repeatingTimeIntervals"))
            )
        ]
        kept = [
            lifecycle
            for rule in rules
            if rule.get("objectType") == "AzureRetentionRule"
            for lifecycle in as_list(rule.get("lifecycles"))
            if get_path(lifecycle, "sourceDataStore.dataStoreType") == "VaultStore"
            and _days(get_path(lifecycle, "deleteAfter.duration")) >= MIN_RETENTION_DAYS
        ]
        return result([] if backups and kept else ["no daily vaulted backup kept 35 days"])


class BackupVaultRestoresInUkWest(BaseResourceCheck):
    """Geo-redundancy, soft delete and immutability of the vault are CKV_I365_16's."""

    def __init__(self) -> None:
        super().__init__(
            name="Insight365: the Backup vault restores in the paired region and keeps deletions 14+ days",
            id="CKV_I365_22",
            categories=(CheckCategories.BACKUP_AND_RECOVERY,),
            supported_resources=("Microsoft.DataProtection/backupVaults",),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        problems = []
        if get_path(conf, "properties.featureSettings.crossRegionRestoreSettings.state") != "Enabled":
            problems.append("cross-region restore (UK West) is not enabled")
        retention = get_path(conf, "properties.securitySettings.softDeleteSettings.retentionDurationInDays")
        if not isinstance(retention, int) or retention < 14:
            problems.append("soft delete keeps deleted backups less than 14 days")
        return result(problems)


container_check = TableBackupContainerImmutable()
retention_check = TableBackupRetention()
vaulted_check = VaultedBackupPolicy()
vault_check = BackupVaultRestoresInUkWest()
