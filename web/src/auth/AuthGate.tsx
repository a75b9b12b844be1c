/**
 * Signing in a member, step by step: the provider (authorization code + PKCE), then the app's second
 * factor (enrolment the first time, a code afterwards), then the app. A 401 from the API, or the
 * session's end, returns to the sign-in screen and forgets every token. An operator's identity gets no
 * member session: the API refuses it every customer route, and the gate points them to the operator area.
 */
import type { User } from "oidc-client-ts";
import { useCallback, useMemo, useRef } from "react";

import { unwrap, type Api, type Schemas } from "../api/client";
import type { ApiProblem } from "../api/problem";
import { OPERATOR_PATH } from "../operator/paths";
import { SignedInContext, type SignedIn } from "./context";
import { JoinOrganisation, invitationCodeInAddress } from "./JoinOrganisation";
import { GateScreens, useSecondFactor } from "./GateScreens";
import { CreateOrganisation, SignedOut } from "./Onboarding";
import { OtherArea } from "./Panel";
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

/** Asking to enrol answers which second-factor step a person is at, without side effects for someone
 * already enrolled (409). */
const enrolMember = (api: Api) => unwrap(api.POST("/api/v1/me/mfa/totp"));

export function AuthGate({ config, identity, children }: GateProps) {
  const gate = useGate<ApiSession, MemberStep>(config.apiBase, identity, MEMBER_SESSION);
  const { step, setStep, api, session, forget } = gate;
  const profile = useRef({ email: "", first: "", last: "" });

  /** Refused enrolment: no organisation yet (403 not-a-member), or an operator's identity (any other 403:
   * anyone else is a member or not one yet). */
  const refused = useCallback((problem: ApiProblem): MemberStep | null => {
    if (problem.kind === "not-a-member") {
      return { kind: "no-organisation", ...profile.current, invitation: invitationCodeInAddress() };
    }
    return problem.kind === "forbidden" ? { kind: "operator-account" } : null;
  }, []);
  const secondFactor = useSecondFactor(gate, enrolMember, refused);

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

  return (
    <GateScreens
      gate={gate}
      signedOut={(notice) => (
        <SignedOut
          notice={notice}
          onSignIn={() =>
            // The fragment too: an invitation link keeps its code across the round trip.
            void identity.signIn(window.location.pathname + window.location.search + window.location.hash)
          }
        />
      )}
      confirm={async (client, code) =>
        (await unwrap(client.POST("/api/v1/me/mfa/totp/confirm", { body: { code } }))).recovery_codes
      }
      open={async (client, body) => toSession(await unwrap(client.POST("/api/v1/session", { body })))}
      own={(own) =>
        own.kind === "operator-account" ? (
          <OtherArea title="This is an operator account" link="Open the operator area" href={OPERATOR_PATH}>
            Insight365's operators work in the operator area. An operator account opens no organisation's
            screens.
          </OtherArea>
        ) : own.invitation === null ? (
          <CreateOrganisation
            api={api}
            email={own.email}
            suggested={{ first_name: own.first, last_name: own.last }}
            onCreated={() => void secondFactor()}
            onJoinInstead={() => setStep({ ...own, invitation: "" })}
          />
        ) : (
          <JoinOrganisation
            api={api}
            email={own.email}
            initialCode={own.invitation}
            onJoined={() => void secondFactor()}
            onCreateInstead={() => setStep({ ...own, invitation: null })}
          />
        )
      }
    >
      <SignedInContext.Provider value={signedIn}>{children}</SignedInContext.Provider>
    </GateScreens>
  );
}
