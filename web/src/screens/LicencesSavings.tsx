/** The Licences screen's savings card: what the latest refresh lists as savable a month against what later
 * refreshes found done (the realised-savings ledger), this month, in total, by kind and per month. */
import {
  Subtitle1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";

import { unwrap, type Schemas } from "../api/client";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { useCardStyles } from "../components/cardStyles";
import { Figure, Figures } from "../components/Figure";
import { EmptyState, Load } from "../components/states";
import { formatCount, formatDay, formatMoney, formatMonth } from "../format";
import { ReportLinks } from "./LicencesReportLinks";

type Ledger = Schemas["SavingsLedger"];
type Money = Schemas["Money"];

const REALISED = "realised-savings";
const NO_CURRENCY = "Not available (prices in several currencies)";
// The ledger's kinds of entry, in the order a licence owner acts: take back, move down, buy fewer.
const KINDS = [
  { kind: "reclaimed", label: "Licences reclaimed" },
  { kind: "rightsized", label: "Licences right-sized" },
  { kind: "seats_dropped", label: "Unassigned seats dropped at renewal" },
] as const;

/** An amount the ledger may leave out: none when nothing counts, "not available" when currencies mix. */
function amount(money: Money | null | undefined, entries: number, currency: string): string {
  if (money !== null && money !== undefined) {
    return formatMoney(money);
  }
  return entries === 0 ? formatMoney({ currency, amount: 0 }) : NO_CURRENCY;
}

function changes(count: number): string {
  return `${formatCount(count)} ${count === 1 ? "change" : "changes"}`;
}

function ByKind({ ledger, currency }: { ledger: Ledger; currency: string }) {
  const styles = useCardStyles();
  return (
    <div className={styles.scroll}>
      <Table aria-label="Realised savings by kind" data-testid="savings-by-kind" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Kind</TableHeaderCell>
            <TableHeaderCell>Saved a month</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {KINDS.map(({ kind, label }) => (
            <TableRow key={kind} data-kind={kind}>
              <TableCell>{label}</TableCell>
              <TableCell className={styles.number}>
                {ledger.currency === null
                  ? NO_CURRENCY
                  : formatMoney({ currency, amount: ledger.by_kind[kind] ?? 0 })}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

function Months({ months, currency }: { months: readonly Schemas["SavingsMonth"][]; currency: string }) {
  const styles = useCardStyles();
  return (
    <div className={styles.scroll}>
      <Table aria-label="Savings per month" data-testid="savings-months" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Month</TableHeaderCell>
            <TableHeaderCell>Potential a month</TableHeaderCell>
            <TableHeaderCell>Realised a month</TableHeaderCell>
            <TableHeaderCell>Changes found</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {months.map((month) => (
            <TableRow key={month.month} data-month={month.month}>
              <TableCell>{formatMonth(month.month)}</TableCell>
              <TableCell className={styles.number}>
                {month.potential === null ? "Not available" : formatMoney(month.potential)}
              </TableCell>
              <TableCell className={styles.number}>
                {amount(month.realised, month.entries, currency)}
              </TableCell>
              <TableCell className={styles.number}>{formatCount(month.entries)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

function LedgerView({ ledger }: { ledger: Ledger }) {
  const currency = ledger.currency ?? ledger.potential_now?.currency ?? "GBP";
  const thisMonth = ledger.months.find((month) => month.month === ledger.end.slice(0, 7));
  return (
    <>
      <Figures label="Savings">
        <Figure
          id="savings-potential"
          label="Could be saved a month"
          value={ledger.potential_now === null ? "Not available" : formatMoney(ledger.potential_now)}
        >
          as the latest refresh lists it: wasted licences and right-sizing
        </Figure>
        <Figure
          id="savings-this-month"
          label="Realised this month"
          value={amount(thisMonth?.realised, thisMonth?.entries ?? 0, currency)}
        >
          a month, from {changes(thisMonth?.entries ?? 0)} found in {formatMonth(ledger.end.slice(0, 7))}
        </Figure>
        <Figure
          id="savings-total"
          label="Realised in total"
          value={amount(ledger.realised_total, ledger.entries, currency)}
        >
          a month, from {changes(ledger.entries)} found since {formatDay(ledger.start)}
        </Figure>
      </Figures>
      {ledger.entries === 0 ? (
        <EmptyState title="Nothing realised yet">
          No savings realised yet: they appear when a later refresh finds a listed licence gone.
        </EmptyState>
      ) : (
        <ByKind ledger={ledger} currency={currency} />
      )}
      {ledger.months.length > 0 ? <Months months={ledger.months} currency={currency} /> : null}
      <ReportLinks reportId={REALISED} what="the realised savings" />
    </>
  );
}

export function Savings() {
  const styles = useCardStyles();
  const { api } = useSignedIn();
  const [ledger, reload] = useApi(() => unwrap(api.GET("/api/v1/insights/utilisation/savings")), [api]);
  return (
    <section className={styles.section} aria-labelledby="savings-title" data-testid="savings-card">
      <Subtitle1 as="h2" id="savings-title">
        Savings
      </Subtitle1>
      <Load loaded={ledger} label="Loading savings" onRetry={reload}>
        {(loaded) => <LedgerView ledger={loaded} />}
      </Load>
    </section>
  );
}
