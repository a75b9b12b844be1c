// Least-privilege data-plane roles for the Function App's system-assigned identity.
//
// Storage, on its own account only (no account-management or key-listing rights; shared keys are
// disabled anyway), at the documented minimum for an identity-based AzureWebJobsStorage with timer
// and queue triggers: Storage Blob Data Owner (host storage: timer schedule monitors and the host's
// blob leases), Storage Queue Data Contributor (queue triggers and outputs) and Storage Table Data
// Contributor (the application's tables).
// https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity
//
// Key Vault: a custom role instead of a built-in one. The app must read its own Key Vault
// references and, for the M365 integration feature, create, read and delete each customer's
// Graph client secret. "Key Vault Secrets User" cannot write; "Key Vault Secrets Officer" can
// also purge, back up and restore secrets (secrets/*). The custom role grants exactly get, set,
// delete (soft delete; purge protection is on), recover and metadata read, on this vault only.
// Recover: a customer who disconnects and connects again reuses the secret's name, which stays
// "deleted but recoverable" for 90 days; the app recovers it before writing the new value.
//
// Monitoring Metrics Publisher on Application Insights: telemetry with Entra ID auth, because
// local (instrumentation key) auth is disabled.
//
// Communication Services (customer e-mail): a custom role with exactly the permissions Microsoft
// documents for sending e-mail as an Entra identity (CommunicationServices Read and Write,
// EmailServices write), on the Communication Service only; the built-in "Communication and Email
// Service Owner" would also let the app manage domains and keys.
// https://learn.microsoft.com/azure/communication-services/quickstarts/email/send-email-smtp/smtp-authentication
param appPrincipalId string
param storageAccountName string
param keyVaultName string
param appInsightsName string
param communicationServiceName string

var roleIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource communicationService 'Microsoft.Communication/communicationServices@2025-05-01' existing = {
  name: communicationServiceName
}

resource emailSenderRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'insight365-email-sender')
  properties: {
    roleName: 'Insight365 e-mail sender (${subscription().subscriptionId}/${resourceGroup().name})'
    description: 'Send e-mail through the Insight365 Communication Service with an Entra identity. No keys, domains or other resources.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Communication/CommunicationServices/Read'
          'Microsoft.Communication/CommunicationServices/Write'
          'Microsoft.Communication/EmailServices/write'
        ]
        notActions: []
        dataActions: []
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource customerSecretsRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'insight365-customer-secrets')
  properties: {
    // Role names are unique per Entra tenant, and several subscriptions of one tenant may use the
    // same environment name: the subscription id keeps each deployment's role name its own.
    roleName: 'Insight365 customer secrets (${subscription().subscriptionId}/${resourceGroup().name})'
    description: 'Read, write, soft-delete and recover secrets in the Insight365 Key Vault. No purge, backup or restore; no keys or certificates.'
    type: 'CustomRole'
    permissions: [
      {
        actions: []
        notActions: []
        dataActions: [
          'Microsoft.KeyVault/vaults/secrets/getSecret/action'
          'Microsoft.KeyVault/vaults/secrets/setSecret/action'
          'Microsoft.KeyVault/vaults/secrets/delete'
          'Microsoft.KeyVault/vaults/secrets/recover/action'
          'Microsoft.KeyVault/vaults/secrets/readMetadata/action'
        ]
        notDataActions: []
      }
    ]
    assignableScopes: [
      resourceGroup().id
    ]
  }
}

resource blobData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, appPrincipalId, roleIds.storageBlobDataOwner)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataOwner)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource queueData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, appPrincipalId, roleIds.storageQueueDataContributor)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageQueueDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource tableData 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, appPrincipalId, roleIds.storageTableDataContributor)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageTableDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource customerSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, appPrincipalId, customerSecretsRole.id)
  scope: vault
  properties: {
    roleDefinitionId: customerSecretsRole.id
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource telemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, appPrincipalId, roleIds.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource emailSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communicationService.id, appPrincipalId, emailSenderRole.id)
  scope: communicationService
  properties: {
    roleDefinitionId: emailSenderRole.id
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}
