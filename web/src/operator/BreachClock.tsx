/** A personal-data breach on an incident: the 72 hours for telling the ICO counting down (or how long
 * they have passed), which organisations were told and when, and when the ICO was. Every operator sees
 * the clock; only a security officer flags the breach and records who was told (the API refuses anyone
 * else, and the buttons are not shown to them). Flagging carries the version read (`If-Match`). */
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useState, type FormEvent } from "react";

import { ifMatch, unwrap, type Schemas, type Versioned } from "../api/client";
import { useAction } from "../api/useAction";
import { DataTable } from "../components/DataTable";
import { Section } from "../components/Section";
import { formatMoment } from "../format";
import { ChangeOutcome } from "./ChangeOutcome";
import { useOperator } from "./context";
import { FactList } from "./FactList";
import { Identifier } from "./Identifier";

type Detail = Schemas["IncidentDetail"];
type Breach = Schemas["BreachRecord"];
const ORG_ID = /^[0-9a-f]{32}$/;
const TICK_MS = 30_000;
const MINUTE_MS = 60_000;

const useStyles = makeStyles({
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  start: { alignSelf: "flex-start" },
  told: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "flex-end", flexWrap: "wrap" },
});

/** The time now, refreshed every half minute while the clock is on screen. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), TICK_MS);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

/** A span of time in whole hours and minutes: "71 h 59 min", "5 min". */
function formatSpan(milliseconds: number): string {
  const minutes = Math.floor(Math.abs(milliseconds) / MINUTE_MS);
  const hours = Math.floor(minutes / 60);
  return hours === 0 ? `${minutes % 60} min` : `${hours} h ${minutes % 60} min`;
}

function Clock({ breach, now }: { breach: Breach; now: number }) {
  const deadline = Date.parse(breach.ico_deadline);
  if (breach.ico_notified_at) {
    const early = deadline - Date.parse(breach.ico_notified_at);
    return (
      <MessageBar intent="success" layout="multiline" data-testid="breach-clock">
        <MessageBarBody>
          <MessageBarTitle>{`ICO notified ${formatMoment(breach.ico_notified_at)}`}</MessageBarTitle>
          {early >= 0
            ? `${formatSpan(early)} before the deadline.`
            : `${formatSpan(early)} after the deadline.`}
        </MessageBarBody>
      </MessageBar>
    );
  }
  if (now <= deadline) {
    return (
      <MessageBar intent="warning" layout="multiline" data-testid="breach-clock">
        <MessageBarBody>
          <MessageBarTitle>{`${formatSpan(deadline - now)} left to tell the ICO`}</MessageBarTitle>
          {`The deadline is ${formatMoment(breach.ico_deadline)}, 72 hours from when we became aware.`}
        </MessageBarBody>
      </MessageBar>
    );
  }
  return (
    <MessageBar intent="error" layout="multiline" data-testid="breach-clock">
      <MessageBarBody>
        <MessageBarTitle>{`Overdue by ${formatSpan(now - deadline)}`}</MessageBarTitle>
        {`The ICO should have been told by ${formatMoment(breach.ico_deadline)}.`}
      </MessageBarBody>
    </MessageBar>
  );
}

function OrganisationsTold({ breach }: { breach: Breach }) {
  const told = Object.entries(breach.organisations_told ?? {}).sort(([, a], [, b]) => a.localeCompare(b));
  if (told.length === 0) {
    return <Text>No organisation has been recorded as told yet.</Text>;
  }
  return (
    <DataTable
      label="Organisations told"
      testId="organisations-told"
      headers={["Organisation", "Told"]}
      rows={told.map(([orgId, at]) => ({
        key: orgId,
        cells: [<Identifier key="org">{orgId}</Identifier>, formatMoment(at)],
      }))}
    />
  );
}

/** A security officer's buttons: flag the breach, then record each organisation told and the ICO. */
function OfficerActions({ version, onChanged }: { version: Versioned<Detail>; onChanged: () => void }) {
  const styles = useStyles();
  const { api } = useOperator();
  const action = useAction();
  const [orgId, setOrgId] = useState("");
  const [checked, setChecked] = useState(false);
  const incident = version.data;
  const path = { incident_id: incident.incident_id };
  // A refused change reloads too: after a conflict the screen shows what the other person did.
  const run = (call: () => Promise<unknown>) => action.run(call).finally(onChanged);
  const orgMistake = checked && !ORG_ID.test(orgId.trim()) ? "Enter the organisation's 32-character id." : "";

  function recordTold(event: FormEvent) {
    event.preventDefault();
    setChecked(true);
    if (!ORG_ID.test(orgId.trim())) {
      return;
    }
    const body = { org_id: orgId.trim() };
    void run(() =>
      unwrap(
        api.POST("/api/v1/platform/incidents/{incident_id}/breach/organisations", { params: { path }, body }),
      ),
    ).then((done) => {
      if (done.ok) {
        setOrgId("");
        setChecked(false);
      }
    });
  }

  if (!incident.breach) {
    return (
      <>
        <Button
          className={styles.start}
          appearance="primary"
          disabled={action.busy}
          onClick={() =>
            void run(() =>
              unwrap(
                api.POST("/api/v1/platform/incidents/{incident_id}/breach", {
                  params: { path },
                  headers: ifMatch(version.etag),
                }),
              ),
            )
          }
        >
          Flag a personal-data breach
        </Button>
        <ChangeOutcome problem={action.problem} />
      </>
    );
  }
  return (
    <>
      <form className={styles.told} onSubmit={recordTold} noValidate>
        <Field
          label="Organisation told"
          hint="The id of an organisation we have told of the breach."
          validationMessage={orgMistake || undefined}
          validationState={orgMistake ? "error" : "none"}
        >
          <Input value={orgId} onChange={(_, data) => setOrgId(data.value)} />
        </Field>
        <Button type="submit" disabled={action.busy}>
          Record organisation told
        </Button>
      </form>
      {incident.breach.ico_notified_at ? null : (
        <div className={styles.actions}>
          <Button
            appearance="primary"
            disabled={action.busy}
            onClick={() =>
              void run(() =>
                unwrap(api.POST("/api/v1/platform/incidents/{incident_id}/breach/ico", { params: { path } })),
              )
            }
          >
            Record the ICO notified
          </Button>
        </div>
      )}
      <ChangeOutcome problem={action.problem} />
    </>
  );
}

export function BreachClock({ version, onChanged }: { version: Versioned<Detail>; onChanged: () => void }) {
  const { session } = useOperator();
  const now = useNow();
  const breach = version.data.breach;
  return (
    <Section id="breach" title="Personal-data breach">
      {breach ? (
        <>
          <Clock breach={breach} now={now} />
          <FactList
            testId="breach-facts"
            facts={[
              ["Aware since", formatMoment(breach.aware_at)],
              ["Tell the ICO by", formatMoment(breach.ico_deadline)],
              ["ICO notified", breach.ico_notified_at ? formatMoment(breach.ico_notified_at) : "Not yet"],
            ]}
          />
          <OrganisationsTold breach={breach} />
        </>
      ) : (
        <Text>
          Not flagged. When personal data may have been exposed, a security officer flags the breach here and
          the 72 hours for telling the ICO start.
        </Text>
      )}
      {session.role === "security_officer" ? (
        <OfficerActions version={version} onChanged={onChanged} />
      ) : null}
    </Section>
  );
}
