/** The app: sign-in first, then the shell with the screens the person's role may see. Paths under
 * `/operator` are Insight365's operator area instead, with the platform's own sign-in and session. */
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { Suspense, lazy, useEffect, useMemo, useState, type ReactElement } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router-dom";

import { ApiProblem } from "./api/problem";
import { AuthGate } from "./auth/AuthGate";
import { useSignedIn } from "./auth/context";
import { CALLBACK_PATH, Identity } from "./auth/identity";
import { JOIN_PATH } from "./auth/JoinOrganisation";
import { hasRole } from "./auth/session";
import { SignInFailed } from "./auth/Panel";
import { Loading } from "./components/states";
import type { RuntimeConfig } from "./config";
import { OperatorGate } from "./operator/OperatorGate";
import { isOperatorPath } from "./operator/paths";
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
// Operators' screens load only in the operator area.
const OperatorScreens = lazy(() =>
  import("./operator/OperatorScreens").then((module) => ({ default: module.OperatorScreens })),
);

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

type Arrival =
  | { readonly kind: "arriving" }
  | { readonly kind: "arrived"; readonly operator: boolean }
  | { readonly kind: "failed"; readonly problem: ApiProblem };

/** Back from the provider (the one callback both areas share), then the area the path names. */
function Areas({ config }: { config: RuntimeConfig }) {
  const identity = useMemo(() => new Identity(config), [config]);
  const [arrival, setArrival] = useState<Arrival>({ kind: "arriving" });
  useEffect(() => {
    let current = true;
    async function arrive() {
      if (window.location.pathname === CALLBACK_PATH) {
        const returnTo = await identity.completeSignIn(window.location.href);
        window.history.replaceState(null, "", returnTo);
      }
      if (current) {
        setArrival({ kind: "arrived", operator: isOperatorPath(window.location.pathname) });
      }
    }
    arrive().catch(
      (error: unknown) => current && setArrival({ kind: "failed", problem: ApiProblem.of(error) }),
    );
    return () => {
      current = false;
    };
  }, [identity]);
  switch (arrival.kind) {
    case "arriving":
      return null;
    case "failed":
      return <SignInFailed problem={arrival.problem} onRetry={() => window.location.assign("/")} />;
    case "arrived":
      return arrival.operator ? (
        <OperatorGate config={config} identity={identity}>
          <BrowserRouter>
            <Suspense fallback={<Loading label="Loading" />}>
              <OperatorScreens />
            </Suspense>
          </BrowserRouter>
        </OperatorGate>
      ) : (
        <AuthGate config={config} identity={identity}>
          <BrowserRouter>
            <Screens />
          </BrowserRouter>
        </AuthGate>
      );
  }
}

export function App({ config }: { config: RuntimeConfig }) {
  return (
    <FluentProvider theme={webLightTheme}>
      <Areas config={config} />
    </FluentProvider>
  );
}
