/** The Licences screen's Copilot card: seats bought, assigned and used, per surface, and the unused ones. */
import {
  Body1,
  MessageBar,
  MessageBarBody,
  Subtitle1,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";

import type { Schemas } from "../api/client";
import { CountCell, useCardStyles } from "../components/cardStyles";
import { Figure, Figures } from "../components/Figure";
import { formatAmounts, formatCount, formatPercent } from "../format";

type Copilot = Schemas["CopilotSummary"];

function Surfaces({ surfaces }: { surfaces: readonly Schemas["CopilotSurface"][] }) {
  const styles = useCardStyles();
  return (
    <div className={styles.scroll}>
      <Table aria-label="Copilot use per app" data-testid="copilot-surfaces" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>App</TableHeaderCell>
            <TableHeaderCell>Used in 7 days</TableHeaderCell>
            <TableHeaderCell>Used in 28 days</TableHeaderCell>
            <TableHeaderCell>Used in 90 days</TableHeaderCell>
            <TableHeaderCell>Share of holders (28 days)</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {surfaces.map((surface) => (
            <TableRow key={surface.surface} data-surface={surface.surface}>
              <TableCell>{surface.title}</TableCell>
              <CountCell value={surface.active_7} />
              <CountCell value={surface.active_28} />
              <CountCell value={surface.active_90} />
              <TableCell className={styles.number}>{formatPercent(surface.active_28_pct)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

export function CopilotSeats({ copilot }: { copilot: Copilot | null | undefined }) {
  const styles = useCardStyles();
  if (copilot === null || copilot === undefined) {
    return null; // a run computed before Copilot was measured
  }
  const surfaces = copilot.surfaces ?? [];
  const anyApp = surfaces.find((surface) => surface.surface === "any");
  const inactive = copilot.inactive_seats;
  return (
    <section
      className={styles.section}
      aria-labelledby="copilot-title"
      data-testid="copilot-card"
      data-state={copilot.state}
    >
      <Subtitle1 as="h2" id="copilot-title">
        Microsoft 365 Copilot
      </Subtitle1>
      {copilot.state === "not_licensed" ? (
        <Body1 as="p" data-testid="copilot-message">
          {copilot.message}
        </Body1>
      ) : (
        <>
          {copilot.message ? (
            <MessageBar intent="info" layout="multiline">
              <MessageBarBody data-testid="copilot-message">{copilot.message}</MessageBarBody>
            </MessageBar>
          ) : null}
          <Figures label="Copilot seats">
            <Figure
              id="copilot-assigned"
              label="Copilot seats assigned"
              value={formatCount(copilot.assigned ?? 0)}
            >
              of {formatCount(copilot.purchased ?? 0)} bought
            </Figure>
            {anyApp === undefined ? null : (
              <Figure
                id="copilot-active"
                label="Used Copilot in 28 days"
                value={formatCount(anyApp.active_28)}
              >
                {formatPercent(anyApp.active_28_pct)} of holders; {formatCount(anyApp.active_7)} in 7 days,{" "}
                {formatCount(anyApp.active_90)} in 90
              </Figure>
            )}
            {inactive === null || inactive === undefined ? null : (
              <Figure id="copilot-inactive" label="Unused Copilot seats" value={formatCount(inactive)}>
                no Copilot use in {formatCount(copilot.threshold_days ?? 30)} days, costing{" "}
                <span data-testid="copilot-inactive-cost">
                  {formatAmounts(copilot.monthly_cost_inactive ?? [])}
                </span>{" "}
                a month; {formatCount(copilot.never_used ?? 0)} never used
              </Figure>
            )}
          </Figures>
          {surfaces.length > 0 ? <Surfaces surfaces={surfaces} /> : null}
        </>
      )}
    </section>
  );
}
