/** The app: sign-in first, then the shell with the screens the person's role may see. */
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { Suspense, lazy, type ReactElement } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router-dom";

import { AuthGate } from "./auth/AuthGate";
import { useSignedIn } from "./auth/context";
import { JOIN_PATH } from "./auth/JoinOrganisation";
import { hasRole } from "./auth/session";
import { Loading } from "./components/states";
import type { RuntimeConfig } from "./config";
import { Account } from "./screens/Account";
import { Audit } from "./screens/Audit";
import { GetStarted } from "./screens/GetStarted";
import { Integration } from "./screens/Integration";
import { Members } from "./screens/Members";
import { NotFound } from "./screens/NotFound";
import { Overview } from "./screens/Overview";
import { Productivity } from "./screens/Productivity";
import { Refresh } from "./screens/Refresh";
import { Reports } from "./screens/Reports";
import { Settings } from "./screens/Settings";
import { SupportAccess } from "./screens/SupportAccess";
import { AppShell } from "./shell/AppShell";
import { SCREENS } from "./shell/navigation";

// The charts (and d3 beneath them) load with the first screen that draws one, not with the overview.
const Licences = lazy(() => import("./screens/Licences").then((module) => ({ default: module.Licences })));
const Adoption = lazy(() => import("./screens/Adoption").then((module) => ({ default: module.Adoption })));
const Security = lazy(() => import("./screens/Security").then((module) => ({ default: module.Security })));

const ELEMENTS: Record<string, ReactElement> = {
  "/": <Overview />,
  "/licences": <Licences />,
  "/adoption": <Adoption />,
  "/productivity": <Productivity />,
  "/security": <Security />,
  "/reports": <Reports />,
  "/refresh": <Refresh />,
  "/members": <Members />,
  "/audit": <Audit />,
  "/support-access": <SupportAccess />,
  "/integration": <Integration />,
  "/settings": <Settings />,
  "/get-started": <GetStarted />,
  "/account": <Account />,
};

function Screens() {
  const { session } = useSignedIn();
  return (
    <AppShell>
      <Suspense fallback={<Loading label="Loading" />}>
        <Routes>
          {SCREENS.map((screen) => (
            <Route
              key={screen.path}
              path={screen.path}
              // A deep link to a screen the role may not open lands on the overview.
              element={
                hasRole(session.role, screen.minRole) ? ELEMENTS[screen.path] : <Navigate to="/" replace />
              }
            />
          ))}
          {/* An invitation link opened by someone already in an organisation: nothing to join. */}
          <Route path={JOIN_PATH} element={<Navigate to="/" replace />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </AppShell>
  );
}

export function App({ config }: { config: RuntimeConfig }) {
  return (
    <FluentProvider theme={webLightTheme}>
      <AuthGate config={config}>
        <BrowserRouter>
          <Screens />
        </BrowserRouter>
      </AuthGate>
    </FluentProvider>
  );
}
