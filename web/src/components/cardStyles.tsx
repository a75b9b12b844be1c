/** The look a screen's cards share: a card's parts in a column, a table that scrolls sideways on a narrow
 * screen, and figures right-aligned with digits of one width. */
import { TableCell, makeStyles, tokens } from "@fluentui/react-components";

import { formatCount } from "../format";

export const useCardStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  scroll: { overflowX: "auto" },
  number: { textAlign: "right", fontVariantNumeric: "tabular-nums" },
});

/** A table cell holding a count, in en-GB. */
export function CountCell({ value }: { value: number }) {
  const styles = useCardStyles();
  return <TableCell className={styles.number}>{formatCount(value)}</TableCell>;
}
