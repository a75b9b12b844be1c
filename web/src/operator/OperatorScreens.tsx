/** The operator area: its frame, navigation and screens. Nothing here reads a customer's data. */
import { Title2 } from "@fluentui/react-components";
import { Link, Navigate, Route, Routes } from "react-router-dom";

import { EmptyState } from "../components/states";
import { Frame } from "../shell/Frame";
import { Alerts } from "./Alerts";
import { PLATFORM_ROLE_LABELS, useOperator } from "./context";
import { IncidentDetail } from "./IncidentDetail";
import { Incidents } from "./Incidents";
import { INCIDENTS_PATH, OPERATOR_PATH } from "./paths";
import { PlatformHealth } from "./PlatformHealth";
import { SupportRequests } from "./SupportRequests";

const LINKS = [
  // Active on an incident's detail too.
  { path: INCIDENTS_PATH, label: "Incidents", end: false },
  { path: `${OPERATOR_PATH}/alerts`, label: "Alerts" },
  { path: `${OPERATOR_PATH}/health`, label: "Platform health" },
  { path: `${OPERATOR_PATH}/support-requests`, label: "Support requests" },
] as const;

function NotFound() {
  return (
    <>
      <Title2 as="h1">Page not found</Title2>
      <EmptyState title="There is no page at this address">
        <Link to={OPERATOR_PATH}>Go to the incidents</Link>
      </EmptyState>
    </>
  );
}

export function OperatorScreens() {
  const { session, signOut } = useOperator();
  return (
    <Frame
      brand="Insight365 operations"
      subtitle=""
      roleLabel={PLATFORM_ROLE_LABELS[session.role]}
      links={LINKS}
      onSignOut={() => void signOut()}
    >
      <Routes>
        <Route path={OPERATOR_PATH} element={<Navigate to={INCIDENTS_PATH} replace />} />
        <Route path={INCIDENTS_PATH} element={<Incidents />} />
        <Route path={`${INCIDENTS_PATH}/:incidentId`} element={<IncidentDetail />} />
        <Route path={`${OPERATOR_PATH}/alerts`} element={<Alerts />} />
        <Route path={`${OPERATOR_PATH}/health`} element={<PlatformHealth />} />
        <Route path={`${OPERATOR_PATH}/support-requests`} element={<SupportRequests />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Frame>
  );
}
