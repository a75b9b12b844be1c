// User-assigned identity of the Application Gateway (App Gateway reads its TLS certificate from
// Key Vault only through a user-assigned identity).
@allowed([
  'uksouth'
  'ukwest'
])
param location string
param tags object
param identityName string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: tags
}

output identityId string = identity.id
output principalId string = identity.properties.principalId
