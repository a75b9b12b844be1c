/** The inactivity threshold (30, 60 or 90 days) and the department → reporting group mapping: one
 * document in the API, saved together. */
import {
  Button,
  Field,
  Input,
  Radio,
  RadioGroup,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState, type FormEvent } from "react";

import { ifMatch, unwrap, unwrapVersioned, type Versioned, type Schemas } from "../api/client";
import { useAction } from "../api/useAction";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { Load, ProblemView } from "../components/states";
import { useSaveNotice, type SaveNotice } from "../components/saveNotice";

type Groups = Schemas["Groups"];
type Threshold = NonNullable<Groups["inactivity_days"]>;
const THRESHOLDS: readonly Threshold[] = [30, 60, 90];
const DEFAULT_THRESHOLD: Threshold = 90;

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "40rem" },
  pair: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "end" },
});

function GroupsForm({
  loaded,
  withDepartments,
  notice,
  onSaved,
}: {
  loaded: Versioned<Groups>;
  withDepartments: boolean;
  notice: SaveNotice;
  onSaved: () => void;
}) {
  const styles = useStyles();
  const { api } = useSignedIn();
  const [days, setDays] = useState<Threshold>(loaded.data.inactivity_days ?? DEFAULT_THRESHOLD);
  const [pairs, setPairs] = useState(Object.entries(loaded.data.departments ?? {}));
  const action = useAction();

  async function save(event: FormEvent) {
    event.preventDefault();
    notice.saving();
    const departments = Object.fromEntries(
      pairs.filter(([department, group]) => department.trim() && group.trim()),
    );
    const done = await action.run(() =>
      unwrap(
        api.PUT("/api/v1/metadata/groups", {
          params: { header: ifMatch(loaded.etag) },
          body: { inactivity_days: days, departments },
        }),
      ),
    );
    if (done.ok) {
      notice.done();
      onSaved();
    }
  }

  const edit = (index: number, at: 0 | 1, value: string) =>
    setPairs(
      pairs.map((pair, row) => (row === index ? (at === 0 ? [value, pair[1]] : [pair[0], value]) : pair)),
    );

  return (
    <form className={styles.form} onSubmit={save} noValidate>
      <Field label="A licensed account counts as inactive after">
        <RadioGroup
          layout="horizontal"
          value={String(days)}
          onChange={(_, data) => setDays(Number(data.value) as Threshold)}
        >
          {THRESHOLDS.map((threshold) => (
            <Radio key={threshold} value={String(threshold)} label={`${threshold} days`} />
          ))}
        </RadioGroup>
      </Field>
      {withDepartments ? (
        <>
          <Text>
            Reporting groups: each department (as named in Microsoft Entra ID) counts towards the group you
            name; departments not listed are their own group.
          </Text>
          {pairs.map(([department, group], index) => (
            <div key={index} className={styles.pair} data-department-row={index}>
              <Field label="Department">
                <Input value={department} maxLength={64} onChange={(_, data) => edit(index, 0, data.value)} />
              </Field>
              <Field label="Group">
                <Input value={group} maxLength={64} onChange={(_, data) => edit(index, 1, data.value)} />
              </Field>
              <Button
                aria-label={`Remove the department ${department}`}
                onClick={() => setPairs(pairs.filter((_, row) => row !== index))}
              >
                Remove
              </Button>
            </div>
          ))}
          <div>
            <Button onClick={() => setPairs([...pairs, ["", ""]])}>Add a department</Button>
          </div>
        </>
      ) : null}
      <div>
        <Button appearance="primary" type="submit" disabled={action.busy}>
          {withDepartments ? "Save groups and threshold" : "Save threshold"}
        </Button>
      </div>
      {notice.saved ? <Text data-testid="groups-saved">Saved.</Text> : null}
      {action.problem === null ? null : <ProblemView problem={action.problem} />}
    </form>
  );
}

export function GroupsEditor({
  withDepartments = true,
  onSaved = () => undefined,
}: {
  withDepartments?: boolean;
  onSaved?: () => void;
}) {
  const { api } = useSignedIn();
  const [loaded, reload] = useApi(() => unwrapVersioned(api.GET("/api/v1/metadata/groups")), [api]);
  const notice = useSaveNotice();
  return (
    <Load loaded={loaded} label="Loading groups" onRetry={reload}>
      {(data) => (
        <GroupsForm
          key={data.etag ?? ""}
          loaded={data}
          withDepartments={withDepartments}
          notice={notice}
          onSaved={() => {
            reload();
            onSaved();
          }}
        />
      )}
    </Load>
  );
}
