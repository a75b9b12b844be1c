/**
 * The API's own session, opened with a TOTP or recovery code: its token goes with every call as
 * `X-Session`. The API slides it by an hour on each call and ends it after 12 hours in any case; the app
 * mirrors those deadlines to warn before the end and to return to sign-in cleanly when it comes.
 * A member's session and an operator's platform session are kept apart, each in its own slot.
 */
export type Role = "user" | "admin" | "super_admin";

const ROLE_RANK: Record<Role, number> = { user: 0, admin: 1, super_admin: 2 };
export const IDLE_MINUTES = 60;

export function hasRole(role: Role, minimum: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[minimum];
}

/** What every session has: its token and when it ends. */
export interface SessionDeadlines {
  readonly token: string;
  /** Epoch milliseconds. */
  readonly idleExpiresAt: number;
  readonly absoluteExpiresAt: number;
}

/** A member's session in their organisation. */
export interface ApiSession extends SessionDeadlines {
  readonly memberId: string;
  readonly role: Role;
}

export function sessionEndsAt(session: SessionDeadlines): number {
  return Math.min(session.idleExpiresAt, session.absoluteExpiresAt);
}

/** Where one kind of session is kept in the tab (sessionStorage: it ends with the tab). */
export class SessionSlot<T extends SessionDeadlines> {
  constructor(private readonly key: string) {}

  load(): T | null {
    const stored = window.sessionStorage.getItem(this.key);
    if (stored === null) {
      return null;
    }
    const session = JSON.parse(stored) as T;
    return sessionEndsAt(session) > Date.now() ? session : null;
  }

  save(session: T): void {
    window.sessionStorage.setItem(this.key, JSON.stringify(session));
  }

  clear(): void {
    window.sessionStorage.removeItem(this.key);
  }
}

export const MEMBER_SESSION = new SessionSlot<ApiSession>("insight365.session");

/** The session as the API now sees it after a successful call: idle for a full hour from now. */
export function slid<T extends SessionDeadlines>(session: T, now: number = Date.now()): T {
  return { ...session, idleExpiresAt: now + IDLE_MINUTES * 60_000 };
}
