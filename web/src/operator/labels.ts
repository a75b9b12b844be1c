/** How the operator screens name severities, states and timeline entries, in words (en-GB). */
import type { Schemas } from "../api/client";

type Incident = Schemas["Incident"];
export type Severity = Incident["severity"];
export type IncidentState = NonNullable<Incident["state"]>;

/** The incident's state: the API always sends it (the schema marks fields with a default optional). */
export function stateOf(incident: Incident): IncidentState {
  return incident.state ?? "new";
}

export const SEVERITY_COLOUR = {
  critical: "danger",
  high: "danger",
  medium: "warning",
  low: "informative",
} as const satisfies Record<Severity, string>;

export const SEVERITY_LABELS: Record<Severity, string> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
};

export const STATE_LABELS: Record<IncidentState, string> = {
  new: "New",
  triaged: "Triaged",
  contained: "Contained",
  resolved: "Resolved",
  closed: "Closed",
};

/** An incident moves one state at a time; closed is the end. */
export const NEXT_STATE: Partial<Record<IncidentState, IncidentState>> = {
  new: "triaged",
  triaged: "contained",
  contained: "resolved",
  resolved: "closed",
};

export const TIMELINE_LABELS: Record<NonNullable<Schemas["TimelineEntry"]["kind"]>, string> = {
  opened: "Opened",
  alert_joined: "Alert joined",
  acknowledged: "Acknowledged",
  state_changed: "State changed",
  note: "Note",
  escalated: "Escalated",
  breach_flagged: "Personal-data breach flagged",
  organisation_told: "Organisation told",
  ico_notified: "ICO notified",
  breach_reminder: "Breach reminder",
  notification_failed: "Notification failed",
};

/** Who did something, as the incident records it (`system` or `operator=<id>`): "you" for this operator,
 * otherwise a short id that still tells operators apart. */
export function actorName(actor: string, myOperatorId: string): string {
  if (actor === "system") {
    return "System";
  }
  const operatorId = actor.replace(/^operator=/, "");
  return operatorId === myOperatorId ? "You" : `Operator ${operatorId.slice(0, 8)}`;
}
