// Insight365: the whole production service in one subscription-scope deployment.
//
//   azd up            (azure.yaml at the repository root), or
//   az deployment sub create --location uksouth --template-file infra/main.bicep \
//       --parameters infra/main.parameters.json
//
// `azd up` runs infra/hooks/preprovision.sh first: it registers the resource providers, checks the
// certificate vault and the deployer's address ranges, and creates the application keys once (see
// the README, "Deploy").
//
// Every security-relevant property is written as a literal in the resource that carries it
// (checkov and infra/checks read each file on its own and do not follow parameters into modules).
// `make scan` (infra/scan.sh) proves those properties offline.
targetScope = 'subscription'

@minLength(1)
@maxLength(20)
@description('azd environment name, e.g. prod. Used in resource names and the azd-env-name tag.')
param environmentName string

// UK West has no availability zones, so neither the zone-redundant Flex plan nor GZRS storage can be
// created there: it is the geo-secondary of the storage data only.
@allowed([
  'uksouth'
])
@description('Primary region: uksouth (zone-redundant Flex Consumption and GZRS need availability zones).')
param location string = 'uksouth'

@description('OpenID Connect issuer of the identity provider (Entra External ID), exactly as it appears in the `iss` claim.')
param oidcIssuer string

@description('Audience (`aud`) of access tokens for the Insight365 API: the API app registration\'s Application ID URI or client id.')
param oidcAudience string

@description('Origins of the single-page app allowed by CORS, comma separated, e.g. https://app.insight365.example.')
param spaOrigins string

@description('Public host name served by the Application Gateway, e.g. api.insight365.example.')
param publicHostName string

@description('Key Vault (in another resource group) that holds the TLS certificate for publicHostName.')
param tlsCertificateVaultName string

@description('Resource group of tlsCertificateVaultName.')
param tlsCertificateVaultResourceGroup string

@description('Name of the certificate in tlsCertificateVaultName (its secret id is version-less so renewals roll out automatically).')
param tlsCertificateName string

@description('E-mail address that receives operational alerts.')
param alertEmail string

@description('INSIGHT365_OIDC_DISCOVERY_URL: discovery document when it is not <issuer>/.well-known/openid-configuration; empty otherwise.')
param oidcDiscoveryUrl string = ''

@minLength(1)
@description('Comma-separated public IPv4 ranges (CIDR) of the machine or CI runner that runs `azd deploy`: the only addresses that reach the Function App\'s deployment (SCM) endpoint.')
param deployerIpRanges string

@secure()
@description('INSIGHT365_PAGE_TOKEN_KEY, base64 of 32 random bytes. Generated once by infra/hooks/preprovision.sh and kept in the azd environment; changing it invalidates continuation tokens and deletion request ids.')
param pageTokenKey string

@description('INSIGHT365_MFA_KEY_IDS: secret names of the AES-256 keys that encrypt TOTP secrets, the current one first.')
param mfaKeyIds string = 'mfa-key-1'

@secure()
@description('Base64 of the 32-byte key named first in mfaKeyIds. Generated once by infra/hooks/preprovision.sh; older keys stay in the vault from earlier deployments.')
param mfaKey string

@description('Optional object id of the deploying user; gets no data-plane roles (kept for azd compatibility).')
param principalId string = ''

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
// The app is served from the gateway's host name (one origin with the API); web/src/auth/identity.ts
// returns from the identity provider to /auth/callback on that origin.
var spaRedirectUri = 'https://${publicHostName}/auth/callback'
// The app's CSP admits calls to the identity provider's origin only (discovery, token endpoint).
var identityProviderOrigin = 'https://${split(oidcIssuer, '/')[2]}'
var tags = {
  'azd-env-name': environmentName
  application: 'insight365'
  'data-residency': 'uk'
}

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourceGroup}insight365-${environmentName}'
  location: location
  tags: tags
}

