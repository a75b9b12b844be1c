/** The app's screens and who may see a link to each. The API stays the enforcement point: hiding a
 * link only spares a person a screen that would answer 403. */
import type { Role } from "../auth/session";

export interface Screen {
  readonly path: string;
  readonly label: string;
  readonly minRole: Role;
  /** Reached from another screen, not listed in the navigation. */
  readonly unlisted?: boolean;
}

export const SCREENS: readonly Screen[] = [
  { path: "/", label: "Overview", minRole: "user" },
  { path: "/licences", label: "Licences", minRole: "user" },
  { path: "/adoption", label: "Adoption", minRole: "user" },
  { path: "/productivity", label: "Productivity", minRole: "user" },
  { path: "/security", label: "Security", minRole: "admin" },
  { path: "/reports", label: "Reports", minRole: "user" },
  { path: "/refresh", label: "Refresh", minRole: "admin" },
  { path: "/members", label: "Members", minRole: "admin" },
  { path: "/audit", label: "Audit log", minRole: "admin" },
  { path: "/support-access", label: "Support access", minRole: "admin" },
  { path: "/integration", label: "Integration", minRole: "super_admin" },
  { path: "/settings", label: "Settings", minRole: "super_admin" },
  { path: "/get-started", label: "Get started", minRole: "super_admin", unlisted: true },
  { path: "/account", label: "My account", minRole: "user" },
];

export const ROLE_LABELS: Record<Role, string> = {
  user: "User",
  admin: "Admin",
  super_admin: "Super admin",
};
