/**
 * Get started (a new organisation's super admin): connect Microsoft 365 (with the connection test's
 * result per permission), run the first refresh with live progress, then set prices — pre-filled with
 * the licences that refresh found, since the tenant's SKUs are known only once it has collected them —
 * and the inactivity threshold, and recompute the figures with them in seconds.
 */
import {
  Body1,
  Button,
  Card,
  Text,
  Title2,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useRef, useState } from "react";
import { Link as RouterLink } from "react-router-dom";

import { unwrap, type Schemas } from "../api/client";
import { isRunning } from "../api/runs";
import { useAction } from "../api/useAction";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { Section } from "../components/Section";
import { Load, ProblemView } from "../components/states";
import { ConnectForm, Permissions } from "../settings/Connection";
import { GroupsEditor } from "../settings/Groups";
import { PriceEditor } from "../settings/Prices";
import { RunCard } from "./Refresh";

const STEPS = ["Connect Microsoft 365", "First refresh", "Prices", "Inactivity", "Apply"] as const;
const POLL_MS = 1_500;

const useStyles = makeStyles({
  steps: {
    display: "flex",
    gap: tokens.spacingHorizontalL,
    flexWrap: "wrap",
    margin: 0,
    paddingLeft: "1.25rem",
  },
  current: { fontWeight: tokens.fontWeightSemibold, color: tokens.colorBrandForeground1 },
  card: { gap: tokens.spacingVerticalM },
});

/** Start a refresh (a collection, or a recompute when only settings changed) and follow its run live. */
function RunToPublished({ label, onPublished }: { label: string; onPublished: () => void }) {
  const { api } = useSignedIn();
  const start = useAction();
  const [runId, setRunId] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [run] = useApi<Schemas["RunRecord"] | null>(
    async () =>
      runId === null
        ? null
        : unwrap(api.GET("/api/v1/runs/{run_id}", { params: { path: { run_id: runId } } })),
    [api, runId, tick],
  );
  const current = run.state === "ready" ? run.data : null;
  const reported = useRef<string | null>(null);
  useEffect(() => {
    if (current === null) {
      return;
    }
    if (current.state === "published") {
      if (reported.current !== current.run_id) {
        reported.current = current.run_id;
        onPublished();
      }
      return;
    }
    if (isRunning(current)) {
      const timer = window.setTimeout(() => setTick((value) => value + 1), POLL_MS);
      return () => window.clearTimeout(timer);
    }
  }, [current, onPublished]);

  return (
    <>
      <div>
        <Button
          appearance="primary"
          disabled={start.busy || (current !== null && isRunning(current))}
          onClick={() =>
            void start
              .run(() => unwrap(api.POST("/api/v1/integrations/m365/refresh")))
              .then((accepted) => accepted.ok && setRunId(accepted.value.run_id))
          }
        >
          {label}
        </Button>
      </div>
      {start.problem === null ? null : <ProblemView problem={start.problem} />}
      {current === null ? null : <RunCard run={current} />}
    </>
  );
}

function Next({ disabled = false, onClick }: { disabled?: boolean; onClick: () => void }) {
  return (
    <div>
      <Button appearance="primary" disabled={disabled} onClick={onClick}>
        Next
      </Button>
    </div>
  );
}

function Connect({ onNext }: { onNext: () => void }) {
  const { api } = useSignedIn();
  const [loaded, reload] = useApi(() => unwrap(api.GET("/api/v1/integrations/m365")), [api]);
  return (
    <Load loaded={loaded} label="Loading the integration" onRetry={reload}>
      {(integration) =>
        integration.status === "disconnected" ? (
          <ConnectForm onConnected={reload} />
        ) : (
          <>
            <Body1 data-testid="connected-tenant">Connected to tenant {integration.tenant_id}.</Body1>
            <Permissions permissions={integration.permissions ?? []} />
            <Next onClick={onNext} />
          </>
        )
      }
    </Load>
  );
}

export function GetStarted() {
  const styles = useStyles();
  const [step, setStep] = useState(0);
  const [done, setDone] = useState<Set<number>>(new Set());
  const next = () => setStep((value) => value + 1);
  const finished = (index: number) => () => setDone((previous) => new Set(previous).add(index));
  const nextAfter = (index: number) => <Next disabled={!done.has(index)} onClick={next} />;
  return (
    <>
      <Title2 as="h1">Get started</Title2>
      <ol className={styles.steps} aria-label="Steps">
        {STEPS.map((title, index) => (
          <li
            key={title}
            className={mergeClasses(index === step && styles.current)}
            aria-current={index === step ? "step" : undefined}
          >
            {title}
          </li>
        ))}
      </ol>
      <Card className={styles.card}>
        <Section id="step" title={STEPS[step] ?? ""}>
          {step === 0 ? <Connect onNext={next} /> : null}
          {step === 1 ? (
            <>
              <Text>
                The first refresh reads the tenant's licences, usage and security settings through Microsoft
                Graph; a few minutes for most tenants.
              </Text>
              <RunToPublished label="Start the first refresh" onPublished={finished(1)} />
              {nextAfter(1)}
            </>
          ) : null}
          {step === 2 ? (
            <>
              <Text>The licences the first refresh found. A price turns unused seats into money.</Text>
              <PriceEditor />
              <Next onClick={next} />
            </>
          ) : null}
          {step === 3 ? (
            <>
              <GroupsEditor withDepartments={false} />
              <Next onClick={next} />
            </>
          ) : null}
          {step === 4 ? (
            <>
              <Text>
                Recompute the published figures with your prices and threshold; no new collection is needed.
              </Text>
              <RunToPublished label="Apply the settings" onPublished={finished(4)} />
              <Text data-testid="get-started-done">
                {done.has(4) ? "All set. " : ""}
                <RouterLink to="/">Open the overview</RouterLink>
              </Text>
            </>
          ) : null}
        </Section>
      </Card>
    </>
  );
}
