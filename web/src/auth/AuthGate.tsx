/**
 * Signing in a member, step by step: the provider (authorization code + PKCE), then the app's second
 * factor (enrolment the first time, a code afterwards), then the app. A 401 from the API, or the
 * session's end, returns to the sign-in screen and forgets every token. An operator's identity gets no
 * member session: the API refuses it every customer route, and the gate points them to the operator area.
 */
import type { User } from "oidc-client-ts";
import { useCallback, useMemo, useRef } from "react";

import { unwrap, type Schemas } from "../api/client";
import { ApiProblem } from "../api/problem";
import { OPERATOR_PATH } from "../operator/paths";
import { SignedInContext, type SignedIn } from "./context";
import { JoinOrganisation, invitationCodeInAddress } from "./JoinOrganisation";
import { CHALLENGE, MfaSteps } from "./MfaSteps";
import { CreateOrganisation, SignedOut } from "./Onboarding";
import { OtherArea, SignInFailed } from "./Panel";
import { MEMBER_SESSION, sessionEndsAt, type ApiSession } from "./session";
import { deadlinesOf, useArrival, useGate, type GateProps } from "./sessionApi";

type MemberStep =
  | {
      readonly kind: "no-organisation";
      readonly email: string;
      readonly first: string;
      readonly last: string;
      /** Joining through an invitation (its code, "" when typed by hand), else creating one. */
      readonly invitation: string | null;
    }
  | { readonly kind: "operator-account" };

function toSession(opened: Schemas["OpenedSessionView"]): ApiSession {
  return { ...deadlinesOf(opened), memberId: opened.member_id, role: opened.role };
}

export function AuthGate({ config, identity, children }: GateProps) {
  const gate = useGate<ApiSession, MemberStep>(config.apiBase, identity, MEMBER_SESSION);
  const { step, setStep, api, session, forget, end, opened } = gate;
  const profile = useRef({ email: "", first: "", last: "" });

  /** Which second-factor step this person is at: asking to enrol answers it without side effects for
   * someone already enrolled (409) or without an organisation (403). */
  const secondFactor = useCallback(async () => {
    try {
      setStep({ kind: "enrol", enrolment: await unwrap(api.POST("/api/v1/me/mfa/totp")) });
    } catch (failure) {
      const problem = ApiProblem.of(failure);
      if (problem.kind === "mfa-already-enrolled") {
        setStep(CHALLENGE);
      } else if (problem.kind === "not-a-member") {
        setStep({ kind: "no-organisation", ...profile.current, invitation: invitationCodeInAddress() });
      } else if (problem.kind === "forbidden") {
        // Only an operator's identity is refused here outright (anyone else is a member or not one yet).
        setStep({ kind: "operator-account" });
      } else if (problem.status === 401) {
        end("Your sign-in has expired. Sign in again.");
      } else {
        setStep({ kind: "failed", problem });
      }
    }
  }, [api, end, setStep]);

  /** Signed in at the provider, no session yet: who they are (for an organisation's sign-up), then MFA. */
  const arrive = useCallback(
    async (user: User) => {
      profile.current = {
        email: user.profile.email ?? "",
        first: user.profile.given_name ?? "",
        last: user.profile.family_name ?? "",
      };
      await secondFactor();
    },
    [secondFactor],
  );
  useArrival(identity, MEMBER_SESSION, gate, arrive, setStep);

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
        forget();
        await identity.signOut();
      },
    };
  }, [api, forget, identity, session, step]);

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
    case "recovery-codes":
    case "challenge":
      return (
        <MfaSteps
          step={step}
          onStep={setStep}
          confirm={async (code) =>
            (await unwrap(api.POST("/api/v1/me/mfa/totp/confirm", { body: { code } }))).recovery_codes
          }
          open={async (body) => opened(toSession(await unwrap(api.POST("/api/v1/session", { body }))))}
        />
      );
    case "operator-account":
      return (
        <OtherArea title="This is an operator account" link="Open the operator area" href={OPERATOR_PATH}>
          Insight365's operators work in the operator area. An operator account opens no organisation's
          screens.
        </OtherArea>
      );
    case "failed":
      return <SignInFailed problem={step.problem} onRetry={() => end(null)} />;
    case "ready":
      return <SignedInContext.Provider value={signedIn}>{children}</SignedInContext.Provider>;
  }
}
