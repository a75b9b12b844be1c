/** The empty states before any figures exist: no tenant connected yet, or the first refresh running. */
import { Link as RouterLink } from "react-router-dom";

import { unwrap } from "../api/client";
import type { ApiProblem } from "../api/problem";
import { isRunning } from "../api/runs";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { hasRole } from "../auth/session";
import { EmptyState, Loading } from "./states";

/** For screens showing insights: their empty state when nothing is published, else null. */
export function whenNotPublished(problem: ApiProblem) {
  return problem.kind === "insights-not-published" ? <NotPublished /> : null;
}

function NotPublished() {
  const { api, session } = useSignedIn();
  const admin = hasRole(session.role, "admin");
  // Only admins may read runs; a user learns that figures are on their way, not why.
  const [runs] = useApi(
    async () =>
      admin ? (await unwrap(api.GET("/api/v1/runs", { params: { query: { limit: 5 } } }))).items : [],
    [api, admin],
  );
  if (runs.state === "loading") {
    return <Loading label="Loading" />;
  }
  const items = runs.state === "ready" ? runs.data : [];
  if (items.some((run) => isRunning(run))) {
    return (
      <EmptyState title="First refresh running">
        Insight365 is collecting your tenant's data; the figures appear here when the refresh is published.{" "}
        <RouterLink to="/refresh">Follow its progress</RouterLink>
      </EmptyState>
    );
  }
  if (admin && items.length === 0) {
    return (
      <EmptyState title="No tenant connected yet">
        {hasRole(session.role, "super_admin") ? (
          <>
            Connect your organisation's Microsoft 365 tenant, then run its first refresh.{" "}
            <RouterLink to="/get-started">Get started</RouterLink>
          </>
        ) : (
          "A super admin of your organisation connects its Microsoft 365 tenant; the figures appear after its first refresh."
        )}
      </EmptyState>
    );
  }
  return (
    <EmptyState title="No figures published yet">
      Your organisation's first refresh has not been published. Figures appear here once it has.
    </EmptyState>
  );
}
