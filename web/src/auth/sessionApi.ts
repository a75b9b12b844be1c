/** The API client of one signed-in area (a member's organisation, or the operators' platform): the
 * provider's access token and that area's session go with every call; a successful call slides the
 * session, a 401 forgets every token and ends it. */
import type { User } from "oidc-client-ts";
import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type Dispatch,
  type ReactNode,
  type RefObject,
  type SetStateAction,
} from "react";

import { createApi, type Api } from "../api/client";
import { ApiProblem } from "../api/problem";
import type { RuntimeConfig } from "../config";
import type { Identity } from "./identity";
import type { MfaStep } from "./MfaSteps";
import { slid, type SessionDeadlines, type SessionSlot } from "./session";

/** What a gate is given: the configuration, who the provider says the person is, and the area. */
export interface GateProps {
  readonly config: RuntimeConfig;
  readonly identity: Identity;
  readonly children: ReactNode;
}

export const SESSION_ENDED = "Your session has ended. Sign in again to continue.";

export interface SessionApi<T extends SessionDeadlines> {
  readonly api: Api;
  readonly accessToken: RefObject<string | null>;
  readonly session: RefObject<T | null>;
  /** Keep a newly opened session for this tab. */
  keep(session: T): void;
  /** Forget the tokens and the session here (the provider's own session is left as it is). */
  forget(): void;
}

export function useSessionApi<T extends SessionDeadlines>(
  apiBase: string,
  identity: Identity,
  slot: SessionSlot<T>,
  onEnded: () => void,
): SessionApi<T> {
  const accessToken = useRef<string | null>(null);
  const session = useRef<T | null>(null);
  const forget = useCallback(() => {
    accessToken.current = null;
    session.current = null;
    slot.clear();
    void identity.forget();
  }, [identity, slot]);
  const keep = useCallback(
    (opened: T) => {
      session.current = opened;
      slot.save(opened);
    },
    [slot],
  );
  const api = useMemo(
    () =>
      createApi(apiBase, {
        accessToken: () => accessToken.current,
        sessionToken: () => session.current?.token ?? null,
        sessionUsed: () => {
          if (session.current !== null) {
            keep(slid(session.current));
          }
        },
        ended: () => {
          forget();
          onEnded();
        },
      }),
    [apiBase, forget, keep, onEnded],
  );
  return { api, accessToken, session, keep, forget };
}

/** The steps of every area's sign-in; an area adds its own. */
export type GateStep<T> =
  | { readonly kind: "starting" }
  | { readonly kind: "signed-out"; readonly notice: string | null }
  | MfaStep
  | { readonly kind: "ready"; readonly session: T }
  | { readonly kind: "failed"; readonly problem: ApiProblem };

/** A session as the API opened it (a member's or an operator's), with its deadlines as the app keeps them. */
export function deadlinesOf(opened: {
  readonly session_token: string;
  readonly idle_expires_at: string;
  readonly absolute_expires_at: string;
}): SessionDeadlines {
  return {
    token: opened.session_token,
    idleExpiresAt: Date.parse(opened.idle_expires_at),
    absoluteExpiresAt: Date.parse(opened.absolute_expires_at),
  };
}

/** Where an area's sign-in stands once the provider has answered. */
export type Arrival<T> =
  | { readonly kind: "signed-out"; readonly notice: null }
  | { readonly kind: "ready"; readonly session: T }
  | { readonly kind: "failed"; readonly problem: ApiProblem };

/**
 * When the area opens: nobody signed in at the provider (signed out), a session kept in this tab
 * (ready), or the area's second factor to ask for.
 */
export function useArrival<T extends SessionDeadlines>(
  identity: Identity,
  slot: SessionSlot<T>,
  { accessToken, keep }: SessionApi<T>,
  secondFactor: (user: User) => Promise<void>,
  setStep: (step: Arrival<T>) => void,
): void {
  useEffect(() => {
    let current = true;
    async function start() {
      const user = await identity.current();
      if (!current) {
        return;
      }
      if (user === null) {
        slot.clear();
        setStep({ kind: "signed-out", notice: null });
        return;
      }
      accessToken.current = user.access_token;
      const stored = slot.load();
      if (stored !== null) {
        keep(stored);
        setStep({ kind: "ready", session: stored });
      } else {
        await secondFactor(user);
      }
    }
    start().catch((error: unknown) => current && setStep({ kind: "failed", problem: ApiProblem.of(error) }));
    return () => {
      current = false;
    };
  }, [accessToken, identity, keep, secondFactor, setStep, slot]);
}

/** One area's sign-in: its steps (the shared ones and its own `Extra`), its API client and session. */
export interface Gate<T extends SessionDeadlines, Extra> extends SessionApi<T> {
  readonly step: GateStep<T> | Extra;
  readonly setStep: Dispatch<SetStateAction<GateStep<T> | Extra>>;
  /** Forget every token and return to the sign-in screen, with a notice. */
  end(notice: string | null): void;
  /** The API opened a session: keep it, and show the area. */
  opened(session: T): void;
}

export function useGate<T extends SessionDeadlines, Extra = never>(
  apiBase: string,
  identity: Identity,
  slot: SessionSlot<T>,
): Gate<T, Extra> {
  const [step, setStep] = useState<GateStep<T> | Extra>({ kind: "starting" });
  const ended = useCallback(() => setStep({ kind: "signed-out", notice: SESSION_ENDED }), []);
  const sessionApi = useSessionApi(apiBase, identity, slot, ended);
  const { keep, forget } = sessionApi;
  const end = useCallback(
    (notice: string | null) => {
      forget();
      setStep({ kind: "signed-out", notice });
    },
    [forget],
  );
  const opened = useCallback(
    (session: T) => {
      keep(session);
      setStep({ kind: "ready", session });
    },
    [keep],
  );
  return { ...sessionApi, step, setStep, end, opened };
}
