"""No public endpoints: storage, Key Vault and the Function App are reachable only privately."""

from __future__ import annotations

from typing import Any

from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from insight365_support import get_path, result

STORAGE = "Microsoft.Storage/storageAccounts"
KEY_VAULT = "Microsoft.KeyVault/vaults"
SITE = "Microsoft.Web/sites"


class NoPublicNetworkAccess(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: storage, Key Vault and the Function App have public network access disabled",
            id="CKV_I365_8",
            categories=(CheckCategories.NETWORKING,),
            supported_resources=(STORAGE, KEY_VAULT, SITE),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        problems = []
        if get_path(conf, "properties.publicNetworkAccess") != "Disabled":
            problems.append("publicNetworkAccess is not 'Disabled'")
        denies_by_default = get_path(conf, "properties.networkAcls.defaultAction") == "Deny"
        if self.entity_type in {STORAGE, KEY_VAULT} and not denies_by_default:
            problems.append("networkAcls.defaultAction is not 'Deny'")
        if self.entity_type == STORAGE and get_path(conf, "properties.allowBlobPublicAccess") is not False:
            problems.append("allowBlobPublicAccess is not false")
        return result(problems)


public_access_check = NoPublicNetworkAccess()
