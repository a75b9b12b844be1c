/** One incident: what it is, its timeline, what an operator does to it (acknowledge, move it to its
 * next state, add a note) and, for a personal-data breach, the ICO clock. Changes are sent with the
 * version read (`If-Match`): when someone else changed the incident meanwhile, the screen says so and
 * shows the latest version instead. */
import { Badge, Button, Field, Textarea, Title2, makeStyles, tokens } from "@fluentui/react-components";
import { useState, type FormEvent } from "react";
import { useParams } from "react-router-dom";

import { ifMatch, unwrap, unwrapVersioned, type Schemas, type Versioned } from "../api/client";
import { useAction } from "../api/useAction";
import { useApi } from "../api/useApi";
import { DataTable } from "../components/DataTable";
import { Section } from "../components/Section";
import { Load } from "../components/states";
import { formatMoment } from "../format";
import { BreachClock } from "./BreachClock";
import { ChangeOutcome } from "./ChangeOutcome";
import { useOperator } from "./context";
import { FactList } from "./FactList";
import {
  NEXT_STATE,
  SEVERITY_COLOUR,
  SEVERITY_LABELS,
  STATE_LABELS,
  TIMELINE_LABELS,
  actorName,
  stateOf,
} from "./labels";

type Detail = Schemas["IncidentDetail"];
const NOTE_LIMIT = 2000;

const useStyles = makeStyles({
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  note: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, maxWidth: "40rem" },
  heading: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalM, flexWrap: "wrap" },
  start: { alignSelf: "flex-start" },
});

function acknowledgement(incident: Detail, me: string): string {
  if (incident.acknowledged_at) {
    return `${formatMoment(incident.acknowledged_at)} by ${actorName(incident.acknowledged_by ?? "", me)}`;
  }
  return `Not yet: due ${formatMoment(incident.acknowledge_by)}`;
}

function Facts({ incident }: { incident: Detail }) {
  const me = useOperator().session.operatorId;
  const facts: [string, string][] = [
    ["Priority", incident.priority],
    ["State", STATE_LABELS[stateOf(incident)]],
    ["Opened", formatMoment(incident.opened_at)],
    ["Acknowledged", acknowledgement(incident, me)],
    ["Escalation level", String(incident.escalation_level ?? 0)],
    ["Customer impact", incident.customer_impacting ? "Yes" : "No"],
    ["Organisations", (incident.org_ids ?? []).join(", ") || "None"],
    ["Owner", incident.owner ? actorName(incident.owner, me) : "Nobody yet"],
  ];
  return <FactList facts={facts} testId="incident-facts" />;
}

function Actions({ version, onChanged }: { version: Versioned<Detail>; onChanged: () => void }) {
  const styles = useStyles();
  const { api } = useOperator();
  const action = useAction();
  const [note, setNote] = useState("");
  const incident = version.data;
  const path = { incident_id: incident.incident_id };
  const headers = ifMatch(version.etag);
  const next = NEXT_STATE[stateOf(incident)];
  // A refused change reloads too: after a conflict the screen shows what the other person did.
  const run = (call: () => Promise<unknown>) => void action.run(call).finally(onChanged);

  function addNote(event: FormEvent) {
    event.preventDefault();
    if (note.trim().length === 0) {
      return;
    }
    void action
      .run(() =>
        unwrap(
          api.POST("/api/v1/platform/incidents/{incident_id}/notes", {
            params: { path },
            body: { text: note },
          }),
        ),
      )
      .then((done) => {
        if (done.ok) {
          setNote("");
          onChanged();
        }
      });
  }

  return (
    <Section id="actions" title="Actions">
      <div className={styles.actions}>
        {incident.acknowledged_at || stateOf(incident) === "closed" ? null : (
          <Button
            appearance="primary"
            disabled={action.busy}
            onClick={() =>
              run(() =>
                unwrap(
                  api.POST("/api/v1/platform/incidents/{incident_id}/acknowledge", {
                    params: { path },
                    headers,
                  }),
                ),
              )
            }
          >
            Acknowledge
          </Button>
        )}
        {next === undefined ? null : (
          <Button
            disabled={action.busy}
            onClick={() =>
              run(() =>
                unwrap(
                  api.POST("/api/v1/platform/incidents/{incident_id}/state", {
                    params: { path },
                    headers,
                    body: { state: next },
                  }),
                ),
              )
            }
          >
            {`Move to ${STATE_LABELS[next].toLowerCase()}`}
          </Button>
        )}
      </div>
      <form className={styles.note} onSubmit={addNote} noValidate>
        <Field label="Note for the timeline" hint={`Up to ${NOTE_LIMIT} characters.`}>
          <Textarea value={note} maxLength={NOTE_LIMIT} onChange={(_, data) => setNote(data.value)} />
        </Field>
        <Button className={styles.start} type="submit" disabled={action.busy || note.trim().length === 0}>
          Add note
        </Button>
      </form>
      <ChangeOutcome problem={action.problem} />
    </Section>
  );
}

export function IncidentDetail() {
  const styles = useStyles();
  const { api, session } = useOperator();
  const { incidentId = "" } = useParams();
  const [loaded, reload] = useApi(
    () =>
      unwrapVersioned(
        api.GET("/api/v1/platform/incidents/{incident_id}", {
          params: { path: { incident_id: incidentId } },
        }),
      ),
    [api, incidentId],
  );
  return (
    <Load loaded={loaded} label="Loading the incident" onRetry={reload}>
      {(version) => (
        <>
          <div className={styles.heading}>
            <Title2 as="h1">{version.data.title}</Title2>
            <Badge appearance="tint" color={SEVERITY_COLOUR[version.data.severity]}>
              {`${SEVERITY_LABELS[version.data.severity]} severity`}
            </Badge>
          </div>
          <Facts incident={version.data} />
          <Actions version={version} onChanged={reload} />
          <BreachClock version={version} onChanged={reload} />
          <Section id="timeline" title="Timeline">
            <DataTable
              label="Timeline"
              testId="timeline"
              headers={["When", "Who", "What", "Detail"]}
              rows={version.data.timeline.map((entry, index) => ({
                key: String(index),
                cells: [
                  formatMoment(entry.at),
                  actorName(entry.actor, session.operatorId),
                  TIMELINE_LABELS[entry.kind],
                  entry.detail,
                ],
              }))}
            />
          </Section>
        </>
      )}
    </Load>
  );
}
