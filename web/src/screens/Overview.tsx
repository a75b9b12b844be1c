/** Overview: the figures an IT leader asks about first, each with its freshness and caveats. */
import { Title2 } from "@fluentui/react-components";

import { unwrap, type Schemas } from "../api/client";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { hasRole } from "../auth/session";
import { Figure, Figures } from "../components/Figure";
import { AsOf, Warnings, distinctWarnings } from "../components/Freshness";
import { whenNotPublished } from "../components/NotPublished";
import { Load } from "../components/states";
import { formatAmounts, formatCount, formatDay, formatDaysLeft, formatMoney, formatPercent } from "../format";
import { isRightsizingWarning } from "./LicencesRightsizing";

interface OverviewData {
  readonly utilisation: Schemas["UtilisationSummary"];
  readonly adoption: Schemas["AdoptionSummary"];
  /** Admins only: the posture names people's accounts in its findings. */
  readonly assurance: Schemas["AssuranceSummary"] | null;
}

function NextRenewal({ renewals }: { renewals: readonly Schemas["RenewalReclaim"][] }) {
  const next = renewals.find((event) => event.event === "renewal");
  if (next === undefined) {
    return <Figure id="next-renewal" label="Next renewal" value="None ahead" />;
  }
  return (
    <Figure id="next-renewal" label="Next renewal" value={formatDay(next.event_date)}>
      {next.name}, {formatDaysLeft(next.days_to_event)}: drop{" "}
      <span data-testid="renewal-reclaimable">{formatCount(next.reclaimable_seats)}</span> seats to save{" "}
      <span data-testid="renewal-saving">
        {next.term_saving === null ? "(no price set)" : formatMoney(next.term_saving)}
      </span>{" "}
      a year
    </Figure>
  );
}

function Adoption({ adoption }: { adoption: Schemas["AdoptionSummary"] }) {
  return (
    <Figures label="Adoption per workload (active in the last 30 days)">
      {adoption.workloads.map((workload) => (
        <Figure
          key={workload.workload}
          id={`adoption-${workload.workload}`}
          label={`${workload.title} adoption`}
          value={formatPercent(workload.adoption_pct)}
        >
          {formatCount(workload.active_30)} of {formatCount(workload.licensed)} licensed people active in 30
          days
        </Figure>
      ))}
    </Figures>
  );
}

function Posture({ assurance }: { assurance: Schemas["AssuranceSummary"] }) {
  const change = assurance.secure_score?.change_30d;
  return (
    <Figure
      id="posture-score"
      label="Posture score"
      value={
        assurance.posture.score === null ? "Not available" : `${formatCount(assurance.posture.score)} / 100`
      }
    >
      {change === null || change === undefined
        ? "No Secure Score trend yet"
        : `Microsoft Secure Score ${change >= 0 ? "up" : "down"} ${formatCount(Math.abs(change))} points in 30 days`}
    </Figure>
  );
}

export function Overview() {
  const { api, session } = useSignedIn();
  const admin = hasRole(session.role, "admin");
  const [loaded, reload] = useApi<OverviewData>(async () => {
    const [utilisation, adoption, assurance] = await Promise.all([
      unwrap(api.GET("/api/v1/insights/utilisation")),
      unwrap(api.GET("/api/v1/insights/adoption")),
      admin ? unwrap(api.GET("/api/v1/insights/assurance")) : Promise.resolve(null),
    ]);
    return { utilisation, adoption, assurance };
  }, [api, admin]);

  return (
    <>
      <Title2 as="h1">Overview</Title2>
      <Load loaded={loaded} label="Loading the overview" onRetry={reload} whenFailed={whenNotPublished}>
        {({ utilisation, adoption, assurance }) => {
          const totals = utilisation.totals;
          return (
            <>
              <AsOf asOf={utilisation.as_of} collectedAt={utilisation.collected_at} />
              <Warnings
                warnings={distinctWarnings(
                  (utilisation.warnings ?? []).filter((warning) => !isRightsizingWarning(warning)),
                  adoption.warnings,
                  assurance?.warnings,
                )}
              />
              <Figures label="Licences">
                <Figure
                  id="utilisation"
                  label="Licence utilisation"
                  value={formatPercent(totals.utilisation_pct)}
                >
                  {formatCount(totals.active_accounts)} active of {formatCount(totals.purchased)} seats bought
                </Figure>
                <Figure id="monthly-waste" label="Monthly waste" value={formatAmounts(totals.monthly_waste)}>
                  {formatCount(totals.waste_seats)} unused seats that cost money
                </Figure>
                <Figure
                  id="reclaimable"
                  label="Reclaimable licences"
                  value={formatCount(totals.reclaimable_assignments)}
                >
                  Licences on disabled accounts, inactive beyond {utilisation.threshold_days} days, or
                  redundant
                </Figure>
                <NextRenewal renewals={utilisation.renewals} />
                {assurance === null ? null : <Posture assurance={assurance} />}
              </Figures>
              <Adoption adoption={adoption} />
            </>
          );
        }}
      </Load>
    </>
  );
}
