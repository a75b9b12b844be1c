// Application Gateway WAF_v2: the service's only public entry point.
// - WAF policy in Prevention mode with the OWASP CRS 3.2 managed rule set (plus bot protection),
//   request body inspection, a 64 KB body limit (the API's own limit) and a per-client rate limit.
// - TLS 1.2 minimum with ECDHE (forward-secret) AEAD ciphers only; TLS 1.3 is always on for v2.
// - HTTP is answered with a permanent redirect to HTTPS and never reaches the back end.
// - The back end is the Function App through its private endpoint, over HTTPS; the gateway sends the
//   app's own default host name (pickHostNameFromBackendAddress), not the public host name, because
//   the app answers only to its *.azurewebsites.net name.
// - One origin, as in production: a path map sends `/api/*` to the Function App and everything else to
//   the web app, a Storage static website reached through its `web` private endpoint (website.bicep).
//   Deep links (a path with no file extension, e.g. /licences) are rewritten to /index.html, so they
//   answer 200 with the app, as dev/gateway.py does; a missing file (/assets/x.js) stays a 404. The
//   app's pages carry the same Content-Security-Policy and headers as dev/gateway.py.
//   https://learn.microsoft.com/azure/application-gateway/url-route-overview
//   https://learn.microsoft.com/azure/application-gateway/rewrite-http-headers-url
@allowed([
  'uksouth'
  'ukwest'
])
param location string
param tags object
param gatewayName string
param wafPolicyName string
param publicIpName string
param gatewaySubnetId string
param gatewayIdentityId string
param publicHostName string
@description('Version-less Key Vault secret id of the TLS certificate for publicHostName.')
param tlsCertificateSecretId string
@description('Default host name of the Function App; resolves to its private endpoint inside the VNet.')
param backendHostName string
@description('Static website host name of the web app; resolves to its `web` private endpoint inside the VNet.')
param webHostName string
@description('Origin of the identity provider (https://host), the only other origin the app may call.')
param identityProviderOrigin string
param workspaceId string

// UK South has availability zones; UK West does not.
var zones = location == 'uksouth' ? [
  '1'
  '2'
  '3'
] : []
var gatewayId = resourceId('Microsoft.Network/applicationGateways', gatewayName)
// dev/gateway.py's app_content_security_policy (a make scan test keeps them equal). The style hash is
// the empty string's: Fluent UI inserts its rules through the CSSOM into empty <style> elements.
var contentSecurityPolicy = join([
  'default-src \'self\''
  'script-src \'self\''
  'style-src \'self\' \'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\''
  'img-src \'self\' data:'
  'connect-src \'self\' ${identityProviderOrigin}'
  'object-src \'none\''
  'base-uri \'none\''
  'form-action \'self\''
  'frame-ancestors \'none\''
], '; ')
var pageHeaders = [
  {
    headerName: 'Content-Security-Policy'
    headerValue: contentSecurityPolicy
  }
  {
    headerName: 'X-Content-Type-Options'
    headerValue: 'nosniff'
  }
  {
    headerName: 'Referrer-Policy'
    headerValue: 'no-referrer'
  }
  {
    headerName: 'Cross-Origin-Opener-Policy'
    headerValue: 'same-origin'
  }
  {
    headerName: 'Permissions-Policy'
    headerValue: 'camera=(), microphone=(), geolocation=()'
  }
]

resource wafPolicy 'Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies@2024-01-01' = {
  name: wafPolicyName
  location: location
  tags: tags
  properties: {
    policySettings: {
      state: 'Enabled'
      mode: 'Prevention'
      requestBodyCheck: true
      requestBodyEnforcement: true
      requestBodyInspectLimitInKB: 64
      maxRequestBodySizeInKb: 64
      fileUploadEnforcement: true
      fileUploadLimitInMb: 1
    }
    managedRules: {
      managedRuleSets: [
        {
          ruleSetType: 'OWASP'
          ruleSetVersion: '3.2'
        }
        {
          ruleSetType: 'Microsoft_BotManagerRuleSet'
          ruleSetVersion: '1.0'
        }
      ]
    }
    customRules: [
      {
        name: 'RateLimitPerClientIp'
        priority: 10
        ruleType: 'RateLimitRule'
        rateLimitDuration: 'OneMin'
        rateLimitThreshold: 600
        groupByUserSession: [
          {
            groupByVariables: [
              {
                variableName: 'ClientAddr'
              }
            ]
          }
        ]
        // Microsoft's documented "match all traffic" condition for a per-client rate limit:
        // RemoteAddr does not match 255.255.255.255/32.
        // https://learn.microsoft.com/azure/web-application-firewall/ag/rate-limiting-configure
        matchConditions: [
          {
            matchVariables: [
              {
                variableName: 'RemoteAddr'
              }
            ]
            operator: 'IPMatch'
            negationConditon: true
            matchValues: [
              '255.255.255.255/32'
            ]
          }
        ]
        action: 'Block'
        state: 'Enabled'
      }
    ]
  }
}

