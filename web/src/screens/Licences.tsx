/** Licences: every SKU's seats (table and chart), Copilot, right-sizing and the savings realised; for admins,
 * the licences that could be reclaimed. */
import { HorizontalBarChart, type ChartProps } from "@fluentui/react-charts";
import {
  Dropdown,
  Field,
  Option,
  Subtitle1,
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
import { useMemo, useState } from "react";

import { unwrap, type Schemas } from "../api/client";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { hasRole } from "../auth/session";
import { CountCell, useCardStyles } from "../components/cardStyles";
import { DownloadCsv } from "../components/DownloadCsv";
import { AsOf, Warnings } from "../components/Freshness";
import { whenNotPublished } from "../components/NotPublished";
import { cell, type ReportRow } from "../components/ReportTable";
import { EmptyState, Load } from "../components/states";
import { formatCount, formatMoney, formatPercent } from "../format";
import { CopilotSeats } from "./LicencesCopilot";
import { Rightsizing, isRightsizingWarning } from "./LicencesRightsizing";
import { Savings } from "./LicencesSavings";

const RECLAIMABLE = "reclaimable-licences";
const CHART_SKUS = 10;
const SHOWN_ROWS = 100;
const ALL = "all";

const useStyles = makeStyles({
  filters: { display: "flex", gap: tokens.spacingHorizontalL, alignItems: "end", flexWrap: "wrap" },
});

type Sku = Schemas["SkuUtilisation"];

type SeatCount = "active" | "inactive" | "disabled" | "unassigned";

const SEAT_CATEGORIES: readonly { key: SeatCount; title: string; color: string }[] = [
  { key: "active", title: "Active", color: tokens.colorPaletteGreenBackground3 },
  { key: "inactive", title: "Inactive", color: tokens.colorPaletteMarigoldBackground3 },
  { key: "disabled", title: "Disabled", color: tokens.colorPaletteRedBackground3 },
  { key: "unassigned", title: "Unassigned", color: tokens.colorNeutralBackground5 },
];

/** The chart lists every bar's segments in its legend (ten licences: forty entries); each category once. */
const SEAT_LEGENDS = { legends: SEAT_CATEGORIES.map(({ title, color }) => ({ title, color })) };

function seatChart(skus: readonly Sku[]): ChartProps[] {
  return skus
    .filter((sku) => !sku.free && sku.purchased > 0)
    .slice(0, CHART_SKUS)
    .map((sku) => ({
      chartTitle: sku.name,
      chartData: SEAT_CATEGORIES.map(({ key, title, color }) => ({
        legend: title,
        horizontalBarChartdata: { x: sku[key], y: sku.purchased },
        color,
      })),
    }));
}

function SkuTable({ skus }: { skus: readonly Sku[] }) {
  const styles = useCardStyles();
  return (
    <div className={styles.scroll}>
      <Table aria-label="Licences per SKU" data-testid="sku-table" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Licence</TableHeaderCell>
            <TableHeaderCell>Purchased</TableHeaderCell>
            <TableHeaderCell>Assigned</TableHeaderCell>
            <TableHeaderCell>Active</TableHeaderCell>
            <TableHeaderCell>Inactive</TableHeaderCell>
            <TableHeaderCell>Disabled</TableHeaderCell>
            <TableHeaderCell>Unassigned</TableHeaderCell>
            <TableHeaderCell>Utilisation</TableHeaderCell>
            <TableHeaderCell>Monthly waste</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {skus.map((sku) => (
            <TableRow key={sku.sku_id} data-sku={sku.sku_part_number}>
              <TableCell>{sku.name}</TableCell>
              <CountCell value={sku.purchased} />
              <CountCell value={sku.assigned} />
              <CountCell value={sku.active} />
              <CountCell value={sku.inactive} />
              <CountCell value={sku.disabled} />
              <CountCell value={sku.unassigned} />
              <TableCell className={styles.number}>{formatPercent(sku.utilisation_pct)}</TableCell>
              <TableCell className={styles.number}>
                {sku.monthly_waste === null
                  ? `${formatCount(sku.waste_seats)} seats`
                  : formatMoney(sku.monthly_waste)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

/** One of the reclaimable list's filters: a value of the column, or all of them. */
function Filter(props: {
  label: string;
  all: string;
  values: string[];
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={props.label}>
      <Dropdown
        value={props.value === ALL ? props.all : props.value}
        onOptionSelect={(_, data) => props.onChange(data.optionValue ?? ALL)}
      >
        <Option value={ALL}>{props.all}</Option>
        {props.values.map((value) => (
          <Option key={value} value={value}>
            {value}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

function Reclaimable() {
  const card = useCardStyles();
  const styles = useStyles();
  const { api } = useSignedIn();
  const [report, reload] = useApi(
    () => unwrap(api.GET("/api/v1/reports/{report_id}", { params: { path: { report_id: RECLAIMABLE } } })),
    [api],
  );
  const [reason, setReason] = useState(ALL);
  const [sku, setSku] = useState(ALL);
  // The route also answers CSV (a string); asked for JSON, it is the document.
  const rows =
    report.state === "ready" && typeof report.data !== "string" ? (report.data.rows as ReportRow[]) : [];
  const choices = useMemo(
    () => ({
      reasons: [...new Set(rows.map((row) => cell(row, "reason")))].sort(),
      skus: [...new Set(rows.map((row) => cell(row, "sku_name")))].sort(),
    }),
    [rows],
  );
  const shown = rows.filter(
    (row) =>
      (reason === ALL || cell(row, "reason") === reason) && (sku === ALL || cell(row, "sku_name") === sku),
  );

  return (
    <section className={card.section} aria-labelledby="reclaimable-title">
      <Subtitle1 as="h2" id="reclaimable-title">
        Reclaimable licences
      </Subtitle1>
      <Load loaded={report} label="Loading reclaimable licences" onRetry={reload}>
        {() =>
          rows.length === 0 ? (
            <EmptyState title="Nothing to reclaim">Every paid licence is in use.</EmptyState>
          ) : (
            <>
              <div className={styles.filters}>
                <Filter
                  label="Reason"
                  all="All reasons"
                  values={choices.reasons}
                  value={reason}
                  onChange={setReason}
                />
                <Filter
                  label="Licence"
                  all="All licences"
                  values={choices.skus}
                  value={sku}
                  onChange={setSku}
                />
                <DownloadCsv reportId={RECLAIMABLE} />
              </div>
              <Text data-testid="reclaimable-count">
                {formatCount(shown.length)} of {formatCount(rows.length)} rows
                {shown.length > SHOWN_ROWS
                  ? `; the first ${formatCount(SHOWN_ROWS)} are shown, download the CSV for all`
                  : ""}
              </Text>
              <div className={card.scroll}>
                <Table aria-label="Reclaimable licences" size="small">
                  <TableHeader>
                    <TableRow>
                      <TableHeaderCell>Account</TableHeaderCell>
                      <TableHeaderCell>Licence</TableHeaderCell>
                      <TableHeaderCell>Reason</TableHeaderCell>
                      <TableHeaderCell>Days inactive</TableHeaderCell>
                      <TableHeaderCell>Monthly cost</TableHeaderCell>
                      <TableHeaderCell>Action</TableHeaderCell>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {shown.slice(0, SHOWN_ROWS).map((row, index) => (
                      <TableRow key={`${cell(row, "user_principal_name")}-${cell(row, "sku_id")}-${index}`}>
                        <TableCell>
                          {cell(row, "display_name") || `${formatCount(Number(row.seats))} unassigned seats`}
                        </TableCell>
                        <TableCell>{cell(row, "sku_name")}</TableCell>
                        <TableCell>{cell(row, "reason")}</TableCell>
                        <TableCell className={card.number}>
                          {row.days_inactive === null || row.days_inactive === undefined
                            ? ""
                            : formatCount(Number(row.days_inactive))}
                        </TableCell>
                        <TableCell className={card.number}>
                          {typeof row.monthly_cost === "number"
                            ? formatMoney({
                                amount: row.monthly_cost,
                                currency: cell(row, "currency") || "GBP",
                              })
                            : "No price set"}
                        </TableCell>
                        <TableCell>{cell(row, "action")}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
              </div>
            </>
          )
        }
      </Load>
    </section>
  );
}

export function Licences() {
  const styles = useCardStyles();
  const { api, session } = useSignedIn();
  const [loaded, reload] = useApi(() => unwrap(api.GET("/api/v1/insights/utilisation")), [api]);
  return (
    <>
      <Title2 as="h1">Licences</Title2>
      <Load loaded={loaded} label="Loading licences" onRetry={reload} whenFailed={whenNotPublished}>
        {(utilisation) => (
          <>
            <AsOf asOf={utilisation.as_of} collectedAt={utilisation.collected_at} />
            <Warnings warnings={(utilisation.warnings ?? []).filter((w) => !isRightsizingWarning(w))} />
            <section className={styles.section} aria-labelledby="seats-title">
              <Subtitle1 as="h2" id="seats-title">
                Seats per licence
              </Subtitle1>
              <HorizontalBarChart
                data={seatChart(utilisation.skus)}
                culture="en-GB"
                legendProps={SEAT_LEGENDS}
              />
              <SkuTable skus={utilisation.skus} />
            </section>
            <CopilotSeats copilot={utilisation.copilot} />
            <Rightsizing
              moves={utilisation.rightsizing ?? []}
              warnings={utilisation.warnings ?? []}
              skus={utilisation.skus}
            />
            <Savings />
            {hasRole(session.role, "admin") ? <Reclaimable /> : null}
          </>
        )}
      </Load>
    </>
  );
}
