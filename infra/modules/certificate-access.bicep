// Deployed into the resource group of the certificate vault: lets the gateway identity read the
// one secret behind its TLS certificate (Key Vault Secrets User scoped to that secret only).
param vaultName string
param certificateName string
param gatewayPrincipalId string

var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: vaultName
}

// A Key Vault certificate's private key is exposed as a secret with the same name.
resource certificateSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = {
  parent: vault
  name: certificateName
}

resource secretAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(certificateSecret.id, gatewayPrincipalId, keyVaultSecretsUserRoleId)
  scope: certificateSecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: gatewayPrincipalId
    principalType: 'ServicePrincipal'
  }
}
