/** A support grant's state and its end, as both its sides read them: the organisation that decides and
 * the operator who asked. */
import { Badge } from "@fluentui/react-components";

import type { Schemas } from "../api/client";
import { formatMoment } from "../format";

export type Grant = Schemas["SupportGrantView"];

const STATE_LABELS: Record<Grant["state"], string> = {
  pending: "Waiting for a decision",
  active: "Active",
  denied: "Denied",
  revoked: "Revoked",
  expired: "Ended",
};
const STATE_COLOUR = {
  pending: "warning",
  active: "danger",
  denied: "subtle",
  revoked: "subtle",
  expired: "subtle",
} as const;

export function GrantStateBadge({ grant }: { grant: Grant }) {
  return (
    <Badge appearance="tint" color={STATE_COLOUR[grant.state]}>
      {STATE_LABELS[grant.state]}
    </Badge>
  );
}

/** When the grant ends (active), lapses (pending) or ended. */
export function grantEnds(grant: Grant): string {
  if (grant.state === "pending") {
    return `Lapses ${formatMoment(grant.request_expires_at)}`;
  }
  if (grant.revoked_at) {
    return `Revoked ${formatMoment(grant.revoked_at)}`;
  }
  return grant.expires_at ? formatMoment(grant.expires_at) : "—";
}
