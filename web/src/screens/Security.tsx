/** Security (admins): the posture score and its trend, every assurance check grouped by status and
 * severity with its baseline id, evidence, remediation and the accounts it found, and the licensed
 * accounts that are also a risk (waste × risk). */
import {
  Accordion,
  AccordionHeader,
  AccordionItem,
  AccordionPanel,
  Badge,
  Body1,
  Caption1,
  Subtitle2,
  Text,
  Title2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";

import { unwrap, type Schemas } from "../api/client";
import { useApi, type Loaded } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { DownloadCsv } from "../components/DownloadCsv";
import { Figure, Figures } from "../components/Figure";
import { AsOf, Warnings } from "../components/Freshness";
import { whenNotPublished } from "../components/NotPublished";
import { ReportTable, formatCell, rowsShown, type ReportRow } from "../components/ReportTable";
import { Section } from "../components/Section";
import { TrendChart } from "../components/TrendChart";
import { EmptyState, Load } from "../components/states";
import { daysBefore, formatCount, formatNumber, formatPercent } from "../format";

type Check = Schemas["CheckResult"];
type Status = Check["status"];

const FINDINGS = "assurance-findings";
const WASTE_RISK = "waste-risk";
const SHOWN_ROWS = 50;
const TREND_DAYS = 90;
const STATUSES: readonly { status: Status; title: string }[] = [
  { status: "fail", title: "Failing" },
  { status: "warn", title: "Warnings" },
  { status: "pass", title: "Passing" },
  { status: "not_applicable", title: "Not applicable" },
];
const SEVERITY_RANK: Record<Check["severity"], number> = { high: 0, medium: 1, low: 2 };
const SEVERITY_COLOUR = { high: "danger", medium: "warning", low: "informative" } as const;
// The columns that fit a screen; the CSV has them all.
const WASTE_RISK_COLUMNS = [
  "display_name",
  "user_principal_name",
  "severity",
  "risks",
  "roles",
  "monthly_cost",
];

const useStyles = makeStyles({
  group: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  header: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center", flexWrap: "wrap" },
  panel: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    paddingBottom: tokens.spacingVerticalM,
  },
  evidence: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXXS,
    margin: 0,
  },
  pair: { display: "contents" },
  term: { color: tokens.colorNeutralForeground2 },
  value: { margin: 0, fontVariantNumeric: "tabular-nums" },
});

function useReport(reportId: string): Loaded<Schemas["ReportDocument"]> {
  const { api } = useSignedIn();
  const [loaded] = useApi(
    () =>
      unwrap(api.GET("/api/v1/reports/{report_id}", { params: { path: { report_id: reportId } } })).then(
        // Asked for JSON, the route answers the document (it also answers CSV, a string).
        (report) => report as Schemas["ReportDocument"],
      ),
    [api, reportId],
  );
  return loaded;
}

function Evidence({ evidence }: { evidence: Check["evidence"] }) {
  const styles = useStyles();
  const entries = Object.entries(evidence ?? {});
  if (entries.length === 0) {
    return null;
  }
  return (
    <dl className={styles.evidence} aria-label="Evidence">
      {entries.map(([name, value]) => (
        <div key={name} className={styles.pair} data-evidence={name}>
          <dt className={styles.term}>{name.replaceAll("_", " ")}</dt>
          <dd className={styles.value}>{formatCell(value)}</dd>
        </div>
      ))}
    </dl>
  );
}

function CheckItem({ check, findings }: { check: Check; findings: Loaded<Schemas["ReportDocument"]> }) {
  const styles = useStyles();
  const rows =
    findings.state === "ready"
      ? (findings.data.rows as ReportRow[]).filter((row) => row.check_id === check.id)
      : [];
  const columns =
    findings.state === "ready"
      ? findings.data.columns.filter((name) => !["check_id", "severity", "baseline"].includes(name))
      : [];
  return (
    <AccordionItem value={check.id} data-check={check.id} data-status={check.status}>
      <AccordionHeader>
        <span className={styles.header}>
          <Text weight="semibold">{check.title}</Text>
          <Badge appearance="tint" color={SEVERITY_COLOUR[check.severity]}>
            {check.severity}
          </Badge>
          <Caption1>
            {check.baseline === null || check.baseline === undefined
              ? check.id
              : `${check.id} · ${check.baseline}`}
          </Caption1>
        </span>
      </AccordionHeader>
      <AccordionPanel>
        <div className={styles.panel}>
          {check.reason ? <Body1 data-testid="check-reason">{check.reason}</Body1> : null}
          <Evidence evidence={check.evidence} />
          <Body1>
            <Text weight="semibold">Remediation: </Text>
            {check.remediation}
          </Body1>
          {check.status === "fail" || check.status === "warn" ? (
            <>
              <Text data-testid="findings-count">
                {findings.state === "ready" ? `Accounts found: ${rowsShown(rows.length, SHOWN_ROWS)}` : ""}
              </Text>
              {rows.length === 0 ? null : (
                <ReportTable
                  label={`Accounts found by ${check.title}`}
                  columns={columns}
                  rows={rows}
                  limit={SHOWN_ROWS}
                />
              )}
            </>
          ) : null}
        </div>
      </AccordionPanel>
    </AccordionItem>
  );
}

