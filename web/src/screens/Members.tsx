/** Members (admins): who belongs to the organisation, inviting someone (the one-time code and link are
 * shown once), changing a member's role or status, resetting their MFA, erasing them, and the pending
 * invitations with revoke. The API decides what each admin may do; refusals show its problem. */
import {
  Badge,
  Button,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Text,
  Title2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState, type FormEvent } from "react";

import { ifMatch, unwrap, unwrapVersioned, type Api, type Schemas } from "../api/client";
import { allPages } from "../api/paging";
import { useAction } from "../api/useAction";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { JOIN_PATH } from "../auth/JoinOrganisation";
import { hasRole, type Role } from "../auth/session";
import { ConfirmButton } from "../components/ConfirmButton";
import { DataTable } from "../components/DataTable";
import { Section } from "../components/Section";
import { EmptyState, Load, ProblemView } from "../components/states";
import { formatMoment } from "../format";
import { ROLE_LABELS } from "../shell/navigation";

type Member = Schemas["MemberView"];
const PAGE_SIZE = 200;
const ROLES: readonly Role[] = ["user", "admin", "super_admin"];

const useStyles = makeStyles({
  form: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "end", flexWrap: "wrap" },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap", alignItems: "center" },
  code: { fontFamily: tokens.fontFamilyMonospace, minWidth: "28rem" },
});

/** The roles this admin may grant: only a super admin grants super admin. */
function grantable(role: Role): readonly Role[] {
  return hasRole(role, "super_admin") ? ROLES : ROLES.filter((candidate) => candidate !== "super_admin");
}

async function changeMember(api: Api, memberId: string, patch: Schemas["MemberPatch"]): Promise<void> {
  const path = { member_id: memberId };
  const { etag } = await unwrapVersioned(api.GET("/api/v1/members/{member_id}", { params: { path } }));
  await unwrap(
    api.PATCH("/api/v1/members/{member_id}", { params: { path, header: ifMatch(etag) }, body: patch }),
  );
}

