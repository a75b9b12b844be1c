/** Adoption: each workload's licensed and active people over 7, 30 or 90 days, the daily trend, where the
 * Microsoft 365 apps are used, and adoption per reporting group. */
import { Tab, TabList, Text, Title2 } from "@fluentui/react-components";
import { useState } from "react";

import { unwrap, type Schemas } from "../api/client";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { DataTable } from "../components/DataTable";
import { AsOf, Warnings } from "../components/Freshness";
import { whenNotPublished } from "../components/NotPublished";
import { Section } from "../components/Section";
import { TrendChart } from "../components/TrendChart";
import { EmptyState, Load } from "../components/states";
import { formatCount, formatPercent } from "../format";

type Summary = Schemas["AdoptionSummary"];
type Window = 7 | 30 | 90;
const WINDOWS: readonly Window[] = [7, 30, 90];
export const SUPPRESSED = "Suppressed: fewer than 5 people";

function active(workload: Schemas["WorkloadAdoption"], days: Window): number {
  return days === 7 ? workload.active_7 : days === 30 ? workload.active_30 : workload.active_90;
}

function Workloads({ adoption, days }: { adoption: Summary; days: Window }) {
  return (
    <DataTable
      label="Adoption per workload"
      testId="workloads"
      headers={["Workload", "Licensed people", `Active in the last ${days} days`, "Adoption (30 days)"]}
      numeric={[1, 2, 3]}
      rows={adoption.workloads.map((workload) => ({
        key: workload.workload,
        cells: [
          workload.title,
          formatCount(workload.licensed),
          formatCount(active(workload, days)),
          formatPercent(workload.adoption_pct),
        ],
      }))}
    />
  );
}

function DailyTrend({ adoption, days }: { adoption: Summary; days: Window }) {
  const recent = adoption.daily.slice(-days);
  const titles = new Map(adoption.workloads.map((workload) => [workload.workload, workload.title]));
  const keys = [...new Set(recent.flatMap((day) => Object.keys(day.active)))];
  if (recent.length === 0) {
    return <EmptyState title="No daily figures yet" />;
  }
  return (
    <TrendChart
      title={`Active people per day, last ${days} days`}
      yLabel="People"
      series={keys.map((key) => ({
        legend: titles.get(key) ?? key,
        points: recent.map((day) => ({ day: day.day, value: day.active[key] ?? null })),
      }))}
    />
  );
}

function Apps({ adoption }: { adoption: Summary }) {
  const period = adoption.apps_report_period_days;
  const table = (label: string, counts: Record<string, number>) => (
    <DataTable
      label={label}
      testId={label === "Platform" ? "apps-by-platform" : "apps-by-product"}
      headers={[label, "Active people"]}
      numeric={[1]}
      rows={Object.entries(counts).map(([name, people]) => ({
        key: name,
        cells: [name, formatCount(people)],
      }))}
    />
  );
  return (
    <Section id="apps" title="Microsoft 365 apps">
      <Text>
        People who used the apps
        {period === null || period === undefined ? "" : ` in the last ${period} days`}, by platform and by
        app.
      </Text>
      {table("Platform", adoption.apps_by_platform)}
      {table("App", adoption.apps_by_product)}
    </Section>
  );
}

function Groups({ adoption }: { adoption: Summary }) {
  if (!adoption.groups_available) {
    return (
      <EmptyState title="No figures by group">
        Adoption by group needs people's names in the usage reports and their departments; see the warnings
        above.
      </EmptyState>
    );
  }
  return (
    <DataTable
      label="Adoption per group (30 days)"
      testId="adoption-groups"
      headers={["Group", "People", ...adoption.workloads.map((workload) => workload.title)]}
      numeric={[1, ...adoption.workloads.map((_, index) => index + 2)]}
      rows={adoption.groups.map((group) => ({
        key: group.group,
        cells: [
          group.group,
          formatCount(group.people),
          ...adoption.workloads.map((workload) =>
            group.suppressed
              ? SUPPRESSED
              : formatPercent(group.workloads?.[workload.workload]?.adoption_pct ?? null),
          ),
        ],
      }))}
    />
  );
}

export function Adoption() {
  const { api } = useSignedIn();
  const [days, setDays] = useState<Window>(30);
  const [loaded, reload] = useApi(() => unwrap(api.GET("/api/v1/insights/adoption")), [api]);
  return (
    <>
      <Title2 as="h1">Adoption</Title2>
      <Load loaded={loaded} label="Loading adoption" onRetry={reload} whenFailed={whenNotPublished}>
        {(adoption) => (
          <>
            <AsOf asOf={adoption.as_of} collectedAt={adoption.collected_at} />
            <Warnings warnings={adoption.warnings ?? []} />
            <TabList
              selectedValue={days}
              onTabSelect={(_, data) => setDays(data.value as Window)}
              aria-label="Period"
            >
              {WINDOWS.map((window) => (
                <Tab key={window} value={window}>
                  {`${window} days`}
                </Tab>
              ))}
            </TabList>
            <Section id="workloads" title="Per workload">
              <Workloads adoption={adoption} days={days} />
            </Section>
            <Section id="daily" title="Daily trend">
              <DailyTrend adoption={adoption} days={days} />
            </Section>
            <Apps adoption={adoption} />
            <Section id="groups" title="By group">
              <Groups adoption={adoption} />
            </Section>
          </>
        )}
      </Load>
    </>
  );
}
