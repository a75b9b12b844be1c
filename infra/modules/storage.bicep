// The application's storage account (tables, queues, per-organisation blob containers, the
// Functions host state and the Flex deployment package).
// Geo-zone-redundant (three zones in UK South, asynchronous copy in UK West: disaster recovery of
// the data only; there is no compute or network in UK West, and no read access to the secondary,
// which would need its own private endpoints), TLS 1.2, HTTPS only, Entra ID
// only (shared keys off), no public network access (private endpoints for blob, queue and
// table), encrypted with a customer-managed HSM key plus infrastructure (double) encryption,
// and blob soft delete, versioning, change feed and point-in-time restore for operational backup.
// The tables' daily backup (shared/backup) goes to `table-backups`: version-level immutability with a
// 35-day time-based retention policy (WORM: no blob in it can be changed or deleted for 35 days, by
// anyone, the app's identity included), then a lifecycle rule removes it. The Backup vault also keeps a
// vaulted copy of that container (backup.bicep).
// https://learn.microsoft.com/azure/storage/blobs/immutable-storage-overview
// https://learn.microsoft.com/azure/storage/blobs/immutable-version-level-worm-policies
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
param blobDnsZoneId string
param queueDnsZoneId string
param tableDnsZoneId string
param workspaceId string

var deploymentContainerName = 'app-package'
// Must match BACKUP_CONTAINER and BACKUP_RETENTION in shared/backup/manifest.py (make scan checks it).
var tableBackupRetentionDays = 35
// Application queues (shared/storage/names.py) and the host's poison queues for them.
var queueNames = [
  'refresh-tenant'
  'compute-insights'
  'retention'
  'deletion'
  'refresh-tenant-poison'
  'compute-insights-poison'
  'retention-poison'
  'deletion-poison'
]
var privateEndpoints = [
  {
    service: 'blob'
    zoneId: blobDnsZoneId
  }
  {
    service: 'queue'
    zoneId: queueDnsZoneId
  }
  {
    service: 'table'
    zoneId: tableDnsZoneId
  }
]

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
    // Point-in-time restore: must be shorter than the delete retention above.
    restorePolicy: {
      enabled: true
      days: 30
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableBackupContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'table-backups'
  properties: {
    publicAccess: 'None'
    // Version-level WORM (needs the account's blob versioning, enabled above).
    immutableStorageWithVersioning: {
      enabled: true
    }
  }
}

// The container's default time-based retention: every blob version is immutable for 35 days from its
// creation. Lock it once after the first deployment (README, "Backup and disaster recovery"): a locked
// policy can be extended but never shortened or removed.
resource tableBackupImmutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2023-05-01' = {
  parent: tableBackupContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: tableBackupRetentionDays
    allowProtectedAppendWrites: false
  }
}

// Backups leave the container a day after their immutability ends.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'expire-table-backups'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                'table-backups/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: tableBackupRetentionDays + 1
                }
              }
              version: {
                delete: {
                  daysAfterCreationGreaterThan: tableBackupRetentionDays + 1
                }
              }
            }
          }
        }
      ]
    }
  }
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = [for queueName in queueNames: {
  parent: queueService
  name: queueName
}]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: account
  name: 'default'
}

resource storagePrivateEndpoints 'Microsoft.Network/privateEndpoints@2024-01-01' = [for pe in privateEndpoints: {
  name: 'pe-${accountName}-${pe.service}'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: privateEndpointSubnetId
    }
    privateLinkServiceConnections: [
      {
        name: pe.service
        properties: {
          privateLinkServiceId: account.id
          groupIds: [
            pe.service
          ]
        }
      }
    ]
  }
}]

resource storageDnsZoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-01-01' = [for (pe, i) in privateEndpoints: {
  parent: storagePrivateEndpoints[i]
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: pe.service
        properties: {
          privateDnsZoneId: pe.zoneId
        }
      }
    ]
  }
}]

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

// Queue logs also feed the poison-queue alert (StorageQueueLogs, alerts.bicep).
resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: queueService
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

resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: tableService
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
output deploymentContainerName string = deploymentContainer.name
output tableBackupContainerName string = tableBackupContainer.name
