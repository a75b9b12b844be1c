/** Platform health: the capacity limits the monitoring job measures against, and its latest breaches. */
import { Text, Title2 } from "@fluentui/react-components";

import { unwrap } from "../api/client";
import { useApi } from "../api/useApi";
import { DataTable } from "../components/DataTable";
import { Section } from "../components/Section";
import { EmptyState, Load } from "../components/states";
import { formatMoment, formatNumber } from "../format";
import { useOperator } from "./context";
import { Identifier } from "./Identifier";
import { IncidentLink } from "./IncidentLink";
import { SEVERITY_LABELS } from "./labels";

function amount(value: number, unit: string): string {
  return `${formatNumber(value)} ${unit}`;
}

export function PlatformHealth() {
  const { api } = useOperator();
  const [loaded, reload] = useApi(() => unwrap(api.GET("/api/v1/platform/health")), [api]);
  return (
    <>
      <Title2 as="h1">Platform health</Title2>
      <Load loaded={loaded} label="Loading platform health" onRetry={reload}>
        {(health) => (
          <>
            <Text as="p" data-testid="measured-until">
              {health.measured_until
                ? `Measured until ${formatMoment(health.measured_until)}.`
                : "Not measured yet: the monitoring job runs every 15 minutes."}
            </Text>
            <Section id="breaches" title="Latest breaches">
              {health.breaches.length === 0 ? (
                <EmptyState title="No breaches">Every measurement so far was within its limit.</EmptyState>
              ) : (
                <DataTable
                  label="Latest breaches"
                  testId="breaches"
                  headers={["When", "Limit", "Subject", "Value", "Limit value", "Severity", "Incident"]}
                  numeric={[3, 4]}
                  rows={health.breaches.map((breach) => ({
                    key: breach.breach_id,
                    cells: [
                      formatMoment(breach.at),
                      breach.title,
                      <Identifier key="subject">{breach.subject}</Identifier>,
                      amount(breach.value, breach.unit),
                      amount(breach.threshold, breach.unit),
                      SEVERITY_LABELS[breach.severity],
                      <IncidentLink key="incident" incidentId={breach.incident_id} />,
                    ],
                  }))}
                />
              )}
            </Section>
            <Section id="limits" title="Capacity limits">
              <DataTable
                label="Capacity limits"
                testId="limits"
                headers={["Limit", "Breached above", "Severity", "Why"]}
                numeric={[1]}
                rows={health.limits.map((limit) => ({
                  key: limit.limit_id,
                  cells: [
                    limit.title,
                    amount(limit.threshold, limit.unit),
                    SEVERITY_LABELS[limit.severity],
                    limit.rationale,
                  ],
                }))}
              />
            </Section>
          </>
        )}
      </Load>
    </>
  );
}
