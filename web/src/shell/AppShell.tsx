/** The frame around every screen: the organisation, the person's role, role-aware navigation. */
import type { ReactNode } from "react";

import { unwrap } from "../api/client";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { hasRole } from "../auth/session";
import { Frame } from "./Frame";
import { ROLE_LABELS, SCREENS } from "./navigation";
import { SessionWarning } from "./SessionWarning";

export function AppShell({ children }: { children: ReactNode }) {
  const { api, session, signOut } = useSignedIn();
  const [organisation] = useApi(() => unwrap(api.GET("/api/v1/organisation")), [api]);
  return (
    <Frame
      brand="Insight365"
      subtitle={organisation.state === "ready" ? organisation.data.name : ""}
      roleLabel={ROLE_LABELS[session.role]}
      links={SCREENS.filter((screen) => !screen.unlisted && hasRole(session.role, screen.minRole))}
      onSignOut={() => void signOut()}
    >
      <SessionWarning />
      {children}
    </Frame>
  );
}
