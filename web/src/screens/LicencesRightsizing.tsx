/** The Licences screen's right-sizing card: which licences could move to a cheaper one and what that saves a
 * month, or in plain words why nothing is recommended. */
import {
  Body1,
  Caption1,
  MessageBar,
  MessageBarBody,
  Subtitle1,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";

import type { Schemas } from "../api/client";
import { useCardStyles } from "../components/cardStyles";
import { EmptyState } from "../components/states";
import { formatCount, formatMoney } from "../format";
import { ReportLinks } from "./LicencesReportLinks";

type Move = Schemas["RightSizingMove"];
type Warning = Schemas["InsightWarning"];

const RECOMMENDATIONS = "rightsizing-recommendations";
const WARNING_PREFIX = "rightsizing_";

// Each rule as the API names it, and the usage that fits it (the README's "Right-sizing" table).
const RULES: Record<string, { title: string; evidence: string }> = {
  mail_only: { title: "Mail only", evidence: "used only mail in the last 90 days" },
  web_mobile_only: {
    title: "Web and mobile apps only",
    evidence: "used the Office apps only on the web or a phone, never on Windows or a Mac",
  },
  e5_features_unseen: {
    title: "E5 features unseen",
    evidence:
      "active, but using nothing E5 adds that Microsoft Graph shows (Defender, Purview, Power BI " +
      "and Teams Phone are not visible: confirm with the person first)",
  },
};

const useStyles = makeStyles({
  moves: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    margin: 0,
    paddingLeft: tokens.spacingHorizontalXL,
  },
  move: { display: "flex", flexDirection: "column" },
});

/** Whether a warning explains a missing recommendation (the card shows it, not the screen's list). */
export function isRightsizingWarning(warning: Warning): boolean {
  return warning.code.startsWith(WARNING_PREFIX);
}

function ruleTitle(ruleId: string): string {
  return RULES[ruleId]?.title ?? ruleId;
}

const names = new Intl.ListFormat("en-GB", { type: "conjunction" });

/** One reason nothing (or less) is recommended, and the warnings it stands for. */
interface Explanation {
  codes: string[];
  text: string;
}

/** Why rules recommended nothing, in words a licence owner acts on (the API's sentence when unknown); the
 * licences a rule fits but cannot price a move for are named together, once per rule. */
function explanations(warnings: readonly Warning[], skuName: (skuId: string) => string): Explanation[] {
  const explained: Explanation[] = [];
  const unpriced = new Map<string, { codes: string[]; skus: string[] }>();
  for (const warning of warnings.filter(isRightsizingWarning)) {
    const [kind, ruleId = "", skuId = ""] = warning.code.slice(WARNING_PREFIX.length).split(":");
    const rule = `“${ruleTitle(ruleId)}”`;
    const explain = (text: string) => explained.push({ codes: [warning.code], text });
    if (kind === "no_priced_target") {
      const group = unpriced.get(ruleId) ?? { codes: [], skus: [] };
      group.codes.push(warning.code);
      group.skus.push(skuName(skuId));
      unpriced.set(ruleId, group);
    } else if (kind === "unavailable") {
      explain(
        "Nothing can be recommended: Microsoft 365 hides people's names in its usage reports, so nobody's " +
          "usage can be told apart. Turn off “Display concealed user, group and site names in all reports” " +
          "in the Microsoft 365 admin centre (Settings → Org settings → Reports); the next refresh uses them.",
      );
    } else if (kind === "signal_missing") {
      explain(
        `The ${rule} rule did not run: the latest refresh did not collect all the usage data it needs. ` +
          "It runs again at the next complete refresh.",
      );
    } else if (kind === "signal_in_use") {
      explain(
        `The ${rule} rule did not run: a Conditional Access policy uses user or sign-in risk, an ` +
          "Entra ID P2 feature that E5 holders may rely on.",
      );
    } else {
      explain(warning.message);
    }
  }
  for (const [ruleId, group] of unpriced) {
    explained.push({
      codes: group.codes,
      text:
        `Some holders of ${names.format(group.skus)} fit the “${ruleTitle(ruleId)}” rule, but no cheaper ` +
        "licence they do not already hold has a monthly price, so nothing is recommended for them. Set the " +
        "prices in Settings.",
    });
  }
  return explained;
}

function MoveItem({ move }: { move: Move }) {
  const styles = useStyles();
  const rule = RULES[move.rule];
  return (
    <li className={styles.move} data-rule={move.rule} data-from={move.from_sku_id} data-to={move.to_sku_id}>
      <Text data-testid="rightsizing-move">
        {formatCount(move.accounts)} {move.accounts === 1 ? "account" : "accounts"} could move from{" "}
        {move.from_name} to {move.to_name}, saving {formatMoney(move.monthly_saving)} a month
      </Text>
      <Caption1>
        Rule “{ruleTitle(move.rule)}”{rule === undefined ? "" : `: ${rule.evidence}`}
      </Caption1>
    </li>
  );
}

export function Rightsizing({
  moves,
  warnings,
  skus,
}: {
  moves: readonly Move[];
  warnings: readonly Warning[];
  skus: readonly Schemas["SkuUtilisation"][];
}) {
  const card = useCardStyles();
  const styles = useStyles();
  const skuName = (skuId: string) => skus.find((sku) => sku.sku_id === skuId)?.name ?? "a licence";
  const explained = explanations(warnings, skuName);
  return (
    <section className={card.section} aria-labelledby="rightsizing-title" data-testid="rightsizing-card">
      <Subtitle1 as="h2" id="rightsizing-title">
        Right-sizing
      </Subtitle1>
      <Body1 as="p">
        Licences whose holders' last 90 days of usage fit a cheaper licence. Licences already listed as
        reclaimable are not repeated here.
      </Body1>
      {moves.length === 0 ? (
        <EmptyState title="No right-sizing recommended">
          {explained.length === 0
            ? "Nobody's usage in the last 90 days fits a cheaper licence."
            : "The reasons are below."}
        </EmptyState>
      ) : (
        <ul className={styles.moves} aria-label="Right-sizing recommendations">
          {moves.map((move) => (
            <MoveItem key={`${move.rule}-${move.from_sku_id}-${move.to_sku_id}`} move={move} />
          ))}
        </ul>
      )}
      {explained.map((explanation) => (
        <MessageBar
          key={explanation.codes[0]}
          intent="info"
          layout="multiline"
          data-warnings={explanation.codes.join(" ")}
        >
          <MessageBarBody>{explanation.text}</MessageBarBody>
        </MessageBar>
      ))}
      <ReportLinks reportId={RECOMMENDATIONS} what="the right-sizing recommendations" />
    </section>
  );
}
