"""Application Gateway checks: WAF_v2 with a policy, TLS 1.2+ forward secrecy, HTTP only redirects."""

from __future__ import annotations

from typing import Any

from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from insight365_support import as_list, get_path, last_segment, result

APPLICATION_GATEWAY = "Microsoft.Network/applicationGateways"
# Predefined policies whose minimum is TLS 1.2 and whose 1.2 suites are all ECDHE + AEAD.
STRICT_PREDEFINED_POLICIES = frozenset({"AppGwSslPolicy20220101S"})
MODERN_PROTOCOLS = frozenset({"TLSv1_2", "TLSv1_3"})


def is_forward_secret_aead(cipher: Any) -> bool:
    """Ephemeral ECDH key exchange (forward secrecy) with an AEAD bulk cipher."""
    return (
        isinstance(cipher, str)
        and cipher.startswith("TLS_ECDHE_")
        and ("_GCM_" in cipher or "CHACHA20_POLY1305" in cipher)
    )


def tls_policy_problems(ssl_policy: Any) -> list[str]:
    if not isinstance(ssl_policy, dict):
        return ["no sslPolicy (the platform default may allow TLS 1.0/1.1)"]
    policy_type = ssl_policy.get("policyType")
    if policy_type == "Predefined":
        if ssl_policy.get("policyName") in STRICT_PREDEFINED_POLICIES:
            return []
        return [f"predefined policy {ssl_policy.get('policyName')!r} is not a strict TLS 1.2+ policy"]
    if policy_type not in {"Custom", "CustomV2"}:
        return [f"sslPolicy.policyType {policy_type!r} is not Predefined, Custom or CustomV2"]
    problems = []
    minimum = ssl_policy.get("minProtocolVersion")
    if minimum not in MODERN_PROTOCOLS:
        problems.append(f"minProtocolVersion {minimum!r} is below TLSv1_2")
    ciphers = ssl_policy.get("cipherSuites")
    if minimum == "TLSv1_2":
        if not isinstance(ciphers, list) or not ciphers:
            problems.append("TLS 1.2 allowed without an explicit cipher list")
        else:
            weak = [cipher for cipher in ciphers if not is_forward_secret_aead(cipher)]
            if weak:
                problems.append(f"ciphers without forward secrecy/AEAD: {weak}")
    return problems


class GatewayTlsPolicy(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: Application Gateway allows only TLS 1.2+ with forward-secret AEAD ciphers",
            id="CKV_I365_3",
            categories=(CheckCategories.ENCRYPTION,),
            supported_resources=(APPLICATION_GATEWAY,),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return result(tls_policy_problems(get_path(conf, "properties.sslPolicy")))


class GatewayWafAndHttpsOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: App Gateway is WAF_v2 with a WAF policy, redirects HTTP, uses HTTPS back ends",
            id="CKV_I365_4",
            categories=(CheckCategories.NETWORKING,),
            supported_resources=(APPLICATION_GATEWAY,),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        properties = get_path(conf, "properties", {})
        problems = []
        if get_path(properties, "sku.name") != "WAF_v2" or get_path(properties, "sku.tier") != "WAF_v2":
            problems.append("sku is not WAF_v2")
        if not get_path(properties, "firewallPolicy.id"):
            problems.append("no firewallPolicy")
        if get_path(properties, "webApplicationFirewallConfiguration") is not None:
            problems.append("legacy inline webApplicationFirewallConfiguration (use a WAF policy)")

        plain_listeners = {
            listener.get("name")
            for listener in as_list(properties.get("httpListeners"))
            if isinstance(listener, dict) and get_path(listener, "properties.protocol") != "Https"
        }
        for rule in as_list(properties.get("requestRoutingRules")):
            rule_props = get_path(rule, "properties", {})
            if last_segment(rule_props.get("httpListener")) not in plain_listeners:
                continue
            if not rule_props.get("redirectConfiguration") or rule_props.get("backendAddressPool"):
                problems.append(f"rule {rule.get('name')!r} serves plain HTTP instead of redirecting")
        redirects = {
            redirect.get("name"): get_path(redirect, "properties", {})
            for redirect in as_list(properties.get("redirectConfigurations"))
            if isinstance(redirect, dict)
        }
        for name, redirect in redirects.items():
            if last_segment(redirect.get("targetListener")) in plain_listeners:
                problems.append(f"redirect {name!r} targets a plain-HTTP listener")

        for settings in as_list(properties.get("backendHttpSettingsCollection")):
            if get_path(settings, "properties.protocol") != "Https":
                problems.append(f"backend settings {settings.get('name')!r} are not HTTPS")
        return result(problems)


tls_check = GatewayTlsPolicy()
waf_gateway_check = GatewayWafAndHttpsOnly()
