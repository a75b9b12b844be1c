"""WAF policy checks: checkov's WAF-enabled and WAF-mode checks exist only for Terraform."""

from __future__ import annotations

from typing import Any

from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from insight365_support import MAX_WAF_BODY_KB, as_list, get_path, result, version_at_least

WAF_POLICY = "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies"


def _has_core_rule_set(rule_sets: list[Any]) -> bool:
    """OWASP CRS 3.2+ or the Microsoft Default Rule Set 2.1+ (the OWASP-based successor)."""
    for rule_set in rule_sets:
        if not isinstance(rule_set, dict):
            continue
        kind, version = rule_set.get("ruleSetType"), rule_set.get("ruleSetVersion")
        if kind == "OWASP" and version_at_least(version, (3, 2)):
            return True
        if kind == "Microsoft_DefaultRuleSet" and version_at_least(version, (2, 1)):
            return True
    return False


class WafPolicyPreventionWithOwaspRules(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: WAF policy is enabled in Prevention mode with OWASP CRS 3.2+ / DRS 2.1+ rules",
            id="CKV_I365_1",
            categories=(CheckCategories.NETWORKING,),
            supported_resources=(WAF_POLICY,),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        problems = []
        if get_path(conf, "properties.policySettings.state") != "Enabled":
            problems.append("policySettings.state is not 'Enabled'")
        if get_path(conf, "properties.policySettings.mode") != "Prevention":
            problems.append("policySettings.mode is not 'Prevention'")
        if not _has_core_rule_set(as_list(get_path(conf, "properties.managedRules.managedRuleSets"))):
            problems.append("no OWASP 3.2+ or Microsoft_DefaultRuleSet 2.1+ managed rule set")
        return result(problems)


class WafPolicyBodyInspectionAndRateLimit(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: WAF policy inspects request bodies, caps them at 64 KB and rate-limits clients",
            id="CKV_I365_2",
            categories=(CheckCategories.NETWORKING,),
            supported_resources=(WAF_POLICY,),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        settings = get_path(conf, "properties.policySettings", {})
        problems = []
        if settings.get("requestBodyCheck") is not True:
            problems.append("requestBodyCheck is not true")
        if settings.get("requestBodyEnforcement") is False:
            problems.append("requestBodyEnforcement is false")
        limit = settings.get("maxRequestBodySizeInKb")
        if not isinstance(limit, int) or isinstance(limit, bool) or not 0 < limit <= MAX_WAF_BODY_KB:
            problems.append(f"maxRequestBodySizeInKb is not a literal <= {MAX_WAF_BODY_KB}")
        rate_limits = [
            rule
            for rule in as_list(get_path(conf, "properties.customRules"))
            if isinstance(rule, dict)
            and rule.get("ruleType") == "RateLimitRule"
            and rule.get("action") == "Block"
            and rule.get("state", "Enabled") == "Enabled"
        ]
        if not rate_limits:
            problems.append("no enabled RateLimitRule that blocks")
        return result(problems)


waf_mode_check = WafPolicyPreventionWithOwaspRules()
waf_body_check = WafPolicyBodyInspectionAndRateLimit()
