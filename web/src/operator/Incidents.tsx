/** Incidents, as the API orders them: open ones first, by priority. Each title opens its detail. */
import { Badge, Text, Title2 } from "@fluentui/react-components";
import { Link } from "react-router-dom";

import { unwrap } from "../api/client";
import { useApi } from "../api/useApi";
import { DataTable } from "../components/DataTable";
import { EmptyState, Load } from "../components/states";
import { formatMoment } from "../format";
import { useOperator } from "./context";
import { SEVERITY_COLOUR, SEVERITY_LABELS, STATE_LABELS, stateOf } from "./labels";
import { incidentPath } from "./paths";

export function Incidents() {
  const { api } = useOperator();
  const [loaded, reload] = useApi(() => unwrap(api.GET("/api/v1/platform/incidents")), [api]);
  return (
    <>
      <Title2 as="h1">Incidents</Title2>
      <Text as="p">
        Every medium, high or critical alert and every high capacity breach opens one. Open incidents come
        first, by priority; customer-impacting ones rank one priority higher.
      </Text>
      <Load loaded={loaded} label="Loading incidents" onRetry={reload}>
        {(list) =>
          list.items.length === 0 ? (
            <EmptyState title="No incidents">Nothing has opened an incident yet.</EmptyState>
          ) : (
            <DataTable
              label="Incidents"
              testId="incidents"
              headers={["Priority", "Severity", "Title", "State", "Opened", "Acknowledged", "Organisations"]}
              numeric={[6]}
              rows={list.items.map((incident) => ({
                key: incident.incident_id,
                cells: [
                  incident.priority,
                  <Badge key="severity" appearance="tint" color={SEVERITY_COLOUR[incident.severity]}>
                    {SEVERITY_LABELS[incident.severity]}
                  </Badge>,
                  <Link key="title" to={incidentPath(incident.incident_id)}>
                    {incident.title}
                  </Link>,
                  STATE_LABELS[stateOf(incident)],
                  formatMoment(incident.opened_at),
                  incident.acknowledged_at
                    ? formatMoment(incident.acknowledged_at)
                    : `Due ${formatMoment(incident.acknowledge_by)}`,
                  String((incident.org_ids ?? []).length),
                ],
              }))}
            />
          )
        }
      </Load>
    </>
  );
}
