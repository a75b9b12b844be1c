/** A small table of figures: a header row and body rows, numbers right-aligned in en-GB. */
import {
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";
import type { ReactNode } from "react";

import { useCardStyles } from "./cardStyles";

export interface DataRow {
  /** Identifies the row for React and for tests (`data-row`). */
  readonly key: string;
  readonly cells: readonly ReactNode[];
}

export function DataTable({
  label,
  headers,
  rows,
  numeric = [],
  testId,
}: {
  label: string;
  headers: readonly string[];
  rows: readonly DataRow[];
  /** Indexes of the columns that hold numbers. */
  numeric?: readonly number[];
  testId?: string;
}) {
  const styles = useCardStyles();
  return (
    // A region of its own that takes focus, so a keyboard can scroll a table wider than the screen.
    <div className={styles.scroll} role="region" aria-label={label} tabIndex={0}>
      <Table aria-label={label} size="small" data-testid={testId}>
        <TableHeader>
          <TableRow>
            {headers.map((header) => (
              <TableHeaderCell key={header}>{header}</TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((row) => (
            <TableRow key={row.key} data-row={row.key}>
              {row.cells.map((value, index) => (
                <TableCell key={index} className={numeric.includes(index) ? styles.number : undefined}>
                  {value}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
