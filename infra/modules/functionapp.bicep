// The Function App on Flex Consumption (Linux, Python 3.11): system-assigned identity, VNet
// integration (all outbound traffic through the VNet to the private endpoints), HTTPS only, TLS 1.2
// minimum, no FTP and no basic publishing credentials.
//
// Inbound: the app is served only through its private endpoint, the Application Gateway's back end.
// Public network access stays enabled for one reason: `azd deploy` publishes a Flex Consumption app
// by posting the package to the app's SCM endpoint from the deploying machine (Azure/azure-dev,
// cli/azd/pkg/azapi/function_app.go), and a private-only SCM cannot be reached from there. So the
// public side is closed by access restrictions instead: the main site denies every public request
// (no allow rule), and SCM admits only `deployerIpRanges`, with Entra ID authentication (basic
// publishing credentials are off). Access restrictions are not evaluated for private endpoint
// traffic, so the gateway path is unaffected:
// https://learn.microsoft.com/azure/app-service/overview-private-endpoint#security-considerations
// The package then reaches the private deployment container through the app's VNet integration, as in
// Microsoft's own azd Flex Consumption quickstarts with `vnetEnabled`.
//
// siteConfig carries no ftpsState: Flex Consumption rejects it (ARM 51021, "site configuration
// properties ... for Flex Consumption sites is invalid"; microsoft/azure-pipelines-tasks#21032,
// Azure/azure-cli#31414); FTP is off through basicPublishingCredentialsPolicies below.
@allowed([
  'uksouth'
  'ukwest'
])
param location string
param tags object
@description('azd service this app is deployed as (azure.yaml); only the site carries the tag.')
param serviceName string
param planName string
param appName string
param storageAccountName string
param deploymentContainerName string
param appSubnetId string
param privateEndpointSubnetId string
param privateDnsZoneId string
param keyVaultName string
param appInsightsSecretName string
param pageTokenSecretName string
param mfaKeyIds string
param oidcIssuer string
param oidcDiscoveryUrl string
param oidcAudience string
param spaOrigins string
@description('Comma-separated public CIDR ranges allowed to reach the SCM (deployment) endpoint.')
param deployerIpRanges string
@description('Endpoint of the Communication Service that mails customers (email.bicep).')
param acsEndpoint string
@description('Sender address on the Azure-managed e-mail domain (email.bicep).')
param acsSender string
param workspaceId string

var storageSuffix = environment().suffixes.storage
var keyVaultUrl = 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/'
var deployerRules = [for (range, i) in split(deployerIpRanges, ','): {
  name: 'deployer-${i}'
  ipAddress: trim(range)
  action: 'Allow'
  priority: 100 + i
  tag: 'Default'
}]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
    zoneRedundant: true // UK South; the platform then keeps at least two always-ready instances per function group
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    virtualNetworkSubnetId: appSubnetId
    keyVaultReferenceIdentity: 'SystemAssigned'
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: 'https://${storageAccountName}.blob.${storageSuffix}/${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: 2048
        maximumInstanceCount: 100
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      remoteDebuggingEnabled: false
      ipSecurityRestrictionsDefaultAction: 'Deny'
      ipSecurityRestrictions: []
      scmIpSecurityRestrictionsUseMain: false
      scmIpSecurityRestrictionsDefaultAction: 'Deny'
      scmIpSecurityRestrictions: deployerRules
      appSettings: [
        // Host storage through the app's identity: no connection string, no account key.
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__accountName'
          value: storageAccountName
        }
        {
          name: 'AzureWebJobsStorage__blobServiceUri'
          value: 'https://${storageAccountName}.blob.${storageSuffix}'
        }
        {
          name: 'AzureWebJobsStorage__queueServiceUri'
          value: 'https://${storageAccountName}.queue.${storageSuffix}'
        }
        {
          name: 'AzureWebJobsStorage__tableServiceUri'
          value: 'https://${storageAccountName}.table.${storageSuffix}'
        }
        // Secrets only as Key Vault references, resolved by the platform with the app's identity.
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${appInsightsSecretName})'
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'Authorization=AAD'
        }
        {
          name: 'INSIGHT365_ENVIRONMENT'
          value: 'production'
        }
        {
          name: 'INSIGHT365_MAX_BODY_BYTES'
          value: '65536'
        }
        {
          name: 'INSIGHT365_CORS_ORIGINS'
          value: spaOrigins
        }
        {
          name: 'INSIGHT365_KEY_VAULT_URL'
          value: keyVaultUrl
        }
        {
          name: 'INSIGHT365_OIDC_ISSUER'
          value: oidcIssuer
        }
        {
          name: 'INSIGHT365_OIDC_DISCOVERY_URL'
          value: oidcDiscoveryUrl
        }
        {
          name: 'INSIGHT365_OIDC_AUDIENCE'
          value: oidcAudience
        }
        {
          name: 'INSIGHT365_SECRET_STORE'
          value: 'keyvault'
        }
        {
          // Timer schedules are %app setting% references: the host must find them as real settings.
          name: 'INSIGHT365_REFRESH_SCHEDULE'
          value: '0 0 2 * * *'
        }
        {
          name: 'INSIGHT365_RETENTION_SCHEDULE'
          value: '0 30 3 * * *'
        }
        {
          name: 'INSIGHT365_BACKUP_SCHEDULE'
          value: '0 0 1-5 * * *'
        }
        {
          // Signs list continuation tokens; the secret is created by keyvault.bicep.
          name: 'INSIGHT365_PAGE_TOKEN_KEY'
          value: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=${pageTokenSecretName})'
        }
        {
          // Secret-store names of the TOTP encryption keys; keyvault.bicep creates the first.
          name: 'INSIGHT365_MFA_KEY_IDS'
          value: mfaKeyIds
        }
        {
          // Customers' notices through Azure Communication Services Email, signed with this app's
          // managed identity: an endpoint and a sender address, no connection string or key.
          name: 'INSIGHT365_CUSTOMER_EMAIL_CHANNEL'
          value: 'acs'
        }
        {
          name: 'INSIGHT365_ACS_ENDPOINT'
          value: acsEndpoint
        }
        {
          name: 'INSIGHT365_ACS_SENDER'
          value: acsSender
        }
      ]
    }
  }
}

// No FTP or Kudu basic-auth publishing; deployments use Entra ID (azd does).
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

resource privateEndpoint 'Microsoft.Network/privateEndpoints@2024-01-01' = {
  name: 'pe-${appName}'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: privateEndpointSubnetId
    }
    privateLinkServiceConnections: [
      {
        name: 'sites'
        properties: {
          privateLinkServiceId: app.id
          groupIds: [
            'sites'
          ]
        }
      }
    ]
  }
}

resource privateDnsZoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-01-01' = {
  parent: privateEndpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: 'sites'
        properties: {
          privateDnsZoneId: privateDnsZoneId
        }
      }
    ]
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: app
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

output name string = app.name
output principalId string = app.identity.principalId
output defaultHostName string = app.properties.defaultHostName
