/**
 * The API's own session, opened with a TOTP or recovery code: its token goes with every call as
 * `X-Session`. The API slides it by an hour on each call and ends it after 12 hours in any case; the app
 * mirrors those deadlines to warn before the end and to return to sign-in cleanly when it comes.
 */
export type Role = "user" | "admin" | "super_admin";

const ROLE_RANK: Record<Role, number> = { user: 0, admin: 1, super_admin: 2 };
const STORAGE_KEY = "insight365.session";
export const IDLE_MINUTES = 60;

export function hasRole(role: Role, minimum: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[minimum];
}

export interface ApiSession {
  readonly token: string;
  readonly memberId: string;
  readonly role: Role;
  /** Epoch milliseconds. */
  readonly idleExpiresAt: number;
  readonly absoluteExpiresAt: number;
}

export function sessionEndsAt(session: ApiSession): number {
  return Math.min(session.idleExpiresAt, session.absoluteExpiresAt);
}

export function loadSession(): ApiSession | null {
  const stored = window.sessionStorage.getItem(STORAGE_KEY);
  if (stored === null) {
    return null;
  }
  const session = JSON.parse(stored) as ApiSession;
  return sessionEndsAt(session) > Date.now() ? session : null;
}

export function saveSession(session: ApiSession): void {
  window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  window.sessionStorage.removeItem(STORAGE_KEY);
}

/** The session as the API now sees it after a successful call: idle for a full hour from now. */
export function slid(session: ApiSession, now: number = Date.now()): ApiSession {
  return { ...session, idleExpiresAt: now + IDLE_MINUTES * 60_000 };
}
