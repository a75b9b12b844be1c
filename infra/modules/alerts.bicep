// Log-based alert rules on the Log Analytics workspace, all notifying the action group.
//
// Every query is checked by `make scan` against its table's documented column types (a string
// column compared with a number is refused by Azure Monitor). skipQueryValidation: the workspace is
// created by this same deployment, and its resource-specific tables appear only when the first log
// arrives, so validation would refuse the rules on a first deployment (SEM0100; Azure/bicep#11378).
@allowed([
  'uksouth'
  'ukwest'
])
param location string
param tags object
param namePrefix string
param workspaceId string
param actionGroupId string

var rules = [
  {
    name: 'poison-queue-messages'
    displayName: 'Insight365: message moved to a poison queue'
    description: 'A queue message failed maxDequeueCount times and was moved to a *-poison queue.'
    severity: 1
    windowSize: 'PT5M'
    query: 'StorageQueueLogs | where OperationName == "PutMessage" and toint(StatusCode) between (200 .. 299) | where tolower(ObjectKey) contains "-poison"'
    timeAggregation: 'Count'
    metricMeasureColumn: null
    threshold: 0
  }
  {
    name: 'function-failures'
    displayName: 'Insight365: function invocations failed'
    description: 'Function invocations (HTTP, queue or timer) that ended in failure.'
    severity: 2
    windowSize: 'PT15M'
    query: 'AppRequests | where Success == false'
    timeAggregation: 'Count'
    metricMeasureColumn: null
    threshold: 0
  }
  {
    name: 'gateway-5xx-rate'
    displayName: 'Insight365: 5xx rate above 5% at the gateway'
    description: 'Share of responses with status 500-599 served by the Application Gateway.'
    severity: 1
    windowSize: 'PT5M'
    query: 'AGWAccessLogs | summarize Total = count(), Errors = countif(HttpStatus >= 500) | where Total > 0 | extend ErrorRatePercent = 100.0 * Errors / Total'
    timeAggregation: 'Average'
    metricMeasureColumn: 'ErrorRatePercent'
    threshold: 5
  }
  {
    // The operations plane's notifications (shared/operations/notifications.py, channel azure_monitor):
    // every incident opened or escalated, and every breach reminder, is mailed through the action group.
    name: 'operations-notification'
    displayName: 'Insight365: operations notification (incident opened or escalated)'
    description: 'The app opened or escalated an incident, or a personal-data breach deadline is near; see the platform incidents.'
    severity: 1
    windowSize: 'PT5M'
    query: 'AppTraces | where Message startswith "insight365 operations notification"'
    timeAggregation: 'Count'
    metricMeasureColumn: null
    threshold: 0
  }
  {
    name: 'waf-blocks'
    displayName: 'Insight365: WAF blocked requests'
    description: 'Requests blocked by the WAF (managed rules or the rate limit).'
    severity: 3
    windowSize: 'PT15M'
    query: 'AGWFirewallLogs | where Action == "Blocked"'
    timeAggregation: 'Count'
    metricMeasureColumn: null
    threshold: 0
  }
]

resource alertRules 'Microsoft.Insights/scheduledQueryRules@2023-03-15-preview' = [for rule in rules: {
  name: '${namePrefix}-${rule.name}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: rule.displayName
    description: rule.description
    severity: rule.severity
    enabled: true
    skipQueryValidation: true
    evaluationFrequency: 'PT5M'
    windowSize: rule.windowSize
    scopes: [
      workspaceId
    ]
    criteria: {
      allOf: [
        {
          query: rule.query
          timeAggregation: rule.timeAggregation
          metricMeasureColumn: rule.metricMeasureColumn
          operator: 'GreaterThan'
          threshold: rule.threshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroupId
      ]
    }
  }
}]
