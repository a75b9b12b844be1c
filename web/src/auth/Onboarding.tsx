/** Before the app: the sign-in screen, and creating an organisation for a person who has none yet. */
import { Button, Field, Input, MessageBar, MessageBarBody, Text } from "@fluentui/react-components";
import { useState, type FormEvent } from "react";

import { unwrap, type Api } from "../api/client";
import { ApiProblem } from "../api/problem";
import { Panel, usePanelStyles } from "./Panel";

const MEMBER_INTRO =
  "See where licence money goes, how Microsoft 365 is adopted and how secure your tenant is. You sign in " +
  "with your password, then a code from your authenticator app.";

export function SignedOut({
  notice,
  onSignIn,
  title = "Sign in",
  intro = MEMBER_INTRO,
}: {
  notice: string | null;
  onSignIn: () => void;
  title?: string;
  intro?: string;
}) {
  return (
    <Panel title={title}>
      {notice === null ? null : (
        <MessageBar intent="info" data-testid="signed-out-notice">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      )}
      <Text>{intro}</Text>
      <Button appearance="primary" onClick={onSignIn}>
        Sign in
      </Button>
    </Panel>
  );
}

type Names = { organisation_name: string; first_name: string; last_name: string };

export function CreateOrganisation({
  api,
  email,
  suggested,
  onCreated,
  onJoinInstead,
}: {
  api: Api;
  email: string;
  suggested: Partial<Names>;
  onCreated: () => void;
  onJoinInstead: () => void;
}) {
  const styles = usePanelStyles();
  const [names, setNames] = useState<Names>({
    organisation_name: suggested.organisation_name ?? "",
    first_name: suggested.first_name ?? "",
    last_name: suggested.last_name ?? "",
  });
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const missing = (value: string) => value.trim().length === 0;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (Object.values(names).some(missing)) {
      setProblem(new ApiProblem(0, "Fill in every field", null, "client"));
      return;
    }
    setBusy(true);
    try {
      await unwrap(api.POST("/api/v1/signup", { body: names }));
      onCreated();
    } catch (failure) {
      setProblem(ApiProblem.of(failure));
      setBusy(false);
    }
  }

  const field = (name: keyof Names, label: string) => (
    <Field label={label} required>
      <Input
        name={name}
        value={names[name]}
        onChange={(_, data) => setNames({ ...names, [name]: data.value })}
        maxLength={100}
      />
    </Field>
  );

  return (
    <Panel title="Create your organisation">
      <Text>
        You are signed in as {email}, who belongs to no organisation yet. Create one: you become its super
        admin and can connect its Microsoft 365 tenant. If a colleague invited you, use the link they sent
        instead, or enter their code.
      </Text>
      <form className={styles.form} onSubmit={submit} noValidate>
        {field("organisation_name", "Organisation name")}
        {field("first_name", "Your first name")}
        {field("last_name", "Your last name")}
        {problem === null ? null : (
          <MessageBar intent="error" role="alert">
            <MessageBarBody>{problem.message}</MessageBarBody>
          </MessageBar>
        )}
        <Button appearance="primary" type="submit" disabled={busy}>
          Create organisation
        </Button>
      </form>
      <Button appearance="transparent" onClick={onJoinInstead}>
        I have an invitation code
      </Button>
    </Panel>
  );
}
