/**
 * Joining through an invitation: the invitee signs in (or signs up) with the invited address, opens the
 * link an admin gave them (`/join#code=…`: the code travels in the fragment, so it is never sent to a
 * server or written to a log) or types the code, sees which organisation and role it is for, and
 * accepts. The API checks everything: the code works once, for the invited address only.
 */
import { Button, Field, Input, Text } from "@fluentui/react-components";
import { useState, type FormEvent } from "react";

import { unwrap, type Api, type Schemas } from "../api/client";
import { useAction } from "../api/useAction";
import { ProblemView } from "../components/states";
import { ROLE_LABELS } from "../shell/navigation";
import { formatMoment } from "../format";
import { Panel, usePanelStyles } from "./Panel";

export const JOIN_PATH = "/join";

/** The invitation code in this page's address (`/join#code=…`), if any. */
export function invitationCodeInAddress(): string | null {
  if (window.location.pathname !== JOIN_PATH) {
    return null;
  }
  return new URLSearchParams(window.location.hash.slice(1)).get("code");
}

export function JoinOrganisation({
  api,
  email,
  initialCode,
  onJoined,
  onCreateInstead,
}: {
  api: Api;
  email: string;
  initialCode: string;
  onJoined: () => void;
  onCreateInstead: () => void;
}) {
  const styles = usePanelStyles();
  const [code, setCode] = useState(initialCode);
  const [preview, setPreview] = useState<Schemas["InvitationPreview"] | null>(null);
  const action = useAction();

  async function check(event: FormEvent) {
    event.preventDefault();
    const found = await action.run(() =>
      unwrap(api.POST("/api/v1/invitations/preview", { body: { code: code.trim() } })),
    );
    setPreview(found.ok ? found.value : null);
  }

  async function accept() {
    const joined = await action.run(() =>
      unwrap(api.POST("/api/v1/invitations/accept", { body: { code: code.trim() } })),
    );
    if (joined.ok) {
      // The code is spent: take it out of the address bar and the history entry.
      window.history.replaceState(null, "", "/");
      onJoined();
    }
  }

  return (
    <Panel title="Join your organisation">
      <Text>
        You are signed in as {email}. Enter the invitation code a colleague gave you, or open the link they
        sent.
      </Text>
      {preview === null ? (
        <form className={styles.form} onSubmit={check} noValidate>
          <Field label="Invitation code" required>
            <Input name="invitation_code" value={code} onChange={(_, data) => setCode(data.value)} />
          </Field>
          <Button appearance="primary" type="submit" disabled={action.busy || code.trim() === ""}>
            Check the invitation
          </Button>
        </form>
      ) : (
        <>
          <Text data-testid="invitation-preview">
            {preview.first_name} {preview.last_name}, you are invited to join{" "}
            <strong>{preview.organisation_name}</strong> as {ROLE_LABELS[preview.role]}. The invitation ends{" "}
            {formatMoment(preview.expires_at)}.
          </Text>
          <Button appearance="primary" onClick={() => void accept()} disabled={action.busy}>
            Join {preview.organisation_name}
          </Button>
        </>
      )}
      {action.problem === null ? null : <ProblemView problem={action.problem} />}
      <Button appearance="transparent" onClick={onCreateInstead}>
        Create a new organisation instead
      </Button>
    </Panel>
  );
}
