#!/usr/bin/env bash
# azd postprovision hook (azure.yaml): builds the web app and publishes it to its static website.
#   1. builds web/ (npm ci + npm run build into web/dist);
#   2. turns on static website hosting on the web account (a data-plane setting, not an ARM property):
#      index document index.html, and no error document, so a missing file is a plain 404 (the gateway
#      rewrites deep links such as /licences to /index.html, which answer 200);
#   3. writes config.json (what the app reads at start-up: identity provider, SPA client id, scopes);
#   4. uploads web/dist to `$web` with Entra ID (the account has no shared keys): the account has no
#      public network access, so the hook admits INSIGHT365_DEPLOYER_IP_RANGES for the upload and
#      disables public access again when it ends, whatever happens.
# The deployer needs "Storage Blob Data Contributor" on the web account (AZURE_WEBSITE_ACCOUNT_NAME).
set -euo pipefail

: "${AZURE_WEBSITE_ACCOUNT_NAME:?run azd provision first}"
: "${INSIGHT365_OIDC_ISSUER:?set with azd env set}"
: "${INSIGHT365_SPA_CLIENT_ID:?set with azd env set: the client id of the SPA app registration}"
: "${INSIGHT365_DEPLOYER_IP_RANGES:?set with azd env set}"
: "${INSIGHT365_SPA_SCOPE:?set with azd env set, e.g. openid profile email api://insight365/access}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
(cd "$ROOT/web" && npm ci --no-audit --no-fund && npm run build)

ACCOUNT="$AZURE_WEBSITE_ACCOUNT_NAME"
close_public_access() {
  az storage account update --name "$ACCOUNT" --resource-group "$AZURE_RESOURCE_GROUP" \
    --public-network-access Disabled --output none
}
trap close_public_access EXIT
az storage account update --name "$ACCOUNT" --resource-group "$AZURE_RESOURCE_GROUP" \
  --public-network-access Enabled --default-action Deny --output none
for range in ${INSIGHT365_DEPLOYER_IP_RANGES//,/ }; do
  az storage account network-rule add --account-name "$ACCOUNT" --resource-group "$AZURE_RESOURCE_GROUP" \
    --ip-address "$range" --output none
done

az storage blob service-properties update --auth-mode login --account-name "$AZURE_WEBSITE_ACCOUNT_NAME" \
  --static-website --index-document index.html --output none

python3 - "$ROOT/web/dist/config.json" <<'PY'
import json, os, sys
config = {
    "issuer": os.environ["INSIGHT365_OIDC_ISSUER"],
    "clientId": os.environ["INSIGHT365_SPA_CLIENT_ID"],
    "scope": os.environ["INSIGHT365_SPA_SCOPE"],
    "apiBase": "",
}
with open(sys.argv[1], "w", encoding="utf-8") as target:
    json.dump(config, target)
PY

az storage blob upload-batch --auth-mode login --account-name "$AZURE_WEBSITE_ACCOUNT_NAME" \
  --destination '$web' --source "$ROOT/web/dist" --overwrite --output none
echo "web app published; its redirect URI is ${SPA_REDIRECT_URI:-https://<public host>/auth/callback}"
