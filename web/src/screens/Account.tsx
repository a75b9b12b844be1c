/** My account: the person's own profile (rectify), privacy-notice consent, a download of everything held
 * about them, erasure, and signing out. */
import {
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Text,
  Title2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState, type FormEvent } from "react";

import { ifMatch, unwrap, unwrapVersioned, type Schemas, type Versioned } from "../api/client";
import { useAction } from "../api/useAction";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { ConfirmButton } from "../components/ConfirmButton";
import { DataTable } from "../components/DataTable";
import { saveJson } from "../components/download";
import { Section } from "../components/Section";
import { Load, ProblemView } from "../components/states";
import { useSaveNotice, type SaveNotice } from "../components/saveNotice";
import { formatMoment } from "../format";
import { ROLE_LABELS } from "../shell/navigation";

type Me = Schemas["MemberView"];

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "28rem" },
});

function Profile({ me, notice, onSaved }: { me: Versioned<Me>; notice: SaveNotice; onSaved: () => void }) {
  const styles = useStyles();
  const { api } = useSignedIn();
  const [fields, setFields] = useState({
    first_name: me.data.first_name,
    last_name: me.data.last_name,
    phone: me.data.phone ?? "",
  });
  const action = useAction();

  async function save(event: FormEvent) {
    event.preventDefault();
    notice.saving();
    const body = { ...fields, phone: fields.phone.trim() === "" ? null : fields.phone.trim() };
    const done = await action.run(() =>
      unwrap(api.PATCH("/api/v1/me", { params: { header: ifMatch(me.etag) }, body })),
    );
    if (done.ok) {
      notice.done();
      onSaved();
    }
  }

  const field = (name: keyof typeof fields, label: string, hint?: string) => (
    <Field label={label} hint={hint}>
      <Input
        name={name}
        value={fields[name]}
        onChange={(_, data) => setFields({ ...fields, [name]: data.value })}
      />
    </Field>
  );
  return (
    <form className={styles.form} onSubmit={save} noValidate>
      <Text>
        {me.data.email} · {ROLE_LABELS[me.data.role]} since {formatMoment(me.data.created_at)}
      </Text>
      {field("first_name", "First name")}
      {field("last_name", "Last name")}
      {field("phone", "Phone (optional)", "Optional; needs your consent to the privacy notice")}
      <div>
        <Button appearance="primary" type="submit" disabled={action.busy}>
          Save profile
        </Button>
      </div>
      {notice.saved ? <Text data-testid="profile-saved">Profile saved.</Text> : null}
      {action.problem === null ? null : <ProblemView problem={action.problem} />}
    </form>
  );
}

function Consent({ me, onChanged }: { me: Me; onChanged: () => void }) {
  const { api } = useSignedIn();
  const action = useAction();
  const current = me.privacy_notice_version ?? "";
  const accepted = me.consents.some((consent) => consent.version === current);
  return (
    <>
      <Text data-testid="consent-state">
        {accepted
          ? `You accepted privacy notice ${current}.`
          : `You have not accepted privacy notice ${current}; Insight365 keeps no optional data about you until you do.`}
      </Text>
      {me.consents.length === 0 ? null : (
        <DataTable
          label="Your consents"
          headers={["Privacy notice", "Accepted"]}
          rows={me.consents.map((consent) => ({
            key: consent.version,
            cells: [consent.version, formatMoment(consent.accepted_at)],
          }))}
        />
      )}
      {accepted ? null : (
        <div>
          <Button
            disabled={action.busy}
            onClick={() =>
              void action
                .run(() => unwrap(api.POST("/api/v1/me/consent", { body: { version: current } })))
                .then((done) => done.ok && onChanged())
            }
          >
            Accept privacy notice {current}
          </Button>
        </div>
      )}
      {action.problem === null ? null : <ProblemView problem={action.problem} />}
    </>
  );
}

function YourData() {
  const { api, signOut } = useSignedIn();
  const exporting = useAction();
  const erasing = useAction();
  const [erased, setErased] = useState(false);
  return (
    <>
      <div>
        <Button
          disabled={exporting.busy}
          onClick={() =>
            void exporting.run(async () =>
              saveJson(await unwrap(api.GET("/api/v1/me/export")), "insight365-my-data.json"),
            )
          }
        >
          Download my data
        </Button>
      </div>
      {exporting.problem === null ? null : <ProblemView problem={exporting.problem} />}
      <div>
        <ConfirmButton
          label="Erase me"
          title="Erase your account?"
          confirm="Erase me"
          disabled={erasing.busy || erased}
          onConfirm={() =>
            void erasing
              .run(() => unwrap(api.DELETE("/api/v1/me")))
              .then((accepted) => {
                if (accepted.ok) {
                  setErased(true);
                }
              })
          }
        >
          You lose access at once and everything Insight365 holds about you is erased; the audit log keeps
          only what the law requires. This cannot be undone.
        </ConfirmButton>
      </div>
      {erasing.problem === null ? null : <ProblemView problem={erasing.problem} />}
      {erased ? (
        <MessageBar intent="success" data-testid="erasure-requested">
          <MessageBarBody>
            Your erasure is under way and you no longer have access.{" "}
            <Button appearance="transparent" onClick={() => void signOut()}>
              Finish signing out
            </Button>
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </>
  );
}

export function Account() {
  const { api, signOut } = useSignedIn();
  const [me, reload] = useApi(() => unwrapVersioned(api.GET("/api/v1/me")), [api]);
  const notice = useSaveNotice();
  return (
    <>
      <Title2 as="h1">My account</Title2>
      <Load loaded={me} label="Loading your account" onRetry={reload}>
        {(loaded) => (
          <>
            <Section id="profile" title="Profile">
              <Profile key={loaded.etag ?? ""} me={loaded} notice={notice} onSaved={reload} />
            </Section>
            <Section id="consent" title="Privacy notice">
              <Consent me={loaded.data} onChanged={reload} />
            </Section>
            <Section id="your-data" title="Your data">
              <YourData />
            </Section>
            <Section id="sign-out" title="Sign out">
              <div>
                <Button onClick={() => void signOut()}>Sign out</Button>
              </div>
            </Section>
          </>
        )}
      </Load>
    </>
  );
}
