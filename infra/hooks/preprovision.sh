#!/usr/bin/env bash
# azd preprovision hook (azure.yaml): makes a fresh subscription ready for infra/main.bicep and fails
# early, in plain words, on what would otherwise fail half-way through `azd provision`.
#   1. registers every resource provider the template uses (Microsoft.App: Flex Consumption VNet
#      integration; `make scan` checks this list against the template);
#   2. requires the deployer's public address ranges (the only addresses that reach SCM);
#   3. checks the certificate vault: same subscription, RBAC authorisation, reachable by Application
#      Gateway (public network access with the trusted-services bypass; a vault reachable only through
#      its own private endpoint is not supported), and an enabled certificate;
#   4. generates the application keys once (page-token key, TOTP encryption key) and keeps them in the
#      azd environment; refuses to generate new ones for an environment that was deployed before.
set -euo pipefail

PROVIDERS="Microsoft.App Microsoft.Communication Microsoft.DataProtection Microsoft.Insights Microsoft.KeyVault Microsoft.ManagedIdentity Microsoft.Network Microsoft.OperationalInsights Microsoft.Storage Microsoft.Web"

fail() { echo "preprovision: $*" >&2; exit 1; }
env_value() { azd env get-value "$1" 2>/dev/null || true; }

for namespace in $PROVIDERS; do
  state="$(az provider show --namespace "$namespace" --query registrationState -o tsv 2>/dev/null || true)"
  if [[ "$state" != "Registered" ]]; then
    echo "preprovision: registering $namespace (was: ${state:-unknown})"
    az provider register --namespace "$namespace" --wait
  fi
done

[[ -n "$(env_value INSIGHT365_DEPLOYER_IP_RANGES)" ]] || fail \
  "set INSIGHT365_DEPLOYER_IP_RANGES to the public CIDR range(s) of this machine or CI runner, e.g. azd env set INSIGHT365_DEPLOYER_IP_RANGES 203.0.113.7/32"

vault="$(env_value INSIGHT365_TLS_CERT_VAULT_NAME)"
vault_group="$(env_value INSIGHT365_TLS_CERT_VAULT_RESOURCE_GROUP)"
certificate="$(env_value INSIGHT365_TLS_CERT_NAME)"
read -r rbac public_access default_action bypass < <(az keyvault show --name "$vault" --resource-group "$vault_group" \
  --query "[properties.enableRbacAuthorization, properties.publicNetworkAccess, properties.networkAcls.defaultAction, properties.networkAcls.bypass]" -o tsv \
  | tr '\n' ' ') || fail "certificate vault $vault not found in resource group $vault_group of this subscription (Application Gateway reads certificates only from its own subscription)"
[[ "$rbac" == "true" ]] || fail "certificate vault $vault uses access policies; enable RBAC authorisation (the template grants Key Vault Secrets User on the certificate)"
[[ "$public_access" != "Disabled" ]] || fail "certificate vault $vault has public network access disabled; Application Gateway cannot reach a vault behind its own private endpoint from this VNet"
if [[ "$default_action" == "Deny" && "$bypass" != *AzureServices* ]]; then
  fail "certificate vault $vault has a firewall without the trusted-services bypass (Application Gateway is a trusted service)"
fi
[[ "$(az keyvault certificate show --vault-name "$vault" --name "$certificate" --query attributes.enabled -o tsv)" == "true" ]] \
  || fail "certificate $certificate in $vault is missing or disabled"

environment="$(env_value AZURE_ENV_NAME)"
for key in INSIGHT365_APP_PAGE_TOKEN_KEY INSIGHT365_APP_MFA_KEY; do
  if [[ -z "$(env_value "$key")" ]]; then
    if [[ "$(az group exists --name "rg-insight365-$environment")" == "true" ]]; then
      fail "$key is missing from this azd environment but rg-insight365-$environment exists: restore the key (a new one would make every TOTP secret or continuation token unreadable)"
    fi
    azd env set "$key" "$(openssl rand -base64 32)"
    echo "preprovision: generated $key (kept in the azd environment; back it up)"
  fi
done
