/**
 * Signing in, step by step: the provider (authorization code + PKCE), then the app's second factor
 * (enrolment the first time, a code afterwards), then the app. A 401 from the API, or the session's end,
 * returns to the sign-in screen and forgets every token.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";

import { createApi, unwrap, type Schemas } from "../api/client";
import { ApiProblem } from "../api/problem";
import { ProblemView } from "../components/states";
import type { RuntimeConfig } from "../config";
import { SignedInContext, type SignedIn } from "./context";
import { CALLBACK_PATH, Identity } from "./identity";
import { JoinOrganisation, invitationCodeInAddress } from "./JoinOrganisation";
import { Challenge, Enrolment, RecoveryCodes } from "./MfaSteps";
import { CreateOrganisation, SignedOut } from "./Onboarding";
import { Panel } from "./Panel";
import { clearSession, loadSession, saveSession, sessionEndsAt, slid, type ApiSession } from "./session";

export const SESSION_ENDED = "Your session has ended. Sign in again to continue.";

type Step =
  | { readonly kind: "starting" }
  | { readonly kind: "signed-out"; readonly notice: string | null }
  | {
      readonly kind: "no-organisation";
      readonly email: string;
      readonly first: string;
      readonly last: string;
      /** Joining through an invitation (its code, "" when typed by hand), else creating one. */
      readonly invitation: string | null;
    }
  | { readonly kind: "enrol"; readonly enrolment: Schemas["TotpEnrolment"] }
  | { readonly kind: "recovery-codes"; readonly codes: string[] }
  | { readonly kind: "challenge"; readonly intro: string }
  | { readonly kind: "ready"; readonly session: ApiSession }
  | { readonly kind: "failed"; readonly problem: ApiProblem };

function toSession(opened: Schemas["OpenedSessionView"]): ApiSession {
  return {
    token: opened.session_token,
    memberId: opened.member_id,
    role: opened.role,
    idleExpiresAt: Date.parse(opened.idle_expires_at),
    absoluteExpiresAt: Date.parse(opened.absolute_expires_at),
  };
}

export function AuthGate({ config, children }: { config: RuntimeConfig; children: ReactNode }) {
  const identity = useMemo(() => new Identity(config), [config]);
  const accessToken = useRef<string | null>(null);
  const session = useRef<ApiSession | null>(null);
  const profile = useRef({ email: "", first: "", last: "" });
  const [step, setStep] = useState<Step>({ kind: "starting" });

  const end = useCallback(
    (notice: string | null) => {
      accessToken.current = null;
      session.current = null;
      clearSession();
      void identity.forget();
      setStep({ kind: "signed-out", notice });
    },
    [identity],
  );

  const api = useMemo(
    () =>
      createApi(config.apiBase, {
        accessToken: () => accessToken.current,
        sessionToken: () => session.current?.token ?? null,
        sessionUsed: () => {
          if (session.current !== null) {
            session.current = slid(session.current);
            saveSession(session.current);
          }
        },
        ended: () => end(SESSION_ENDED),
      }),
    [config, end],
  );

  /** Which second-factor step this person is at: asking to enrol answers it without side effects for
   * someone already enrolled (409) or without an organisation (403). */
  const secondFactor = useCallback(async () => {
    try {
      setStep({ kind: "enrol", enrolment: await unwrap(api.POST("/api/v1/me/mfa/totp")) });
    } catch (failure) {
      const problem = ApiProblem.of(failure);
      if (problem.kind === "mfa-already-enrolled") {
        setStep({
          kind: "challenge",
          intro: "Open your authenticator app and enter the code it shows for Insight365.",
        });
      } else if (problem.kind === "not-a-member") {
        setStep({ kind: "no-organisation", ...profile.current, invitation: invitationCodeInAddress() });
      } else if (problem.status === 401) {
        end("Your sign-in has expired. Sign in again.");
      } else {
        setStep({ kind: "failed", problem });
      }
    }
  }, [api, end]);

  useEffect(() => {
    let current = true;
    async function start() {
      if (window.location.pathname === CALLBACK_PATH) {
        const returnTo = await identity.completeSignIn(window.location.href);
        window.history.replaceState(null, "", returnTo);
      }
      const user = await identity.current();
      if (!current) {
        return;
      }
      if (user === null) {
        clearSession();
        setStep({ kind: "signed-out", notice: null });
        return;
      }
      accessToken.current = user.access_token;
      profile.current = {
        email: user.profile.email ?? "",
        first: user.profile.given_name ?? "",
        last: user.profile.family_name ?? "",
      };
      const stored = loadSession();
      if (stored !== null) {
        session.current = stored;
        setStep({ kind: "ready", session: stored });
      } else {
        await secondFactor();
      }
    }
    start().catch((error: unknown) => current && setStep({ kind: "failed", problem: ApiProblem.of(error) }));
    return () => {
      current = false;
    };
  }, [identity, secondFactor]);

  const signedIn = useMemo<SignedIn | null>(() => {
    if (step.kind !== "ready") {
      return null;
    }
    return {
      api,
      session: step.session,
      endsAt: () => (session.current === null ? 0 : sessionEndsAt(session.current)),
      stayActive: async () => {
        await unwrap(api.GET("/api/v1/me"));
      },
      signOut: async () => {
        await api.DELETE("/api/v1/session").catch(() => undefined);
        accessToken.current = null;
        session.current = null;
        clearSession();
        await identity.signOut();
      },
    };
  }, [api, identity, step]);

  switch (step.kind) {
    case "starting":
      return null;
    case "signed-out":
      return (
        <SignedOut
          notice={step.notice}
          onSignIn={() =>
            // The fragment too: an invitation link keeps its code across the round trip.
            void identity.signIn(window.location.pathname + window.location.search + window.location.hash)
          }
        />
      );
    case "no-organisation":
      return step.invitation === null ? (
        <CreateOrganisation
          api={api}
          email={step.email}
          suggested={{ first_name: step.first, last_name: step.last }}
          onCreated={() => void secondFactor()}
          onJoinInstead={() => setStep({ ...step, invitation: "" })}
        />
      ) : (
        <JoinOrganisation
          api={api}
          email={step.email}
          initialCode={step.invitation}
          onJoined={() => void secondFactor()}
          onCreateInstead={() => setStep({ ...step, invitation: null })}
        />
      );
    case "enrol":
      return (
        <Enrolment
          api={api}
          enrolment={step.enrolment}
          onConfirmed={(codes) => setStep({ kind: "recovery-codes", codes })}
        />
      );
    case "recovery-codes":
      return (
        <RecoveryCodes
          codes={step.codes}
          onDone={() =>
            setStep({
              kind: "challenge",
              intro: "Your authenticator is set up. Enter its next code to finish signing in.",
            })
          }
        />
      );
    case "challenge":
      return (
        <Challenge
          api={api}
          intro={step.intro}
          onOpened={(opened) => {
            session.current = toSession(opened);
            saveSession(session.current);
            setStep({ kind: "ready", session: session.current });
          }}
        />
      );
    case "failed":
      return (
        <Panel title="Signing in did not work">
          <ProblemView problem={step.problem} onRetry={() => end(null)} />
        </Panel>
      );
    case "ready":
      return <SignedInContext.Provider value={signedIn}>{children}</SignedInContext.Provider>;
  }
}