function Invite({ onInvited }: { onInvited: () => void }) {
  const styles = useStyles();
  const { api, session } = useSignedIn();
  const empty = { email: "", first_name: "", last_name: "", role: "user" as Role };
  const [fields, setFields] = useState(empty);
  const [issued, setIssued] = useState<Schemas["IssuedInvitation"] | null>(null);
  const action = useAction();

  async function invite(event: FormEvent) {
    event.preventDefault();
    setIssued(null);
    const invitation = await action.run(() => unwrap(api.POST("/api/v1/members", { body: fields })));
    if (invitation.ok) {
      setIssued(invitation.value);
      setFields(empty);
      onInvited();
    }
  }

  const text = (name: "email" | "first_name" | "last_name", label: string) => (
    <Field label={label} required>
      <Input
        name={`invite_${name}`}
        type={name === "email" ? "email" : "text"}
        value={fields[name]}
        onChange={(_, data) => setFields({ ...fields, [name]: data.value })}
      />
    </Field>
  );
  const link =
    issued === null ? "" : `${window.location.origin}${JOIN_PATH}#code=${encodeURIComponent(issued.code)}`;

  return (
    <Section id="invite" title="Invite someone">
      <form className={styles.form} onSubmit={invite} noValidate>
        {text("email", "Email")}
        {text("first_name", "First name")}
        {text("last_name", "Last name")}
        <Field label="Role">
          <Dropdown
            value={ROLE_LABELS[fields.role]}
            selectedOptions={[fields.role]}
            onOptionSelect={(_, data) => setFields({ ...fields, role: (data.optionValue as Role) ?? "user" })}
          >
            {grantable(session.role).map((role) => (
              <Option key={role} value={role}>
                {ROLE_LABELS[role]}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Button appearance="primary" type="submit" disabled={action.busy}>
          Invite
        </Button>
      </form>
      {action.problem === null ? null : <ProblemView problem={action.problem} />}
      {issued === null ? null : (
        <MessageBar intent="success" layout="multiline" data-testid="issued-invitation">
          <MessageBarBody>
            <MessageBarTitle>
              {issued.first_name} {issued.last_name} is invited as {ROLE_LABELS[issued.role]}
            </MessageBarTitle>
            Give them this link, or the code, yourself: it is shown only now and works once, for{" "}
            {issued.email} only, until {formatMoment(issued.expires_at)}.
            <Field label="Invitation link">
              <Input className={styles.code} readOnly value={link} data-testid="invitation-link" />
            </Field>
            <Field label="Invitation code">
              <Input className={styles.code} readOnly value={issued.code} data-testid="invitation-code" />
            </Field>
          </MessageBarBody>
        </MessageBar>
      )}
    </Section>
  );
}

function MemberActions({ member, onChanged }: { member: Member; onChanged: () => void }) {
  const styles = useStyles();
  const { api, session } = useSignedIn();
  const action = useAction();
  const name = `${member.first_name} ${member.last_name}`;
  const path = { member_id: member.member_id };
  const act = (call: () => Promise<unknown>) => void action.run(call).then((done) => done.ok && onChanged());
  const roles = grantable(session.role).includes(member.role) ? grantable(session.role) : [member.role];
  return (
    <div className={styles.actions}>
      <Dropdown
        aria-label={`Role of ${name}`}
        value={ROLE_LABELS[member.role]}
        selectedOptions={[member.role]}
        disabled={action.busy}
        onOptionSelect={(_, data) => {
          const role = data.optionValue as Role | undefined;
          if (role !== undefined && role !== member.role) {
            act(() => changeMember(api, member.member_id, { role }));
          }
        }}
      >
        {roles.map((role) => (
          <Option key={role} value={role}>
            {ROLE_LABELS[role]}
          </Option>
        ))}
      </Dropdown>
      <Button
        aria-label={`${member.status === "active" ? "Disable" : "Enable"} ${name}`}
        disabled={action.busy}
        onClick={() =>
          act(() =>
            changeMember(api, member.member_id, {
              status: member.status === "active" ? "disabled" : "active",
            }),
          )
        }
      >
        {member.status === "active" ? "Disable" : "Enable"}
      </Button>
      <ConfirmButton
        label="Reset MFA"
        ariaLabel={`Reset MFA of ${name}`}
        title={`Reset ${name}'s MFA?`}
        confirm="Reset MFA"
        disabled={action.busy}
        onConfirm={() =>
          act(() => unwrap(api.DELETE("/api/v1/members/{member_id}/mfa", { params: { path } })))
        }
      >
        Their authenticator and recovery codes stop working and their sessions end; they set up a new
        authenticator at their next sign-in. Reset only once you have confirmed who is asking.
      </ConfirmButton>
      <ConfirmButton
        label="Erase"
        ariaLabel={`Erase ${name}`}
        title={`Erase ${name}?`}
        confirm="Erase"
        disabled={action.busy}
        onConfirm={() => act(() => unwrap(api.DELETE("/api/v1/members/{member_id}", { params: { path } })))}
      >
        {name} loses access at once and everything Insight365 holds about them is erased. This cannot be
        undone.
      </ConfirmButton>
      {action.problem === null ? null : <ProblemView problem={action.problem} />}
    </div>
  );
}

function MemberList({ members, onChanged }: { members: readonly Member[]; onChanged: () => void }) {
  const { session } = useSignedIn();
  return (
    <DataTable
      label="Members"
      testId="members"
      headers={["Name", "Email", "Role", "Status", "Actions"]}
      rows={members.map((member) => ({
        key: member.email,
        cells: [
          `${member.first_name} ${member.last_name}${member.member_id === session.memberId ? " (you)" : ""}`,
          member.email,
          ROLE_LABELS[member.role],
          <Badge key="status" appearance="tint" color={member.status === "active" ? "success" : "subtle"}>
            {member.status === "active" ? "Active" : "Disabled"}
          </Badge>,
          member.member_id === session.memberId ? (
            <Text key="self">Change your own details in My account</Text>
          ) : (
            <MemberActions key="actions" member={member} onChanged={onChanged} />
          ),
        ],
      }))}
    />
  );
}

function Invitations({
  invitations,
  onChanged,
}: {
  invitations: readonly Schemas["InvitationView"][];
  onChanged: () => void;
}) {
  const { api } = useSignedIn();
  const action = useAction();
  if (invitations.length === 0) {
    return <EmptyState title="No pending invitations" />;
  }
  return (
    <>
      {action.problem === null ? null : <ProblemView problem={action.problem} />}
      <DataTable
        label="Pending invitations"
        testId="invitations"
        headers={["Name", "Email", "Role", "Ends", "Actions"]}
        rows={invitations.map((invitation) => ({
          key: invitation.email,
          cells: [
            `${invitation.first_name} ${invitation.last_name}`,
            invitation.email,
            ROLE_LABELS[invitation.role],
            formatMoment(invitation.expires_at),
            <Button
              key="revoke"
              aria-label={`Revoke the invitation of ${invitation.email}`}
              disabled={action.busy}
              onClick={() =>
                void action
                  .run(() =>
                    unwrap(
                      api.DELETE("/api/v1/invitations/{invitation_id}", {
                        params: { path: { invitation_id: invitation.invitation_id } },
                      }),
                    ),
                  )
                  .then((done) => done.ok && onChanged())
              }
            >
              Revoke
            </Button>,
          ],
        }))}
      />
    </>
  );
}

export function Members() {
  const { api } = useSignedIn();
  const [loaded, reload] = useApi(
    () =>
      Promise.all([
        allPages((continuation) =>
          unwrap(api.GET("/api/v1/members", { params: { query: { page_size: PAGE_SIZE, continuation } } })),
        ),
        allPages((continuation) =>
          unwrap(
            api.GET("/api/v1/invitations", { params: { query: { page_size: PAGE_SIZE, continuation } } }),
          ),
        ),
      ]),
    [api],
  );
  return (
    <>
      <Title2 as="h1">Members</Title2>
      <Invite onInvited={reload} />
      <Load loaded={loaded} label="Loading members" onRetry={reload}>
        {([members, invitations]) => (
          <>
            <Section id="members" title="Members">
              <MemberList members={members} onChanged={reload} />
            </Section>
            <Section id="invitations" title="Pending invitations">
              <Invitations invitations={invitations} onChanged={reload} />
            </Section>
          </>
        )}
      </Load>
    </>
  );
}
