/** What every operator screen may use once an operator is signed in at the platform. */
import { createContext, useContext } from "react";

import type { Api, Schemas } from "../api/client";
import { SessionSlot, type SessionDeadlines } from "../auth/session";

export type PlatformRole = Schemas["OperatorView"]["role"];

export const PLATFORM_ROLE_LABELS: Record<PlatformRole, string> = {
  operator: "Operator",
  security_officer: "Security officer",
};

/** An operator's platform session: kept apart from any member's, under its own key. */
export interface OperatorSession extends SessionDeadlines {
  readonly operatorId: string;
  readonly role: PlatformRole;
}

export const OPERATOR_SESSION = new SessionSlot<OperatorSession>("insight365.platform-session");

export interface OperatorSignedIn {
  readonly api: Api;
  readonly session: OperatorSession;
  signOut(): Promise<void>;
}

export const OperatorContext = createContext<OperatorSignedIn | null>(null);

export function useOperator(): OperatorSignedIn {
  const value = useContext(OperatorContext);
  if (value === null) {
    throw new Error("useOperator outside the operator area");
  }
  return value;
}