function Checks({ checks }: { checks: readonly Check[] }) {
  const styles = useStyles();
  const findings = useReport(FINDINGS);
  return (
    <Section
      id="checks"
      title="Checks"
      actions={<DownloadCsv reportId={FINDINGS} label="Download findings (CSV)" />}
    >
      {STATUSES.map(({ status, title }) => {
        const group = checks
          .filter((check) => check.status === status)
          .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
        if (group.length === 0) {
          return null;
        }
        return (
          <div key={status} className={styles.group} data-status-group={status}>
            <Subtitle2 as="h3">
              {title} ({formatCount(group.length)})
            </Subtitle2>
            <Accordion multiple collapsible>
              {group.map((check) => (
                <CheckItem key={check.id} check={check} findings={findings} />
              ))}
            </Accordion>
          </div>
        );
      })}
    </Section>
  );
}

function Trend({ assurance }: { assurance: Schemas["AssuranceSummary"] }) {
  const { api } = useSignedIn();
  const [trend] = useApi(
    () =>
      unwrap(
        api.GET("/api/v1/insights/assurance/trend", {
          params: { query: { from: daysBefore(assurance.as_of, TREND_DAYS), to: assurance.as_of } },
        }),
      ),
    [api, assurance.as_of],
  );
  const history = assurance.secure_score?.history ?? [];
  return (
    <Section id="trend" title="Trend">
      <Load loaded={trend} label="Loading the trend">
        {(series) => (
          <TrendChart
            title="Posture score and Microsoft Secure Score (%)"
            yLabel="Score"
            series={[
              {
                legend: "Posture score",
                points: series.points.map((point) => ({
                  day: point.day,
                  value: point.values.posture_score ?? null,
                })),
              },
              {
                legend: "Secure Score %",
                points: history.map((point) => ({
                  day: point.day,
                  value: point.maximum > 0 ? Math.round((1000 * point.current) / point.maximum) / 10 : null,
                })),
              },
            ]}
          />
        )}
      </Load>
    </Section>
  );
}

function WasteRisk() {
  const report = useReport(WASTE_RISK);
  return (
    <Section id="waste-risk" title="Waste × risk" actions={<DownloadCsv reportId={WASTE_RISK} />}>
      <Load loaded={report} label="Loading waste × risk">
        {(document) =>
          document.rows.length === 0 ? (
            <EmptyState title="No licensed account is also a risk" />
          ) : (
            <>
              <Text data-testid="waste-risk-count">{rowsShown(document.rows.length, SHOWN_ROWS)}</Text>
              <ReportTable
                label="Licensed accounts that are also a security risk"
                columns={WASTE_RISK_COLUMNS.filter((name) => document.columns.includes(name))}
                rows={document.rows as ReportRow[]}
                limit={SHOWN_ROWS}
              />
            </>
          )
        }
      </Load>
    </Section>
  );
}

function Headline({ assurance }: { assurance: Schemas["AssuranceSummary"] }) {
  const { posture, secure_score: score } = assurance;
  const counts = posture.counts;
  return (
    <Figures label="Posture">
      <Figure
        id="posture-score"
        label="Posture score"
        value={posture.score === null ? "Not available" : `${formatCount(posture.score)} / 100`}
      >
        {formatCount(counts.fail ?? 0)} failing, {formatCount(counts.warn ?? 0)} warnings,{" "}
        {formatCount(counts.pass ?? 0)} passing
      </Figure>
      <Figure
        id="secure-score"
        label="Microsoft Secure Score"
        value={
          score === null ? "Not available" : `${formatNumber(score.current)} / ${formatNumber(score.maximum)}`
        }
      >
        {score === null
          ? "The tenant reports no Secure Score."
          : `${formatPercent(score.pct)}; ${change(score.change_7d, "7")}, ${change(score.change_30d, "30")}`}
      </Figure>
    </Figures>
  );
}

function change(points: number | null, days: string): string {
  if (points === null) {
    return `no change known over ${days} days`;
  }
  return `${points >= 0 ? "+" : "−"}${formatNumber(Math.abs(points))} points in ${days} days`;
}

export function Security() {
  const { api } = useSignedIn();
  const [loaded, reload] = useApi(() => unwrap(api.GET("/api/v1/insights/assurance")), [api]);
  return (
    <>
      <Title2 as="h1">Security</Title2>
      <Load loaded={loaded} label="Loading security" onRetry={reload} whenFailed={whenNotPublished}>
        {(assurance) => (
          <>
            <AsOf asOf={assurance.as_of} collectedAt={assurance.collected_at} />
            <Warnings warnings={assurance.warnings ?? []} />
            <Headline assurance={assurance} />
            <Caption1>{assurance.posture.formula}</Caption1>
            <Trend assurance={assurance} />
            <Checks checks={assurance.checks} />
            <WasteRisk />
          </>
        )}
      </Load>
    </>
  );
}
