"""No public endpoints: storage, Key Vault and the Function App are reachable only privately.

The Function App is the one exception allowed, and only in this shape: public network access enabled
so that `azd deploy` can reach SCM, the main site denying every public request (default action Deny,
no allow rule) and SCM denying all but the deployer's ranges, which must come from a parameter or be
literal ranges that are not "everything". Access restrictions do not apply to private endpoint
traffic (https://learn.microsoft.com/azure/app-service/overview-private-endpoint#security-considerations).
"""

from __future__ import annotations

from typing import Any

from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from insight365_support import as_list, get_path, is_reference, result

STORAGE = "Microsoft.Storage/storageAccounts"
KEY_VAULT = "Microsoft.KeyVault/vaults"
SITE = "Microsoft.Web/sites"
EVERYWHERE = frozenset({"Any", "any", "0.0.0.0/0", "*", "::/0"})


def _everywhere(address: Any) -> bool:
    return isinstance(address, str) and address in EVERYWHERE


def site_public_access_problems(conf: dict[str, Any]) -> list[str]:
    if get_path(conf, "properties.publicNetworkAccess") == "Disabled":
        return []
    site_config = get_path(conf, "properties.siteConfig", {})
    problems = []
    if get_path(site_config, "ipSecurityRestrictionsDefaultAction") != "Deny":
        problems.append("public network access without ipSecurityRestrictionsDefaultAction 'Deny'")
    main_rules = get_path(site_config, "ipSecurityRestrictions")
    if not isinstance(main_rules, list) or any(
        get_path(rule, "action", "Allow") == "Allow" for rule in main_rules
    ):
        problems.append("the main site must have no public allow rule (only the private endpoint serves it)")
    if get_path(site_config, "scmIpSecurityRestrictionsUseMain") is not False:
        problems.append("scmIpSecurityRestrictionsUseMain must be false (SCM has its own allow-list)")
    if get_path(site_config, "scmIpSecurityRestrictionsDefaultAction") != "Deny":
        problems.append("public network access without scmIpSecurityRestrictionsDefaultAction 'Deny'")
    if not _scm_admits_only_listed_ranges(get_path(site_config, "scmIpSecurityRestrictions")):
        problems.append("scmIpSecurityRestrictions must be the deployer ranges, never everything")
    return problems


def _scm_admits_only_listed_ranges(rules: Any) -> bool:
    """A variable, a for-expression over a parameter (checkov inlines variables) or literal rules;
    no rule may open SCM to every address."""
    if is_reference(rules):
        return True
    if isinstance(rules, dict) and "loop_type" in rules:
        return not _everywhere(get_path(rules, "config.ipAddress"))
    return (
        isinstance(rules, list)
        and bool(rules)
        and not any(_everywhere(get_path(rule, "ipAddress")) for rule in as_list(rules))
    )


class NoPublicNetworkAccess(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: storage and Key Vault private; the app's public side admits only SCM deployers",
            id="CKV_I365_8",
            categories=(CheckCategories.NETWORKING,),
            supported_resources=(STORAGE, KEY_VAULT, SITE),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        problems = []
        if self.entity_type == SITE:
            problems += site_public_access_problems(conf)
        elif get_path(conf, "properties.publicNetworkAccess") != "Disabled":
            problems.append("publicNetworkAccess is not 'Disabled'")
        denies_by_default = get_path(conf, "properties.networkAcls.defaultAction") == "Deny"
        if self.entity_type in {STORAGE, KEY_VAULT} and not denies_by_default:
            problems.append("networkAcls.defaultAction is not 'Deny'")
        if self.entity_type == STORAGE and get_path(conf, "properties.allowBlobPublicAccess") is not False:
            problems.append("allowBlobPublicAccess is not false")
        return result(problems)


public_access_check = NoPublicNetworkAccess()
