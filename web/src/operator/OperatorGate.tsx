/**
 * Signing in an operator: the same provider and the same TOTP rules as members, but the platform's
 * endpoints (`/platform/mfa/totp`, `/confirm`, `/platform/session`) and a platform session kept apart
 * from any member's. The API decides who is an operator (by setting); a customer who opens the operator
 * area is told it is not for them and gets no session.
 */
import { useCallback, useMemo } from "react";

import { unwrap, type Schemas } from "../api/client";
import { ApiProblem } from "../api/problem";
import { CHALLENGE, MfaSteps } from "../auth/MfaSteps";
import { SignedOut } from "../auth/Onboarding";
import { OtherArea, SignInFailed } from "../auth/Panel";
import { deadlinesOf, useArrival, useGate, type GateProps } from "../auth/sessionApi";
import { OPERATOR_SESSION, OperatorContext, type OperatorSession, type OperatorSignedIn } from "./context";

type NotAnOperator = { readonly kind: "not-an-operator" };

function toSession(opened: Schemas["OperatorSessionView"]): OperatorSession {
  return { ...deadlinesOf(opened), operatorId: opened.operator_id, role: opened.role };
}

export function OperatorGate({ config, identity, children }: GateProps) {
  const gate = useGate<OperatorSession, NotAnOperator>(config.apiBase, identity, OPERATOR_SESSION);
  const { step, setStep, api, forget, end, opened } = gate;

  /** Enrolment the first time; a code afterwards (409: enrolled); 403: not an operator at all. */
  const secondFactor = useCallback(async () => {
    try {
      setStep({ kind: "enrol", enrolment: await unwrap(api.POST("/api/v1/platform/mfa/totp")) });
    } catch (failure) {
      const problem = ApiProblem.of(failure);
      if (problem.kind === "mfa-already-enrolled") {
        setStep(CHALLENGE);
      } else if (problem.status === 403) {
        setStep({ kind: "not-an-operator" });
      } else if (problem.status === 401) {
        end("Your sign-in has expired. Sign in again.");
      } else {
        setStep({ kind: "failed", problem });
      }
    }
  }, [api, end, setStep]);

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

  switch (step.kind) {
    case "starting":
      return null;
    case "signed-out":
      return (
        <SignedOut
          title="Operator sign-in"
          intro="For Insight365's operators: incidents, alerts, platform health and support requests. You sign in with your password, then a code from your authenticator app."
          notice={step.notice}
          onSignIn={() => void identity.signIn(window.location.pathname + window.location.search)}
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
            (await unwrap(api.POST("/api/v1/platform/mfa/totp/confirm", { body: { code } }))).recovery_codes
          }
          open={async (body) =>
            opened(toSession(await unwrap(api.POST("/api/v1/platform/session", { body }))))
          }
        />
      );
    case "not-an-operator":
      return (
        <OtherArea
          title="The operator area is for Insight365's staff"
          link="Go to your organisation"
          href="/"
        >
          Your account is not an Insight365 operator, so nothing here is open to you.
        </OtherArea>
      );
    case "failed":
      return <SignInFailed problem={step.problem} onRetry={() => end(null)} />;
    case "ready":
      return <OperatorContext.Provider value={signedIn}>{children}</OperatorContext.Provider>;
  }
}
