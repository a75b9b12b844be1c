/** For admins, under a Licences card: the person-level report behind it, on the Reports screen or as CSV. */
import { makeStyles, tokens } from "@fluentui/react-components";
import { Link as RouterLink } from "react-router-dom";

import { useSignedIn } from "../auth/context";
import { hasRole } from "../auth/session";
import { DownloadCsv } from "../components/DownloadCsv";

const useStyles = makeStyles({
  links: { display: "flex", gap: tokens.spacingHorizontalL, alignItems: "center", flexWrap: "wrap" },
});

/** `what` names the report's rows in a sentence: "the right-sizing recommendations". */
export function ReportLinks({ reportId, what }: { reportId: string; what: string }) {
  const styles = useStyles();
  const { session } = useSignedIn();
  if (!hasRole(session.role, "admin")) {
    return null; // the report names people: admins only
  }
  return (
    <div className={styles.links} data-report-links={reportId}>
      <RouterLink to={`/reports?report=${reportId}`}>Open {what} in Reports</RouterLink>
      <DownloadCsv reportId={reportId} label={`Download ${what} (CSV)`} />
    </div>
  );
}
