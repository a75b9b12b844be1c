// The Function App on Flex Consumption (Linux, Python 3.11): system-assigned identity, VNet
// integration (all outbound traffic through the VNet to the private endpoints), HTTPS only, TLS 1.2
// minimum, FTP(S) off, no basic publishing credentials, no public network access: its only way in
// is its private endpoint, which is the Application Gateway's back end.
@allowed([
  'uksouth'
  'ukwest'
])
param location string
param tags object
param planName string
param appName string
param storageAccountName string
param deploymentContainerName string
param appSubnetId string
param privateEndpointSubnetId string
param privateDnsZoneId string
param keyVaultName string
param appInsightsSecretName string
param oidcIssuer string
param oidcAudience string
param spaOrigins string
param workspaceId string

var storageSuffix = environment().suffixes.storage
var keyVaultUrl = 'https://${keyVaultName}${environment().suffixes.keyvaultDns}/'

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
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Disabled'
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
      ftpsState: 'Disabled'
      http20Enabled: true
      remoteDebuggingEnabled: false
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
          // Signs list continuation tokens; created once by the post-provision step (see DEPLOY).
          name: 'INSIGHT365_PAGE_TOKEN_KEY'
          value: '@Microsoft.KeyVault(VaultName=${keyVaultName};SecretName=page-token-key)'
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
