/** Refresh: each run with its per-dataset progress, warnings and errors, live while one is under way;
 * "Refresh now" for super admins, with the API's Retry-After when it is too soon. */
import {
  Badge,
  Button,
  Caption1,
  Card,
  MessageBar,
  MessageBarBody,
  ProgressBar,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useEffect, useState } from "react";

import { unwrap, type Schemas } from "../api/client";
import { ApiProblem } from "../api/problem";
import { isRunning } from "../api/runs";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { hasRole } from "../auth/session";
import { CountCell } from "../components/cardStyles";
import { EmptyState, Load, ProblemView } from "../components/states";
import { formatCount, formatDay, formatMoment } from "../format";
import { runWarningLines } from "./runWarnings";

type Run = Schemas["RunRecord"];
const POLL_MS = 2_000;
const DONE = new Set(["complete", "unavailable"]);

const STATE_WORDS: Record<string, string> = {
  queued: "Waiting to start",
  collecting: "Collecting data",
  computing: "Computing insights",
  published: "Published",
  failed: "Failed",
};

const useStyles = makeStyles({
  runs: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
  card: { gap: tokens.spacingVerticalS },
  head: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center", flexWrap: "wrap" },
});

function waitInWords(seconds: number): string {
  if (seconds < 60) {
    return seconds === 1 ? "1 second" : `${seconds} seconds`;
  }
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

export function RunCard({ run }: { run: Run }) {
  const styles = useStyles();
  const datasets = Object.entries(run.datasets ?? {});
  const done = datasets.filter(([, dataset]) => DONE.has(dataset.status ?? "pending")).length;
  const state = run.state ?? "queued";
  return (
    <Card className={styles.card} data-run={run.run_id} data-state={state}>
      <div className={styles.head}>
        <Subtitle2 as="h2">Refresh of {formatDay(run.as_of)}</Subtitle2>
        <Badge
          appearance="tint"
          color={state === "failed" ? "danger" : state === "published" ? "success" : "informative"}
        >
          {STATE_WORDS[state] ?? state}
        </Badge>
        <Caption1>
          {run.trigger === "schedule" ? "Scheduled" : "Asked for"} {formatMoment(run.created_at)}
        </Caption1>
      </div>
      {datasets.length === 0 ? null : (
        <ProgressBar
          value={done / datasets.length}
          aria-label={`${done} of ${datasets.length} datasets collected`}
          thickness="large"
        />
      )}
      <Text data-testid="run-progress">
        {formatCount(done)} of {formatCount(datasets.length)} datasets collected
      </Text>
      {run.error ? (
        <MessageBar intent="error">
          <MessageBarBody>{run.error}</MessageBarBody>
        </MessageBar>
      ) : null}
      {runWarningLines(run.warnings ?? []).map((line) => (
        <MessageBar key={line} intent="warning">
          <MessageBarBody>{line}</MessageBarBody>
        </MessageBar>
      ))}
      {datasets.length === 0 ? null : (
        <Table size="extra-small" aria-label={`Datasets of the refresh of ${formatDay(run.as_of)}`}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Dataset</TableHeaderCell>
              <TableHeaderCell>Status</TableHeaderCell>
              <TableHeaderCell>Rows</TableHeaderCell>
              <TableHeaderCell>Note</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {datasets.map(([name, dataset]) => (
              <TableRow key={name} data-dataset={name}>
                <TableCell>{name}</TableCell>
                <TableCell>{dataset.status ?? "pending"}</TableCell>
                <CountCell value={dataset.rows ?? 0} />
                <TableCell>{dataset.error ?? (dataset.warnings ?? []).join("; ")}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Card>
  );
}

function RefreshNow({ onStarted }: { onStarted: () => void }) {
  const { api } = useSignedIn();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ intent: "success" | "warning"; text: string } | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  async function refresh() {
    setBusy(true);
    setOutcome(null);
    setProblem(null);
    try {
      const accepted = await unwrap(api.POST("/api/v1/integrations/m365/refresh"));
      setOutcome({
        intent: "success",
        text: accepted.action === "in_progress" ? "A refresh is already under way." : "Refresh started.",
      });
      onStarted();
    } catch (failure) {
      const found = ApiProblem.of(failure);
      if (found.status === 429 && found.retryAfter !== null) {
        setOutcome({
          intent: "warning",
          text: `${found.title}. You can refresh again in ${waitInWords(found.retryAfter)}.`,
        });
      } else {
        setProblem(found);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <div>
        <Button appearance="primary" onClick={() => void refresh()} disabled={busy}>
          Refresh now
        </Button>
      </div>
      {outcome === null ? null : (
        <MessageBar intent={outcome.intent} data-testid="refresh-outcome">
          <MessageBarBody>{outcome.text}</MessageBarBody>
        </MessageBar>
      )}
      {problem === null ? null : <ProblemView problem={problem} />}
    </>
  );
}

export function Refresh() {
  const styles = useStyles();
  const { api, session } = useSignedIn();
  const [tick, setTick] = useState(0);
  const [loaded, reload] = useApi(
    async () => (await unwrap(api.GET("/api/v1/runs", { params: { query: { limit: 10 } } }))).items,
    [api, tick],
  );
  const running = loaded.state === "ready" && loaded.data.some((run) => isRunning(run));
  useEffect(() => {
    if (!running) {
      return;
    }
    const timer = window.setTimeout(() => setTick((value) => value + 1), POLL_MS);
    return () => window.clearTimeout(timer);
  }, [running, loaded]);

  return (
    <>
      <Title2 as="h1">Refresh</Title2>
      <Text>
        Insight365 refreshes every night. Each refresh collects the tenant's data, then publishes new figures.
      </Text>
      {hasRole(session.role, "super_admin") ? (
        <RefreshNow onStarted={() => setTick((value) => value + 1)} />
      ) : null}
      <Load loaded={loaded} label="Loading refreshes" onRetry={reload}>
        {(runs) =>
          runs.length === 0 ? (
            <EmptyState title="No refresh yet">
              The first refresh starts when the Microsoft 365 tenant is connected.
            </EmptyState>
          ) : (
            <section className={styles.runs} aria-label="Refreshes, newest first">
              {runs.map((run) => (
                <RunCard key={run.run_id} run={run} />
              ))}
            </section>
          )
        }
      </Load>
    </>
  );
}
