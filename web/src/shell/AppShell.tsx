/** The frame around every screen: the organisation, the person's role, role-aware navigation. */
import { Button, Caption1, Text, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";
import { NavLink } from "react-router-dom";

import { unwrap } from "../api/client";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { hasRole } from "../auth/session";
import { ROLE_LABELS, SCREENS } from "./navigation";
import { SessionWarning } from "./SessionWarning";

const useStyles = makeStyles({
  frame: {
    minHeight: "100vh",
    display: "grid",
    gridTemplateRows: "auto 1fr",
    gridTemplateColumns: "14rem 1fr",
  },
  header: {
    gridColumn: "1 / span 2",
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalL,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400 },
  spacer: { flexGrow: 1 },
  headerText: { color: tokens.colorNeutralForegroundOnBrand },
  nav: {
    backgroundColor: tokens.colorNeutralBackground2,
    padding: tokens.spacingVerticalM,
    borderRight: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  list: {
    listStyleType: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: "2px",
  },
  link: {
    display: "block",
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground1,
    textDecorationLine: "none",
    ":hover": { backgroundColor: tokens.colorNeutralBackground1Hover },
  },
  active: { backgroundColor: tokens.colorNeutralBackground1Selected, fontWeight: tokens.fontWeightSemibold },
  main: {
    padding: tokens.spacingHorizontalXXL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    minWidth: 0,
  },
});

export function AppShell({ children }: { children: ReactNode }) {
  const styles = useStyles();
  const { api, session, signOut } = useSignedIn();
  const [organisation] = useApi(() => unwrap(api.GET("/api/v1/organisation")), [api]);
  return (
    <div className={styles.frame}>
      <header className={styles.header}>
        <Text className={styles.brand}>Insight365</Text>
        <Text className={styles.headerText} data-testid="organisation-name">
          {organisation.state === "ready" ? organisation.data.name : ""}
        </Text>
        <span className={styles.spacer} />
        <Caption1 className={styles.headerText} data-testid="role">
          {ROLE_LABELS[session.role]}
        </Caption1>
        <Button onClick={() => void signOut()}>Sign out</Button>
      </header>
      <nav className={styles.nav} aria-label="Main">
        <ul className={styles.list}>
          {SCREENS.filter((screen) => !screen.unlisted && hasRole(session.role, screen.minRole)).map(
            (screen) => (
              <li key={screen.path}>
                <NavLink
                  to={screen.path}
                  end
                  className={({ isActive }) => mergeClasses(styles.link, isActive && styles.active)}
                >
                  {screen.label}
                </NavLink>
              </li>
            ),
          )}
        </ul>
      </nav>
      <main className={styles.main}>
        <SessionWarning />
        {children}
      </main>
    </div>
  );
}
