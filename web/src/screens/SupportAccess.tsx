/** Support access (admins see it, super admins decide): Insight365's operators ask for read-only access
 * to the organisation for a few hours, and nothing is granted until a super admin approves. Pending,
 * active and past grants, newest first; approve or deny a pending request, revoke an active grant (or
 * withdraw a pending one). The API decides who may do what; refusals show its problem. */
import {
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Text,
  Title2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";

import { unwrap } from "../api/client";
import { useAction } from "../api/useAction";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { hasRole } from "../auth/session";
import { ConfirmButton } from "../components/ConfirmButton";
import { DataTable } from "../components/DataTable";
import { Section } from "../components/Section";
import { GrantStateBadge, grantEnds, type Grant } from "../components/SupportGrant";
import { EmptyState, Load, ProblemView } from "../components/states";
import { formatMoment } from "../format";

type Decision = "approve" | "deny" | "revoke";

const useStyles = makeStyles({
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap", alignItems: "center" },
});

/** What a super admin may decide on a grant in each state, and what the dialog says happens. */
const DECISIONS: readonly {
  readonly decision: Decision;
  readonly label: string;
  readonly when: Grant["state"];
  readonly title: string;
  readonly explains: (hours: string) => string;
}[] = [
  {
    decision: "approve",
    label: "Approve",
    when: "pending",
    title: "Approve support access?",
    explains: (hours) =>
      `The operator who asked may read this organisation's insights and reports, read-only, for ${hours} ` +
      "from now. Members, the audit log, the connection and every change stay closed to them. Every call " +
      "they make is in the audit log, and you can revoke the access at any time.",
  },
  {
    decision: "deny",
    label: "Deny",
    when: "pending",
    title: "Deny support access?",
    explains: () => "The operator gets no access; they may ask again.",
  },
  {
    decision: "revoke",
    label: "Revoke",
    when: "active",
    title: "Revoke support access?",
    explains: () => "The operator's access ends at once.",
  },
];

function GrantActions({ grant, onChanged }: { grant: Grant; onChanged: () => void }) {
  const styles = useStyles();
  const { api } = useSignedIn();
  const action = useAction();
  const decide = (decision: Decision) =>
    void action
      .run(() =>
        unwrap(
          api.POST(`/api/v1/support-access/{grant_id}/${decision}`, {
            params: { path: { grant_id: grant.grant_id } },
          }),
        ),
      )
      .then((done) => done.ok && onChanged());
  const hours = `${grant.duration_hours} hour${grant.duration_hours === 1 ? "" : "s"}`;
  return (
    <div className={styles.actions}>
      {DECISIONS.filter((choice) => choice.when === grant.state).map((choice) => (
        <ConfirmButton
          key={choice.decision}
          label={choice.label}
          ariaLabel={`${choice.label} support access ${grant.grant_id}`}
          title={choice.title}
          confirm={choice.label}
          disabled={action.busy}
          onConfirm={() => decide(choice.decision)}
        >
          {choice.explains(hours)}
        </ConfirmButton>
      ))}
      {action.problem === null ? null : <ProblemView problem={action.problem} />}
    </div>
  );
}

function GrantList({ grants, onChanged }: { grants: readonly Grant[]; onChanged: () => void }) {
  const { session } = useSignedIn();
  const decides = hasRole(session.role, "super_admin");
  if (grants.length === 0) {
    return (
      <EmptyState title="No support requests">
        Insight365's support has never asked for access to this organisation.
      </EmptyState>
    );
  }
  return (
    <DataTable
      label="Support access"
      testId="support-grants"
      headers={["Requested", "Reason", "Hours", "State", "Ends", ...(decides ? ["Actions"] : [])]}
      numeric={[2]}
      rows={grants.map((grant) => ({
        key: grant.grant_id,
        cells: [
          formatMoment(grant.requested_at),
          grant.reason,
          String(grant.duration_hours),
          <GrantStateBadge key="state" grant={grant} />,
          grantEnds(grant),
          ...(decides ? [<GrantActions key="actions" grant={grant} onChanged={onChanged} />] : []),
        ],
      }))}
    />
  );
}

/** The banner that tells the organisation support has asked (its super admins are mailed too). */
function Waiting({ grants }: { grants: readonly Grant[] }) {
  const { session } = useSignedIn();
  const pending = grants.filter((grant) => grant.state === "pending").length;
  if (pending === 0) {
    return null;
  }
  const requests = pending === 1 ? "1 request" : `${pending} requests`;
  return (
    <MessageBar intent="warning" layout="multiline" data-testid="support-waiting">
      <MessageBarBody>
        <MessageBarTitle>{`Insight365's support is waiting for a decision: ${requests}`}</MessageBarTitle>
        {hasRole(session.role, "super_admin")
          ? "Nothing is granted until you approve. Read the reason, then approve or deny below."
          : "Nothing is granted until a super admin approves."}
      </MessageBarBody>
    </MessageBar>
  );
}

export function SupportAccess() {
  const { api, session } = useSignedIn();
  const [loaded, reload] = useApi(() => unwrap(api.GET("/api/v1/support-access")), [api]);
  return (
    <>
      <Title2 as="h1">Support access</Title2>
      <Text as="p">
        Insight365's support can read this organisation's insights and reports only while a super admin's
        approval lasts, read-only.
        {hasRole(session.role, "super_admin") ? null : " Only a super admin approves, denies or revokes."}
      </Text>
      <Load loaded={loaded} label="Loading support access" onRetry={reload}>
        {(list) => (
          <>
            <Waiting grants={list.items} />
            <Section id="grants" title="Requests and grants">
              <GrantList grants={list.items} onChanged={reload} />
            </Section>
          </>
        )}
      </Load>
    </>
  );
}