// UK-only hosting, enforced by Azure Policy in the subscription. The built-in "Allowed locations"
// excludes resource groups and `global` resources (its rule skips both), so resource groups get the
// built-in "Allowed locations for resource groups" as well. Global resources (private DNS zones, the
// action group) hold configuration only, never customer data; the Communication Services resources
// (customer e-mail) are global by design and keep their data at rest in the UK (dataLocation 'UK').
// https://learn.microsoft.com/azure/governance/policy/samples/built-in-policies#general
resource allowedLocations 'Microsoft.Authorization/policyAssignments@2024-04-01' = {
  name: 'insight365-allowed-locations-${environmentName}'
  properties: {
    displayName: 'Insight365: allowed locations (UK South, UK West)'
    description: 'Customer promise: UK-only hosting. Denies any resource created outside UK South and UK West.'
    policyDefinitionId: '/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c'
    enforcementMode: 'Default'
    parameters: {
      listOfAllowedLocations: {
        value: [
          'uksouth'
          'ukwest'
        ]
      }
    }
  }
}

resource allowedResourceGroupLocations 'Microsoft.Authorization/policyAssignments@2024-04-01' = {
  name: 'insight365-allowed-rg-locations-${environmentName}'
  properties: {
    displayName: 'Insight365: allowed locations for resource groups (UK South, UK West)'
    description: 'Customer promise: UK-only hosting. Denies any resource group created outside UK South and UK West.'
    policyDefinitionId: '/providers/Microsoft.Authorization/policyDefinitions/e765b5de-1225-4ba3-bd56-1ac6695af988'
    enforcementMode: 'Default'
    parameters: {
      listOfAllowedLocations: {
        value: [
          'uksouth'
          'ukwest'
        ]
      }
    }
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    workspaceName: '${abbrs.logAnalytics}${resourceToken}'
    appInsightsName: '${abbrs.appInsights}${resourceToken}'
    actionGroupName: '${abbrs.actionGroup}${resourceToken}'
    alertEmail: alertEmail
  }
}

