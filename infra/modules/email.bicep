// Customer e-mail (a support request to an organisation's super admins): Azure Communication Services
// Email with an Azure-managed domain, its data at rest in the United Kingdom.
//
// - Data location 'UK' on both resources: Communication Services keeps a resource's data at rest in
//   the geography chosen at creation, and a domain links only to a Communication Service of the same
//   data location.
//   https://learn.microsoft.com/azure/communication-services/concepts/privacy#data-residency
//   https://learn.microsoft.com/azure/communication-services/quickstarts/email/connect-email-communication-resource
// - Local (access key) authentication disabled: the Function App signs requests with its managed
//   identity (rbac.bicep grants it the documented minimum for sending), so no connection string or
//   key exists to leak. https://learn.microsoft.com/azure/templates/microsoft.communication/communicationservices
// - Engagement tracking off: no tracking pixels or rewritten links in a security notice.
// Communication Services resources are global (location 'global'); their data location is the
// residency control, and `make scan` checks it (CKV_I365_23).
param tags object
param communicationServiceName string
param emailServiceName string
param workspaceId string

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: 'UK'
  }
}

// The Azure-managed domain (<guid>.azurecomm.net) comes verified with the DoNotReply sender.
resource managedDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communicationService 'Microsoft.Communication/communicationServices@2025-05-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: 'UK'
    disableLocalAuth: true
    linkedDomains: [
      managedDomain.id
    ]
  }
}

resource communicationDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: communicationService
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

output communicationServiceName string = communicationService.name
output endpoint string = 'https://${communicationService.properties.hostName}'
output sender string = 'DoNotReply@${managedDomain.properties.mailFromSenderDomain}'
