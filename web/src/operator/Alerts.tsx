/** Alerts of the detection rules, latest first, each with its evidence: how many audit rows met the
 * rule, when first and last seen, and the ids of those rows (never a token, code or secret). */
import { Badge, Caption1, Text, Title2 } from "@fluentui/react-components";

import { unwrap, type Schemas } from "../api/client";
import { useApi } from "../api/useApi";
import { DataTable } from "../components/DataTable";
import { EmptyState, Load } from "../components/states";
import { formatCount, formatMoment } from "../format";
import { useOperator } from "./context";
import { Identifier } from "./Identifier";
import { IncidentLink } from "./IncidentLink";
import { SEVERITY_COLOUR, SEVERITY_LABELS } from "./labels";

const EVIDENCE_SHOWN = 3;

function Evidence({ alert }: { alert: Schemas["Alert"] }) {
  const ids = alert.event_ids ?? [];
  const shown = ids.slice(-EVIDENCE_SHOWN);
  const more = ids.length - shown.length;
  return (
    <>
      <Text>{`${formatCount(alert.event_count)} events, ${formatMoment(alert.first_seen)} to ${formatMoment(alert.last_seen)}`}</Text>
      <br />
      <Caption1>
        <Identifier>{`Audit rows: ${shown.join(", ")}${more > 0 ? ` and ${formatCount(more)} more` : ""}`}</Identifier>
      </Caption1>
    </>
  );
}

export function Alerts() {
  const { api } = useOperator();
  const [loaded, reload] = useApi(() => unwrap(api.GET("/api/v1/platform/alerts")), [api]);
  return (
    <>
      <Title2 as="h1">Alerts</Title2>
      <Text as="p">
        The detection rules run every 5 minutes over the audit log. The same behaviour seen again within 24
        hours adds to its alert.
      </Text>
      <Load loaded={loaded} label="Loading alerts" onRetry={reload}>
        {(list) =>
          list.items.length === 0 ? (
            <EmptyState title="No alerts">No detection rule has found anything.</EmptyState>
          ) : (
            <DataTable
              label="Alerts"
              testId="alerts"
              headers={["Last seen", "Alert", "Severity", "Organisation", "Subject", "Evidence", "Incident"]}
              rows={list.items.map((alert) => ({
                key: alert.alert_id,
                cells: [
                  formatMoment(alert.last_seen),
                  `${alert.title} (${alert.rule_id})`,
                  <Badge key="severity" appearance="tint" color={SEVERITY_COLOUR[alert.severity]}>
                    {SEVERITY_LABELS[alert.severity]}
                  </Badge>,
                  <Identifier key="org">{alert.org_id ?? "None"}</Identifier>,
                  <Identifier key="subject">{alert.subject}</Identifier>,
                  <Evidence key="evidence" alert={alert} />,
                  <IncidentLink key="incident" incidentId={alert.incident_id} />,
                ],
              }))}
            />
          )
        }
      </Load>
    </>
  );
}
