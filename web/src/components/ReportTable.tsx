/** A report's rows as a table: any report of the catalogue, with the columns a screen chooses. */
import { formatCount, formatNumber } from "../format";
import { DataTable } from "./DataTable";

/** One row of a report's JSON document: column name → value. */
export type ReportRow = Record<string, unknown>;

/** A column's value as text ("" when empty). */
export function cell(row: ReportRow, name: string): string {
  const value = row[name];
  return value === null || value === undefined ? "" : String(value);
}

/** "user_principal_name" → "User principal name". */
export function columnLabel(name: string): string {
  const words = name.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A cell as a person reads it: numbers in en-GB, yes/no, empty for nothing. */
export function formatCell(value: unknown): string {
  if (typeof value === "number") {
    return Number.isInteger(value) ? formatCount(value) : formatNumber(value);
  }
  if (typeof value === "boolean") {
    return value ? "Yes" : "No";
  }
  return value === null || value === undefined ? "" : String(value);
}

export function ReportTable({
  label,
  columns,
  rows,
  limit,
}: {
  label: string;
  columns: readonly string[];
  rows: readonly ReportRow[];
  /** Show at most this many rows (the CSV download has them all). */
  limit: number;
}) {
  const shown = rows.slice(0, limit);
  return (
    <DataTable
      label={label}
      testId="report-table"
      headers={columns.map(columnLabel)}
      numeric={columns.flatMap((name, index) =>
        shown.some((row) => typeof row[name] === "number") ? [index] : [],
      )}
      rows={shown.map((row, index) => ({
        key: String(index),
        cells: columns.map((name) => formatCell(row[name])),
      }))}
    />
  );
}

/** "12 rows" or "500 rows; the first 100 are shown, download the CSV for all". */
export function rowsShown(total: number, limit: number): string {
  const rows = total === 1 ? "1 row" : `${formatCount(total)} rows`;
  return total > limit
    ? `${rows}; the first ${formatCount(limit)} are shown, download the CSV for all`
    : rows;
}
