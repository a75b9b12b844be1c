/** What every screen may use once the person is signed in: the API, their role, and signing out. */
import { createContext, useContext } from "react";

import type { Api } from "../api/client";
import type { ApiSession } from "./session";

export interface SignedIn {
  readonly api: Api;
  readonly session: ApiSession;
  /** When the session ends unless used (epoch ms); read fresh each time. */
  endsAt(): number;
  /** Make a cheap call so the API slides the session. */
  stayActive(): Promise<void>;
  signOut(): Promise<void>;
}

export const SignedInContext = createContext<SignedIn | null>(null);

export function useSignedIn(): SignedIn {
  const value = useContext(SignedInContext);
  if (value === null) {
    throw new Error("useSignedIn outside a signed-in tree");
  }
  return value;
}
