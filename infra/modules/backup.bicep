// Azure Backup for the application's blobs.
//
// Operational backup (continuous, point-in-time restore of every container, including the
// per-organisation containers created at run time) managed by a Backup vault with immutability
// and soft delete. Geo-separation: the storage account is GZRS, so blobs, their versions and the
// restore state are replicated to the paired region (UK West for a UK South deployment), and the
// vault's own store is GeoRedundant with cross-region restore.
//
// The vault sits in the storage account's region: Azure Backup protects a data source from a
// vault in the same region (see the README, "Deploy").
//
// Vaulted backup of the tables' backup container: once a day (after the table backup's window) the
// vault copies `table-backups` into its own GeoRedundant store, so a copy sits in UK West, outside the
// storage account, where the app's identity holds no role and so cannot delete it; kept 35 days.
// https://learn.microsoft.com/azure/backup/blob-backup-overview
// https://learn.microsoft.com/azure/backup/backup-blobs-storage-account-bicep
@allowed([
  'uksouth'
  'ukwest'
])
param location string
param tags object
param vaultName string
param storageAccountName string
param workspaceId string
@description('The container of the tables\' daily backups, protected by vaulted backup.')
param tableBackupContainerName string

var storageAccountBackupContributorRoleId = 'e5e2a7ff-d759-4cd2-bb51-3152d37e2eb1'

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.DataProtection/backupVaults@2024-04-01' = {
  name: vaultName
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    storageSettings: [
      {
        datastoreType: 'VaultStore'
        type: 'GeoRedundant'
      }
    ]
    securitySettings: {
      softDeleteSettings: {
        state: 'On'
        retentionDurationInDays: 14
      }
      immutabilitySettings: {
        state: 'Unlocked'
      }
    }
    featureSettings: {
      crossRegionRestoreSettings: {
        state: 'Enabled'
      }
    }
  }
}

resource blobPolicy 'Microsoft.DataProtection/backupVaults/backupPolicies@2024-04-01' = {
  parent: vault
  name: 'blobs-operational-30d-vaulted-35d'
  properties: {
    objectType: 'BackupPolicy'
    datasourceTypes: [
      'Microsoft.Storage/storageAccounts/blobServices'
    ]
    policyRules: [
      {
        name: 'Default'
        objectType: 'AzureRetentionRule'
        isDefault: true
        lifecycles: [
          {
            deleteAfter: {
              objectType: 'AbsoluteDeleteOption'
              duration: 'P30D'
            }
            sourceDataStore: {
              objectType: 'DataStoreInfoBase'
              dataStoreType: 'OperationalStore'
            }
            targetDataStoreCopySettings: []
          }
          {
            deleteAfter: {
              objectType: 'AbsoluteDeleteOption'
              duration: 'P35D'
            }
            sourceDataStore: {
              objectType: 'DataStoreInfoBase'
              dataStoreType: 'VaultStore'
            }
            targetDataStoreCopySettings: []
          }
        ]
      }
      {
        name: 'BackupDaily'
        objectType: 'AzureBackupRule'
        backupParameters: {
          objectType: 'AzureBackupParams'
          backupType: 'Discrete'
        }
        dataStore: {
          objectType: 'DataStoreInfoBase'
          dataStoreType: 'VaultStore'
        }
        trigger: {
          objectType: 'ScheduleBasedTriggerContext'
          schedule: {
            repeatingTimeIntervals: [
              'R/2026-01-01T06:00:00+00:00/P1D'
            ]
            timeZone: 'UTC'
          }
          taggingCriteria: [
            {
              isDefault: true
              taggingPriority: 99
              tagInfo: {
                tagName: 'Default'
              }
            }
          ]
        }
      }
    ]
  }
}

resource vaultStorageAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, vault.id, storageAccountBackupContributorRoleId)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageAccountBackupContributorRoleId)
    principalId: vault.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource blobBackup 'Microsoft.DataProtection/backupVaults/backupInstances@2024-04-01' = {
  parent: vault
  name: storageAccountName
  dependsOn: [
    vaultStorageAccess
  ]
  properties: {
    objectType: 'BackupInstance'
    friendlyName: storageAccountName
    dataSourceInfo: {
      objectType: 'Datasource'
      resourceID: storageAccount.id
      resourceName: storageAccountName
      resourceType: 'Microsoft.Storage/storageAccounts'
      resourceUri: storageAccount.id
      resourceLocation: location
      datasourceType: 'Microsoft.Storage/storageAccounts/blobServices'
    }
    policyInfo: {
      policyId: blobPolicy.id
      policyParameters: {
        backupDatasourceParametersList: [
          {
            objectType: 'BlobBackupDatasourceParameters'
            containersList: [
              tableBackupContainerName
            ]
          }
        ]
      }
    }
  }
}

resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

output vaultName string = vault.name