resource publicIp 'Microsoft.Network/publicIPAddresses@2024-01-01' = {
  name: publicIpName
  location: location
  tags: tags
  zones: zones
  sku: {
    name: 'Standard'
    tier: 'Regional'
  }
  properties: {
    publicIPAllocationMethod: 'Static'
    publicIPAddressVersion: 'IPv4'
  }
}

resource gateway 'Microsoft.Network/applicationGateways@2024-01-01' = {
  name: gatewayName
  location: location
  tags: tags
  zones: zones
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${gatewayIdentityId}': {}
    }
  }
  properties: {
    sku: {
      name: 'WAF_v2'
      tier: 'WAF_v2'
    }
    autoscaleConfiguration: {
      minCapacity: 2
      maxCapacity: 10
    }
    enableHttp2: true
    firewallPolicy: {
      id: wafPolicy.id
    }
    sslPolicy: {
      policyType: 'CustomV2'
      minProtocolVersion: 'TLSv1_2'
      cipherSuites: [
        'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'
        'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'
        'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'
        'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'
      ]
    }
    gatewayIPConfigurations: [
      {
        name: 'gateway-subnet'
        properties: {
          subnet: {
            id: gatewaySubnetId
          }
        }
      }
    ]
    frontendIPConfigurations: [
      {
        name: 'public'
        properties: {
          publicIPAddress: {
            id: publicIp.id
          }
        }
      }
    ]
    frontendPorts: [
      {
        name: 'port-443'
        properties: {
          port: 443
        }
      }
      {
        name: 'port-80'
        properties: {
          port: 80
        }
      }
    ]
    sslCertificates: [
      {
        name: 'public-host'
        properties: {
          keyVaultSecretId: tlsCertificateSecretId
        }
      }
    ]
    backendAddressPools: [
      {
        name: 'function-app'
        properties: {
          backendAddresses: [
            {
              fqdn: backendHostName
            }
          ]
        }
      }
      {
        name: 'web-app'
        properties: {
          backendAddresses: [
            {
              fqdn: webHostName
            }
          ]
        }
      }
    ]
    probes: [
      {
        name: 'function-app-health'
        properties: {
          protocol: 'Https'
          path: '/api/v1/health'
          interval: 30
          timeout: 30
          unhealthyThreshold: 3
          pickHostNameFromBackendHttpSettings: true
          match: {
            statusCodes: [
              '200-399'
            ]
          }
        }
      }
      {
        name: 'web-app-health'
        properties: {
          protocol: 'Https'
          path: '/index.html'
          interval: 30
          timeout: 30
          unhealthyThreshold: 3
          pickHostNameFromBackendHttpSettings: true
          match: {
            statusCodes: [
              '200-399'
            ]
          }
        }
      }
    ]
    backendHttpSettingsCollection: [
      {
        name: 'function-app-https'
        properties: {
          port: 443
          protocol: 'Https'
          cookieBasedAffinity: 'Disabled'
          pickHostNameFromBackendAddress: true
          requestTimeout: 230
          probe: {
            id: '${gatewayId}/probes/function-app-health'
          }
        }
      }
      {
        name: 'web-app-https'
        properties: {
          protocol: 'Https'
          port: 443
          cookieBasedAffinity: 'Disabled'
          pickHostNameFromBackendAddress: true
          requestTimeout: 30
          probe: {
            id: '${gatewayId}/probes/web-app-health'
          }
        }
      }
    ]
    httpListeners: [
      {
        name: 'https'
        properties: {
          frontendIPConfiguration: {
            id: '${gatewayId}/frontendIPConfigurations/public'
          }
          frontendPort: {
            id: '${gatewayId}/frontendPorts/port-443'
          }
          protocol: 'Https'
          hostName: publicHostName
          requireServerNameIndication: true
          sslCertificate: {
            id: '${gatewayId}/sslCertificates/public-host'
          }
        }
      }
      {
        name: 'http'
        properties: {
          frontendIPConfiguration: {
            id: '${gatewayId}/frontendIPConfigurations/public'
          }
          frontendPort: {
            id: '${gatewayId}/frontendPorts/port-80'
          }
          protocol: 'Http'
          hostName: publicHostName
        }
      }
    ]
    redirectConfigurations: [
      {
        name: 'http-to-https'
        properties: {
          redirectType: 'Permanent'
          targetListener: {
            id: '${gatewayId}/httpListeners/https'
          }
          includePath: true
          includeQueryString: true
        }
      }
    ]
    // The client address the API records is the one the gateway saw: a client-supplied
    // X-Forwarded-For is replaced, never appended to (ASVS 4.1.3).
    rewriteRuleSets: [
      {
        name: 'forwarded-headers'
        properties: {
          rewriteRules: [
            {
              name: 'set-x-forwarded-for'
              ruleSequence: 100
              actionSet: {
                requestHeaderConfigurations: [
                  {
                    headerName: 'X-Forwarded-For'
                    headerValue: '{var_client_ip}'
                  }
                ]
                responseHeaderConfigurations: []
              }
            }
          ]
        }
      }
      {
        name: 'web-app-pages'
        properties: {
          rewriteRules: [
            {
              name: 'spa-deep-link'
              ruleSequence: 100
              conditions: [
                {
                  variable: 'var_uri_path'
                  pattern: '^/[^.]*$'
                  ignoreCase: true
                  negate: false
                }
              ]
              actionSet: {
                urlConfiguration: {
                  modifiedPath: '/index.html'
                  reroute: false
                }
                requestHeaderConfigurations: []
                responseHeaderConfigurations: []
              }
            }
            {
              name: 'page-security-headers'
              ruleSequence: 200
              actionSet: {
                requestHeaderConfigurations: []
                responseHeaderConfigurations: pageHeaders
              }
            }
          ]
        }
      }
    ]
    urlPathMaps: [
      {
        name: 'one-origin'
        properties: {
          defaultBackendAddressPool: {
            id: '${gatewayId}/backendAddressPools/web-app'
          }
          defaultBackendHttpSettings: {
            id: '${gatewayId}/backendHttpSettingsCollection/web-app-https'
          }
          defaultRewriteRuleSet: {
            id: '${gatewayId}/rewriteRuleSets/web-app-pages'
          }
          pathRules: [
            {
              name: 'api'
              properties: {
                paths: [
                  '/api/*'
                ]
                backendAddressPool: {
                  id: '${gatewayId}/backendAddressPools/function-app'
                }
                backendHttpSettings: {
                  id: '${gatewayId}/backendHttpSettingsCollection/function-app-https'
                }
                rewriteRuleSet: {
                  id: '${gatewayId}/rewriteRuleSets/forwarded-headers'
                }
              }
            }
          ]
        }
      }
    ]
    requestRoutingRules: [
      {
        name: 'https-one-origin'
        properties: {
          ruleType: 'PathBasedRouting'
          priority: 100
          httpListener: {
            id: '${gatewayId}/httpListeners/https'
          }
          urlPathMap: {
            id: '${gatewayId}/urlPathMaps/one-origin'
          }
        }
      }
      {
        name: 'http-redirect-to-https'
        properties: {
          ruleType: 'Basic'
          priority: 200
          httpListener: {
            id: '${gatewayId}/httpListeners/http'
          }
          redirectConfiguration: {
            id: '${gatewayId}/redirectConfigurations/http-to-https'
          }
        }
      }
    ]
  }
}

// Resource-specific tables (AGWAccessLogs, AGWFirewallLogs) feed the 5xx and WAF alerts.
resource gatewayDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: gateway
  properties: {
    workspaceId: workspaceId
    logAnalyticsDestinationType: 'Dedicated'
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

resource publicIpDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-log-analytics'
  scope: publicIp
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

output publicIpAddress string = publicIp.properties.ipAddress
