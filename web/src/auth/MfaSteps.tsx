/**
 * The app's own second factor, after the provider's sign-in: TOTP enrolment the first time (QR code,
 * manual key, a first code, recovery codes shown once), a code or a recovery code afterwards.
 */
import {
  Button,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarBody,
  Text,
  Checkbox,
} from "@fluentui/react-components";
import { useState, type FormEvent } from "react";

import type { Schemas } from "../api/client";
import { ApiProblem } from "../api/problem";
import { Panel, usePanelStyles } from "./Panel";
import { QrCode } from "./QrCode";

const CODE_PATTERN = /^\d{6}$/;

/** The one field of a code form, with its error in words beneath it. */
function CodeField(props: {
  label: string;
  error: string | null;
  numeric: boolean;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field
      label={props.label}
      validationMessage={props.error}
      validationState={props.error ? "error" : "none"}
    >
      <Input
        name="code"
        inputMode={props.numeric ? "numeric" : "text"}
        autoComplete="one-time-code"
        value={props.value}
        onChange={(_, data) => props.onChange(data.value.trim())}
      />
    </Field>
  );
}

/** "ABCD EFGH …": the manual key in groups of four, easier to type. */
function grouped(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, "$1 ");
}

function Enrolment({
  enrolment,
  confirm: confirmCode,
  onConfirmed,
}: {
  enrolment: Schemas["TotpEnrolment"];
  /** Activate the authenticator with its first code; the recovery codes. */
  confirm: (code: string) => Promise<string[]>;
  onConfirmed: (codes: string[]) => void;
}) {
  const styles = usePanelStyles();
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function confirm(event: FormEvent) {
    event.preventDefault();
    if (!CODE_PATTERN.test(code)) {
      setError("Enter the 6 digits your authenticator app shows.");
      return;
    }
    setBusy(true);
    try {
      onConfirmed(await confirmCode(code));
    } catch (failure) {
      setError(ApiProblem.of(failure).message);
      setBusy(false);
    }
  }

  return (
    <Panel title="Set up your authenticator">
      <Text>
        Insight365 asks for a code from an authenticator app each time you sign in. Scan this QR code with
        Microsoft Authenticator or any TOTP app, or type the key by hand.
      </Text>
      <QrCode value={enrolment.otpauth_uri} label="QR code to scan with your authenticator app" />
      <Field label="Key to type by hand">
        <Input readOnly value={grouped(enrolment.secret)} data-testid="totp-secret" />
      </Field>
      <form className={styles.form} onSubmit={confirm} noValidate>
        <CodeField label="Code from the app" error={error} numeric value={code} onChange={setCode} />
        <Button appearance="primary" type="submit" disabled={busy}>
          Confirm
        </Button>
      </form>
    </Panel>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [saved, setSaved] = useState(false);
  return (
    <Panel title="Save your recovery codes">
      <MessageBar intent="warning">
        <MessageBarBody>
          These codes are shown once. Each one signs you in once if you lose your authenticator. Keep them
          somewhere safe.
        </MessageBarBody>
      </MessageBar>
      <ol aria-label="Recovery codes" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <Checkbox
        checked={saved}
        onChange={(_, data) => setSaved(data.checked === true)}
        label="I have saved these codes"
      />
      <Button appearance="primary" disabled={!saved} onClick={onDone}>
        Continue
      </Button>
    </Panel>
  );
}

function Challenge({
  intro,
  open,
}: {
  intro: string;
  /** Open the session with a code or a recovery code (a refusal is thrown as its problem). */
  open: (body: Schemas["SessionBody"]) => Promise<void>;
}) {
  const styles = usePanelStyles();
  const [useRecovery, setUseRecovery] = useState(false);
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!useRecovery && !CODE_PATTERN.test(value)) {
      setError("Enter the 6 digits your authenticator app shows.");
      return;
    }
    if (useRecovery && value.length === 0) {
      setError("Enter one of your recovery codes.");
      return;
    }
    setBusy(true);
    try {
      const body = useRecovery ? { recovery_code: value } : { code: value };
      await open(body);
    } catch (failure) {
      const problem = ApiProblem.of(failure);
      setError(
        problem.kind === "mfa-code-rejected"
          ? "That code was not accepted. Try the next one."
          : problem.message,
      );
      setBusy(false);
    }
  }

  return (
    <Panel title="Enter your code">
      <Text>{intro}</Text>
      <form className={styles.form} onSubmit={submit} noValidate>
        <CodeField
          label={useRecovery ? "Recovery code" : "Code from your authenticator app"}
          error={error}
          numeric={!useRecovery}
          value={value}
          onChange={setValue}
        />
        <Button appearance="primary" type="submit" disabled={busy}>
          Continue
        </Button>
      </form>
      <Link
        as="button"
        onClick={() => {
          setUseRecovery(!useRecovery);
          setValue("");
          setError(null);
        }}
      >
        {useRecovery ? "Use a code from the app instead" : "Use a recovery code instead"}
      </Link>
    </Panel>
  );
}

/** The second-factor steps every sign-in shares, member or operator. */
export type MfaStep =
  | { readonly kind: "enrol"; readonly enrolment: Schemas["TotpEnrolment"] }
  | { readonly kind: "recovery-codes"; readonly codes: string[] }
  | { readonly kind: "challenge"; readonly intro: string };

export const CHALLENGE: MfaStep = {
  kind: "challenge",
  intro: "Open your authenticator app and enter the code it shows for Insight365.",
};

export function MfaSteps({
  step,
  confirm,
  open,
  onStep,
}: {
  step: MfaStep;
  confirm: (code: string) => Promise<string[]>;
  open: (body: Schemas["SessionBody"]) => Promise<void>;
  onStep: (next: MfaStep) => void;
}) {
  switch (step.kind) {
    case "enrol":
      return (
        <Enrolment
          enrolment={step.enrolment}
          confirm={confirm}
          onConfirmed={(codes) => onStep({ kind: "recovery-codes", codes })}
        />
      );
    case "recovery-codes":
      return (
        <RecoveryCodes
          codes={step.codes}
          onDone={() =>
            onStep({
              kind: "challenge",
              intro: "Your authenticator is set up. Enter its next code to finish signing in.",
            })
          }
        />
      );
    case "challenge":
      return <Challenge intro={step.intro} open={open} />;
  }
}
