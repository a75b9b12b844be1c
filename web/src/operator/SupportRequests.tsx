/** Support requests: ask an organisation for read-only access (its id, which the customer gives, a
 * reason the customer reads, and the hours), and every request with what became of it, newest first.
 * Only the organisation's super admin decides; this screen never reads the organisation's data. */
import {
  Button,
  Field,
  Input,
  SpinButton,
  Text,
  Textarea,
  Title2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState, type FormEvent } from "react";

import { unwrap } from "../api/client";
import { useAction } from "../api/useAction";
import { useApi } from "../api/useApi";
import { DataTable } from "../components/DataTable";
import { Section } from "../components/Section";
import { EmptyState, Load, ProblemView } from "../components/states";
import { GrantStateBadge, grantEnds } from "../components/SupportGrant";
import { formatMoment } from "../format";
import { useOperator } from "./context";
import { Identifier } from "./Identifier";

const ORG_ID = /^[0-9a-f]{32}$/;
const REASON_MIN = 10;
const REASON_MAX = 500;
const MAX_HOURS = 72;

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "40rem" },
});

interface Draft {
  readonly orgId: string;
  readonly reason: string;
  readonly hours: number;
}

/** What is wrong with each field, in words; empty when the request may be sent. */
function mistakes(draft: Draft): Partial<Record<keyof Draft, string>> {
  const found: Partial<Record<keyof Draft, string>> = {};
  if (!ORG_ID.test(draft.orgId.trim())) {
    found.orgId = "Enter the organisation's id: 32 characters, digits and the letters a to f.";
  }
  const reason = draft.reason.trim().length;
  if (reason < REASON_MIN || reason > REASON_MAX) {
    found.reason = `Give a reason of ${REASON_MIN} to ${REASON_MAX} characters: the customer reads it.`;
  }
  if (!Number.isInteger(draft.hours) || draft.hours < 1 || draft.hours > MAX_HOURS) {
    found.hours = `From 1 to ${MAX_HOURS} hours.`;
  }
  return found;
}

function RequestForm({ onSent }: { onSent: () => void }) {
  const styles = useStyles();
  const { api } = useOperator();
  const action = useAction();
  const [draft, setDraft] = useState<Draft>({ orgId: "", reason: "", hours: 8 });
  const [checked, setChecked] = useState(false);
  const errors = checked ? mistakes(draft) : {};
  const field = (name: keyof Draft) => ({
    validationMessage: errors[name],
    validationState: errors[name] ? ("error" as const) : ("none" as const),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setChecked(true);
    if (Object.keys(mistakes(draft)).length > 0) {
      return;
    }
    const body = { org_id: draft.orgId.trim(), reason: draft.reason.trim(), duration_hours: draft.hours };
    void action
      .run(() => unwrap(api.POST("/api/v1/platform/support-requests", { body })))
      .then((done) => {
        if (done.ok) {
          setDraft({ orgId: "", reason: "", hours: 8 });
          setChecked(false);
          onSent();
        }
      });
  }

  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <Field
        label="Organisation id"
        hint="The customer reads it from their Insight365 account."
        {...field("orgId")}
      >
        <Input value={draft.orgId} onChange={(_, data) => setDraft({ ...draft, orgId: data.value })} />
      </Field>
      <Field
        label="Reason"
        hint="The customer's super admin reads this before deciding."
        {...field("reason")}
      >
        <Textarea
          value={draft.reason}
          maxLength={REASON_MAX}
          onChange={(_, data) => setDraft({ ...draft, reason: data.value })}
        />
      </Field>
      <Field label="Hours of access, once approved" {...field("hours")}>
        <SpinButton
          value={draft.hours}
          min={1}
          max={MAX_HOURS}
          onChange={(_, data) => {
            const hours = data.value ?? Number.parseInt(data.displayValue ?? "", 10);
            setDraft({ ...draft, hours: Number.isNaN(hours) ? 0 : hours });
          }}
        />
      </Field>
      <Button appearance="primary" type="submit" disabled={action.busy}>
        Ask for access
      </Button>
      {action.problem === null ? null : <ProblemView problem={action.problem} />}
    </form>
  );
}

export function SupportRequests() {
  const { api } = useOperator();
  const [loaded, reload] = useApi(() => unwrap(api.GET("/api/v1/platform/support-requests")), [api]);
  return (
    <>
      <Title2 as="h1">Support requests</Title2>
      <Text as="p">
        Read-only access to one organisation's insights and reports, for at most 72 hours, only once its super
        admin approves. A request nobody decides lapses after 24 hours.
      </Text>
      <Section id="ask" title="Ask for access">
        <RequestForm onSent={reload} />
      </Section>
      <Section id="requests" title="Requests">
        <Load loaded={loaded} label="Loading support requests" onRetry={reload}>
          {(list) =>
            list.items.length === 0 ? (
              <EmptyState title="No support requests">
                Nobody has asked an organisation for access yet.
              </EmptyState>
            ) : (
              <DataTable
                label="Support requests"
                testId="support-requests"
                headers={["Requested", "Organisation", "Reason", "Hours", "State", "Ends"]}
                numeric={[3]}
                rows={list.items.map((grant) => ({
                  key: grant.grant_id,
                  cells: [
                    formatMoment(grant.requested_at),
                    <Identifier key="org">{grant.org_id}</Identifier>,
                    grant.reason,
                    String(grant.duration_hours),
                    <GrantStateBadge key="state" grant={grant} />,
                    grantEnds(grant),
                  ],
                }))}
              />
            )
          }
        </Load>
      </Section>
    </>
  );
}
