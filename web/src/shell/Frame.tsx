/** The frame around every screen of an area: the brand and a subtitle (the organisation, say), the
 * person's role, sign-out, the navigation and the screen. */
import { Button, Caption1, Text, makeStyles, mergeClasses, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";
import { NavLink } from "react-router-dom";

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

export interface FrameLink {
  readonly path: string;
  readonly label: string;
  /** Active only on exactly this path (not on the paths beneath it). */
  readonly end?: boolean;
}

export function Frame({
  brand,
  subtitle,
  roleLabel,
  links,
  onSignOut,
  children,
}: {
  brand: string;
  subtitle: string;
  roleLabel: string;
  links: readonly FrameLink[];
  onSignOut: () => void;
  children: ReactNode;
}) {
  const styles = useStyles();
  return (
    <div className={styles.frame}>
      <header className={styles.header}>
        <Text className={styles.brand}>{brand}</Text>
        <Text className={styles.headerText} data-testid="organisation-name">
          {subtitle}
        </Text>
        <span className={styles.spacer} />
        <Caption1 className={styles.headerText} data-testid="role">
          {roleLabel}
        </Caption1>
        <Button onClick={onSignOut}>Sign out</Button>
      </header>
      <nav className={styles.nav} aria-label="Main">
        <ul className={styles.list}>
          {links.map((link) => (
            <li key={link.path}>
              <NavLink
                to={link.path}
                end={link.end ?? true}
                className={({ isActive }) => mergeClasses(styles.link, isActive && styles.active)}
              >
                {link.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main className={styles.main}>{children}</main>
    </div>
  );
}
