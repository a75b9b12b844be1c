// The web app (web/dist) as a Storage static website in UK South. Static Web Apps cannot be placed in
// the UK, so the SPA is served from the `$web` container of an account of its own (no customer data
// in it, so the deployer's upload right reaches nothing else), through a private endpoint for the
// `web` sub-resource (zone privatelink.web.core.windows.net), which Application Gateway reaches from
// the VNet: https://learn.microsoft.com/azure/storage/common/storage-private-endpoints
// Static website hosting itself is a data-plane setting (Set Blob Service Properties), not an ARM
// property: infra/hooks/postprovision.sh enables it and uploads the build
// (https://learn.microsoft.com/azure/storage/blobs/storage-blob-static-website).
// No public network access: readers reach the files only through the gateway. The upload hook opens
// the public endpoint to INSIGHT365_DEPLOYER_IP_RANGES for the upload and closes it again.
@allowed([
  'uksouth'
  'ukwest'
])
param location string
param tags object
param accountName string
param encryptionIdentityId string
param keyVaultUri string
param keyName string
param privateEndpointSubnetId string
param webDnsZoneId string
param workspaceId string

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: accountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_GZRS'
  }
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${encryptionIdentityId}': {}
    }
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Disabled'
    networkAcls: {
      defaultAction: 'Deny'
      bypass: 'AzureServices'
      ipRules: []
      virtualNetworkRules: []
    }
    encryption: {
      requireInfrastructureEncryption: true
      keySource: 'Microsoft.Keyvault'
      identity: {
        userAssignedIdentity: encryptionIdentityId
      }
      keyvaultproperties: {
        keyvaulturi: keyVaultUri
        keyname: keyName
      }
      services: {
        blob: {
          enabled: true
          keyType: 'Account'
        }
        file: {
          enabled: true
          keyType: 'Account'
        }
        queue: {
          enabled: true
          keyType: 'Account'
        }
        table: {
          enabled: true
          keyType: 'Account'
        }
      }
    }
  }
}

// A bad upload is undone by restoring the previous versions of the files.
resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 35
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 35
    }
    isVersioningEnabled: true
    changeFeed: {
      enabled: true
      retentionInDays: 35
    }
    restorePolicy: {
      enabled: true
      days: 30
    }
  }
}

resource webPrivateEndpoint 'Microsoft.Network/privateEndpoints@2024-01-01' = {
  name: 'pe-${accountName}-web'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: privateEndpointSubnetId
    }
    privateLinkServiceConnections: [
      {
        name: 'web'
        properties: {
          privateLinkServiceId: account.id
          groupIds: [
            'web'
          ]
        }
      }
    ]
  }
}

resource webDnsZoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-01-01' = {
  parent: webPrivateEndpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: 'web'
        properties: {
          privateDnsZoneId: webDnsZoneId
        }
      }
    ]
  }
}

resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: account
  properties: {
    workspaceId: workspaceId
    metrics: [
      {
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: blobService
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
        category: 'Transaction'
        enabled: true
      }
    ]
  }
}

output accountName string = account.name
// e.g. stweb123.z33.web.core.windows.net: resolves to the private endpoint inside the VNet.
output webHostName string = replace(replace(account.properties.primaryEndpoints.web, 'https://', ''), '/', '')
