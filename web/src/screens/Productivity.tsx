/** Productivity: how people collaborate, in aggregate only (never per person): per metric the active
 * users, total, mean, median and p90, and median and p90 per reporting group; small groups are
 * suppressed and shown as such. */
import { Dropdown, Field, Option, Text, Title2 } from "@fluentui/react-components";
import { useState } from "react";

import { unwrap, type Schemas } from "../api/client";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { DataTable } from "../components/DataTable";
import { AsOf, Warnings } from "../components/Freshness";
import { whenNotPublished } from "../components/NotPublished";
import { Section } from "../components/Section";
import { EmptyState, Load } from "../components/states";
import { formatCount, formatNumber } from "../format";

type Summary = Schemas["ProductivitySummary"];
export const SUPPRESSED = "Suppressed: fewer than 5 active users";
const TOO_FEW = "Too few values to show";

function figure(value: number | null): string {
  return value === null ? "Not available" : formatNumber(value);
}

function Metrics({ productivity }: { productivity: Summary }) {
  return (
    <DataTable
      label="Productivity per metric"
      testId="metrics"
      headers={["Metric", "Unit", "Period", "Active users", "Total", "Mean", "Median", "p90"]}
      numeric={[3, 4, 5, 6, 7]}
      rows={productivity.metrics.map((metric) => ({
        key: metric.metric,
        cells: [
          metric.title,
          metric.unit,
          metric.period_days === null ? "" : `${metric.period_days} days`,
          formatCount(metric.active_users),
          figure(metric.total),
          figure(metric.mean),
          figure(metric.median),
          figure(metric.p90),
        ],
      }))}
    />
  );
}

function Groups({ productivity }: { productivity: Summary }) {
  const [metricId, setMetricId] = useState(productivity.metrics[0]?.metric ?? "");
  const metric = productivity.metrics.find((candidate) => candidate.metric === metricId);
  if (!productivity.groups_available || metric === undefined) {
    return (
      <EmptyState title="No figures by group">
        Figures by group need people's names in the usage reports and their departments; see the warnings
        above.
      </EmptyState>
    );
  }
  return (
    <>
      <Field label="Metric">
        <Dropdown
          value={metric.title}
          selectedOptions={[metric.metric]}
          onOptionSelect={(_, data) => setMetricId(data.optionValue ?? metricId)}
        >
          {productivity.metrics.map((candidate) => (
            <Option key={candidate.metric} value={candidate.metric}>
              {candidate.title}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <DataTable
        label={`${metric.title} per group`}
        testId="productivity-groups"
        headers={["Group", "Active users", "Median", "p90"]}
        numeric={[1, 2, 3]}
        rows={productivity.groups.map((group) => {
          const stats = group.metrics?.[metric.metric];
          const [median, p90] = group.suppressed
            ? [SUPPRESSED, ""]
            : stats === undefined
              ? [TOO_FEW, ""]
              : [figure(stats.median), figure(stats.p90)];
          return { key: group.group, cells: [group.group, formatCount(group.active_users), median, p90] };
        })}
      />
    </>
  );
}

export function Productivity() {
  const { api } = useSignedIn();
  const [loaded, reload] = useApi(() => unwrap(api.GET("/api/v1/insights/productivity")), [api]);
  return (
    <>
      <Title2 as="h1">Productivity</Title2>
      <Load loaded={loaded} label="Loading productivity" onRetry={reload} whenFailed={whenNotPublished}>
        {(productivity) => (
          <>
            <AsOf asOf={productivity.as_of} collectedAt={productivity.collected_at} />
            <Warnings warnings={productivity.warnings ?? []} />
            <Text>
              Per active user of each report: no figure is ever about one person. The median is the middle
              value; p90 is the value 90% of active users stay at or below.
            </Text>
            <Section id="metrics" title="Per metric">
              <Metrics productivity={productivity} />
            </Section>
            <Section id="groups" title="By group">
              <Groups productivity={productivity} />
            </Section>
          </>
        )}
      </Load>
    </>
  );
}
