// Key Vault: RBAC authorisation, soft delete + purge protection, no public network access,
// reachable only through its private endpoint. Holds the storage customer-managed key (HSM),
// the Application Insights connection string and the application keys (page-token key, TOTP
// encryption key), all read by the Function App as Key Vault references or through the secret
// store, and, at run time, the customers' Graph client secrets written by the API.
@allowed([
  'uksouth'
  'ukwest'
])
param location string
param tags object
param vaultName string
param storageIdentityName string
param privateEndpointSubnetId string
param privateDnsZoneId string
param workspaceId string
param appInsightsName string
@secure()
param pageTokenKey string
@description('Secret name of the current TOTP encryption key (the first of INSIGHT365_MFA_KEY_IDS).')
param mfaKeyId string
@secure()
param mfaKey string

var storageKeyName = 'storage-cmk'
var appInsightsSecretName = 'appinsights-connection-string'
var pageTokenSecretName = 'page-token-key'
var cryptoServiceEncryptionUserRoleId = 'e147488a-f6f5-4113-8e2d-b22465e65bf6'

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'premium' // HSM-backed keys for the storage CMK
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Disabled'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
      ipRules: []
      virtualNetworkRules: []
    }
  }
}

// Customer-managed key for the storage account: RSA-HSM 3072, rotated yearly by Key Vault.
// Storage uses the version-less key URI, so it picks up every rotation by itself.
resource storageKey 'Microsoft.KeyVault/vaults/keys@2023-07-01' = {
  parent: vault
  name: storageKeyName
  tags: tags
  properties: {
    kty: 'RSA-HSM'
    keySize: 3072
    keyOps: [
      'wrapKey'
      'unwrapKey'
    ]
    attributes: {
      enabled: true
      exportable: false
    }
    rotationPolicy: {
      attributes: {
        expiryTime: 'P2Y'
      }
      lifetimeActions: [
        {
          action: {
            type: 'rotate'
          }
          trigger: {
            timeAfterCreate: 'P1Y'
          }
        }
        {
          action: {
            type: 'notify'
          }
          trigger: {
            timeBeforeExpiry: 'P30D'
          }
        }
      ]
    }
  }
}

// The storage account must reach its key at creation time, before it has a system identity:
// a user-assigned identity with wrap/unwrap on this one key only.
resource storageIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: storageIdentityName
  location: location
  tags: tags
}

resource storageKeyAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageKey.id, storageIdentity.id, cryptoServiceEncryptionUserRoleId)
  scope: storageKey
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cryptoServiceEncryptionUserRoleId)
    principalId: storageIdentity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource appInsightsSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: appInsightsSecretName
  tags: tags
  properties: {
    value: appInsights.properties.ConnectionString
    contentType: 'text/plain'
    attributes: {
      enabled: true
    }
  }
}

// The application keys come from the deployment (secure parameters the preprovision hook generates
// once), so a fresh deployment starts healthy: the vault is private and RBAC-only, and nobody
// outside the VNet could set them afterwards.
resource pageTokenSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: pageTokenSecretName
  tags: tags
  properties: {
    value: pageTokenKey
    contentType: 'application/octet-stream; base64'
    attributes: {
      enabled: true
    }
  }
}

resource mfaKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: mfaKeyId
  tags: tags
  properties: {
    value: mfaKey
    contentType: 'application/octet-stream; base64'
    attributes: {
      enabled: true
    }
  }
}

resource privateEndpoint 'Microsoft.Network/privateEndpoints@2024-01-01' = {
  name: 'pe-${vaultName}'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: privateEndpointSubnetId
    }
    privateLinkServiceConnections: [
      {
        name: 'vault'
        properties: {
          privateLinkServiceId: vault.id
          groupIds: [
            'vault'
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
        name: 'vault'
        properties: {
          privateDnsZoneId: privateDnsZoneId
        }
      }
    ]
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
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

output vaultName string = vault.name
output vaultUri string = vault.properties.vaultUri
output storageKeyName string = storageKey.name
output storageIdentityId string = storageIdentity.id
output appInsightsSecretName string = appInsightsSecret.name
output pageTokenSecretName string = pageTokenSecret.name
