/**
 * Signing in an operator: the same provider and the same TOTP rules as members, but the platform's
 * endpoints (`/platform/mfa/totp`, `/confirm`, `/platform/session`) and a platform session kept apart
 * from any member's. The API decides who is an operator (by setting); a customer who opens the operator
 * area is told it is not for them and gets no session.
 */
import { useMemo } from "react";

import { unwrap, type Api, type Schemas } from "../api/client";
import type { ApiProblem } from "../api/problem";
import { GateScreens, useSecondFactor } from "../auth/GateScreens";
import { SignedOut } from "../auth/Onboarding";
import { OtherArea } from "../auth/Panel";
import { deadlinesOf, useArrival, useGate, type GateProps } from "../auth/sessionApi";
import { OPERATOR_SESSION, OperatorContext, type OperatorSession, type OperatorSignedIn } from "./context";

type NotAnOperator = { readonly kind: "not-an-operator" };

function toSession(opened: Schemas["OperatorSessionView"]): OperatorSession {
  return { ...deadlinesOf(opened), operatorId: opened.operator_id, role: opened.role };
}

const enrolOperator = (api: Api) => unwrap(api.POST("/api/v1/platform/mfa/totp"));

/** 403: not an operator at all. */
const notAnOperator = (problem: ApiProblem): NotAnOperator | null =>
  problem.status === 403 ? { kind: "not-an-operator" } : null;

export function OperatorGate({ config, identity, children }: GateProps) {
  const gate = useGate<OperatorSession, NotAnOperator>(config.apiBase, identity, OPERATOR_SESSION);
  const { step, setStep, api, forget } = gate;
  const secondFactor = useSecondFactor(gate, enrolOperator, notAnOperator);
  useArrival(identity, OPERATOR_SESSION, gate, secondFactor, setStep);

  const signedIn = useMemo<OperatorSignedIn | null>(
    () =>
      step.kind !== "ready"
        ? null
        : {
            api,
            session: step.session,
            signOut: async () => {
              await api.DELETE("/api/v1/platform/session").catch(() => undefined);
              forget();
              await identity.signOut();
            },
          },
    [api, forget, identity, step],
  );

  return (
    <GateScreens
      gate={gate}
      signedOut={(notice) => (
        <SignedOut
          title="Operator sign-in"
          intro="For Insight365's operators: incidents, alerts, platform health and support requests. You sign in with your password, then a code from your authenticator app."
          notice={notice}
          onSignIn={() => void identity.signIn(window.location.pathname + window.location.search)}
        />
      )}
      confirm={async (client, code) =>
        (await unwrap(client.POST("/api/v1/platform/mfa/totp/confirm", { body: { code } }))).recovery_codes
      }
      open={async (client, body) =>
        toSession(await unwrap(client.POST("/api/v1/platform/session", { body })))
      }
      own={() => (
        <OtherArea
          title="The operator area is for Insight365's staff"
          link="Go to your organisation"
          href="/"
        >
          Your account is not an Insight365 operator, so nothing here is open to you.
        </OtherArea>
      )}
    >
      <OperatorContext.Provider value={signedIn}>{children}</OperatorContext.Provider>
    </GateScreens>
  );
}
