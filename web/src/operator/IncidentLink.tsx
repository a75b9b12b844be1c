/** A link to the incident something opened or joined, or a dash. */
import { Link } from "react-router-dom";

import { incidentPath } from "./paths";

export function IncidentLink({ incidentId }: { incidentId: string | null | undefined }) {
  return incidentId ? <Link to={incidentPath(incidentId)}>Open incident</Link> : "—";
}
