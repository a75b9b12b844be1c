/** Every figure carries its freshness and its caveats: the data's own day and each warning in words. */
import {
  Caption1,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";

import type { Schemas } from "../api/client";
import { formatDay, formatMoment } from "../format";

type Warning = Schemas["InsightWarning"];

/** What a person can do about a warning, beyond the API's own sentence. */
function advice(code: string): string | null {
  if (code === "reports_concealed") {
    return (
      "Microsoft 365 hides people's names in its usage reports, so per-person figures are left out. " +
      "To show them, turn off “Display concealed user, group and site names in all reports” in the " +
      "Microsoft 365 admin centre (Settings → Org settings → Reports); the next refresh uses them."
    );
  }
  if (code === "signin_activity_unavailable") {
    return "The tenant has no Entra ID P1 licence, so activity comes from the usage reports alone.";
  }
  if (code.startsWith("price_missing:")) {
    return "Set a monthly price for this licence in Settings to see its waste in money, not only seats.";
  }
  if (code.startsWith("dataset_failed:")) {
    return "Figures that depend on it are missing or partial until a refresh collects it.";
  }
  return null;
}

/** The warnings of several insight families, each once. */
export function distinctWarnings(...lists: (readonly Warning[] | undefined)[]): Warning[] {
  const seen = new Map<string, Warning>();
  for (const warning of lists.flatMap((list) => list ?? [])) {
    seen.set(warning.code, warning);
  }
  return [...seen.values()];
}

const useStyles = makeStyles({
  list: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
});

export function AsOf({ asOf, collectedAt }: { asOf: string; collectedAt: string }) {
  return (
    <Caption1 data-testid="as-of">
      Data as of {formatDay(asOf)} (collected {formatMoment(collectedAt)})
    </Caption1>
  );
}

export function Warnings({ warnings }: { warnings: readonly Warning[] }) {
  const styles = useStyles();
  if (warnings.length === 0) {
    return null;
  }
  return (
    <section className={styles.list} aria-label="Warnings about this data">
      {warnings.map((warning) => (
        <MessageBar key={warning.code} intent="warning" layout="multiline" data-warning={warning.code}>
          <MessageBarBody>
            <MessageBarTitle>{warning.message}</MessageBarTitle>
            {advice(warning.code)}
          </MessageBarBody>
        </MessageBar>
      ))}
    </section>
  );
}