module network 'modules/network.bicep' = {
  name: 'network'
  scope: rg
  params: {
    location: location
    tags: tags
    vnetName: '${abbrs.virtualNetwork}${resourceToken}'
    workspaceId: monitoring.outputs.workspaceId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  scope: rg
  params: {
    location: location
    tags: tags
    vaultName: '${abbrs.keyVault}${resourceToken}'
    storageIdentityName: '${abbrs.managedIdentity}st-${resourceToken}'
    privateEndpointSubnetId: network.outputs.privateEndpointSubnetId
    privateDnsZoneId: network.outputs.keyVaultDnsZoneId
    workspaceId: monitoring.outputs.workspaceId
    appInsightsName: monitoring.outputs.appInsightsName
    pageTokenKey: pageTokenKey
    mfaKeyId: first(split(mfaKeyIds, ','))
    mfaKey: mfaKey
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    accountName: '${abbrs.storageAccount}${resourceToken}'
    encryptionIdentityId: keyVault.outputs.storageIdentityId
    keyVaultUri: keyVault.outputs.vaultUri
    keyName: keyVault.outputs.storageKeyName
    privateEndpointSubnetId: network.outputs.privateEndpointSubnetId
    blobDnsZoneId: network.outputs.blobDnsZoneId
    queueDnsZoneId: network.outputs.queueDnsZoneId
    tableDnsZoneId: network.outputs.tableDnsZoneId
    workspaceId: monitoring.outputs.workspaceId
  }
}

module website 'modules/website.bicep' = {
  name: 'website'
  scope: rg
  params: {
    location: location
    tags: tags
    accountName: '${abbrs.storageAccount}web${resourceToken}'
    encryptionIdentityId: keyVault.outputs.storageIdentityId
    keyVaultUri: keyVault.outputs.vaultUri
    keyName: keyVault.outputs.storageKeyName
    privateEndpointSubnetId: network.outputs.privateEndpointSubnetId
    webDnsZoneId: network.outputs.webDnsZoneId
    workspaceId: monitoring.outputs.workspaceId
  }
}

module backup 'modules/backup.bicep' = {
  name: 'backup'
  scope: rg
  params: {
    location: location
    tags: tags
    vaultName: '${abbrs.backupVault}${resourceToken}'
    storageAccountName: storage.outputs.accountName
    tableBackupContainerName: storage.outputs.tableBackupContainerName
    workspaceId: monitoring.outputs.workspaceId
  }
}

module email 'modules/email.bicep' = {
  name: 'email'
  scope: rg
  params: {
    tags: tags
    communicationServiceName: '${abbrs.communicationService}${resourceToken}'
    emailServiceName: '${abbrs.emailService}${resourceToken}'
    workspaceId: monitoring.outputs.workspaceId
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  scope: rg
  params: {
    location: location
    tags: tags
    serviceName: 'api'
    planName: '${abbrs.appServicePlan}${resourceToken}'
    appName: '${abbrs.functionApp}${resourceToken}'
    storageAccountName: storage.outputs.accountName
    deploymentContainerName: storage.outputs.deploymentContainerName
    appSubnetId: network.outputs.appSubnetId
    privateEndpointSubnetId: network.outputs.privateEndpointSubnetId
    privateDnsZoneId: network.outputs.sitesDnsZoneId
    keyVaultName: keyVault.outputs.vaultName
    appInsightsSecretName: keyVault.outputs.appInsightsSecretName
    pageTokenSecretName: keyVault.outputs.pageTokenSecretName
    mfaKeyIds: mfaKeyIds
    oidcIssuer: oidcIssuer
    oidcDiscoveryUrl: oidcDiscoveryUrl
    oidcAudience: oidcAudience
    spaOrigins: spaOrigins
    deployerIpRanges: deployerIpRanges
    acsEndpoint: email.outputs.endpoint
    acsSender: email.outputs.sender
    workspaceId: monitoring.outputs.workspaceId
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    appPrincipalId: functionApp.outputs.principalId
    storageAccountName: storage.outputs.accountName
    keyVaultName: keyVault.outputs.vaultName
    appInsightsName: monitoring.outputs.appInsightsName
    communicationServiceName: email.outputs.communicationServiceName
  }
}

// The gateway's identity and its read access to the certificate depend on nothing, so ARM creates
// them first; the gateway itself waits for the Function App, many minutes later, by which time the
// role assignment has propagated (Application Gateway fails to create if it cannot read the
// certificate).
module gatewayIdentity 'modules/gateway-identity.bicep' = {
  name: 'gateway-identity'
  scope: rg
  params: {
    location: location
    tags: tags
    identityName: '${abbrs.managedIdentity}agw-${resourceToken}'
  }
}

module certificateAccess 'modules/certificate-access.bicep' = {
  name: 'certificate-access'
  scope: resourceGroup(tlsCertificateVaultResourceGroup)
  params: {
    vaultName: tlsCertificateVaultName
    certificateName: tlsCertificateName
    gatewayPrincipalId: gatewayIdentity.outputs.principalId
  }
}

module gateway 'modules/gateway.bicep' = {
  name: 'gateway'
  scope: rg
  dependsOn: [
    certificateAccess
  ]
  params: {
    location: location
    tags: tags
    gatewayName: '${abbrs.applicationGateway}${resourceToken}'
    wafPolicyName: '${abbrs.wafPolicy}${resourceToken}'
    publicIpName: '${abbrs.publicIp}agw-${resourceToken}'
    gatewaySubnetId: network.outputs.gatewaySubnetId
    gatewayIdentityId: gatewayIdentity.outputs.identityId
    publicHostName: publicHostName
    tlsCertificateSecretId: 'https://${tlsCertificateVaultName}${environment().suffixes.keyvaultDns}/secrets/${tlsCertificateName}'
    backendHostName: functionApp.outputs.defaultHostName
    webHostName: website.outputs.webHostName
    identityProviderOrigin: identityProviderOrigin
    workspaceId: monitoring.outputs.workspaceId
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  dependsOn: [
    storage
    functionApp
    gateway
  ]
  params: {
    location: location
    tags: tags
    namePrefix: resourceToken
    workspaceId: monitoring.outputs.workspaceId
    actionGroupId: monitoring.outputs.actionGroupId
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.vaultName
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.accountName
output GATEWAY_PUBLIC_IP string = gateway.outputs.publicIpAddress
output DEPLOYING_PRINCIPAL_ID string = principalId
output AZURE_WEBSITE_ACCOUNT_NAME string = website.outputs.accountName
// Register this exact URI as the SPA platform's redirect URI of the Entra External ID app registration
// (README, "Deploy"); the app signs in with the authorization-code flow + PKCE and returns here.
output SPA_REDIRECT_URI string = spaRedirectUri
