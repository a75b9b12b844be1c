/** How long Insight365 keeps the organisation's data; an organisation may only shorten the periods
 * (the API says which values it accepts). */
import { Button, Field, Input, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useState, type FormEvent } from "react";

import { ifMatch, unwrap, unwrapVersioned, type Schemas, type Versioned } from "../api/client";
import { useAction } from "../api/useAction";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { Load, ProblemView } from "../components/states";
import { useSaveNotice, type SaveNotice } from "../components/saveNotice";

type Retention = Required<Schemas["RetentionSettings"]>;
const PERIODS: readonly { name: keyof Retention; label: string; hint: string }[] = [
  { name: "raw_days", label: "Raw snapshots of the tenant", hint: "at most 30 days" },
  { name: "insights_days", label: "Insights and refresh runs", hint: "30 to 400 days" },
  { name: "audit_days", label: "Audit log", hint: "365 to 730 days" },
];

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "24rem" },
});

function RetentionForm({
  loaded,
  notice,
  onSaved,
}: {
  loaded: Versioned<Schemas["OrganisationView"]>;
  notice: SaveNotice;
  onSaved: () => void;
}) {
  const styles = useStyles();
  const { api } = useSignedIn();
  const [days, setDays] = useState<Record<keyof Retention, string>>({
    raw_days: String(loaded.data.retention.raw_days ?? ""),
    insights_days: String(loaded.data.retention.insights_days ?? ""),
    audit_days: String(loaded.data.retention.audit_days ?? ""),
  });
  const action = useAction();

  async function save(event: FormEvent) {
    event.preventDefault();
    notice.saving();
    const retention = Object.fromEntries(PERIODS.map(({ name }) => [name, Number(days[name])]));
    const done = await action.run(() =>
      unwrap(
        api.PATCH("/api/v1/organisation", { params: { header: ifMatch(loaded.etag) }, body: { retention } }),
      ),
    );
    if (done.ok) {
      notice.done();
      onSaved();
    }
  }

  return (
    <form className={styles.form} onSubmit={save} noValidate>
      {PERIODS.map(({ name, label, hint }) => (
        <Field key={name} label={`${label} (days)`} hint={hint}>
          <Input
            name={name}
            type="number"
            min={1}
            value={days[name]}
            onChange={(_, data) => setDays({ ...days, [name]: data.value })}
          />
        </Field>
      ))}
      <div>
        <Button appearance="primary" type="submit" disabled={action.busy}>
          Save retention
        </Button>
      </div>
      {notice.saved ? <Text data-testid="retention-saved">Retention saved.</Text> : null}
      {action.problem === null ? null : <ProblemView problem={action.problem} />}
    </form>
  );
}

export function RetentionEditor() {
  const { api } = useSignedIn();
  const [loaded, reload] = useApi(() => unwrapVersioned(api.GET("/api/v1/organisation")), [api]);
  const notice = useSaveNotice();
  return (
    <Load loaded={loaded} label="Loading retention" onRetry={reload}>
      {(data) => <RetentionForm key={data.etag ?? ""} loaded={data} notice={notice} onSaved={reload} />}
    </Load>
  );
}
