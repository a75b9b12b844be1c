/** What every area's sign-in shares once its gate is set up (a member's organisation, or the operators'
 * platform): asking for the second factor, and the screens of the shared steps. */
import { useCallback, type ReactNode } from "react";

import type { Api, Schemas } from "../api/client";
import { ApiProblem } from "../api/problem";
import { CHALLENGE, MfaSteps } from "./MfaSteps";
import { SignInFailed } from "./Panel";
import type { SessionDeadlines } from "./session";
import type { Gate, GateStep } from "./sessionApi";

/**
 * The area's second factor: enrolment the first time, a code afterwards (409: already enrolled). A refusal
 * the area knows becomes its own step (`refused` names it, else null); a 401 returns to sign-in; anything
 * else fails. `enrol` and `refused` must keep their identity between renders (module-level or memoised).
 */
export function useSecondFactor<T extends SessionDeadlines, Extra>(
  { api, setStep, end }: Gate<T, Extra>,
  enrol: (api: Api) => Promise<Schemas["TotpEnrolment"]>,
  refused: (problem: ApiProblem) => Extra | null,
): () => Promise<void> {
  return useCallback(async () => {
    try {
      setStep({ kind: "enrol", enrolment: await enrol(api) });
    } catch (failure) {
      const problem = ApiProblem.of(failure);
      if (problem.kind === "mfa-already-enrolled") {
        setStep(CHALLENGE);
        return;
      }
      const own = refused(problem);
      if (own !== null) {
        setStep(own);
      } else if (problem.status === 401) {
        end("Your sign-in has expired. Sign in again.");
      } else {
        setStep({ kind: "failed", problem });
      }
    }
  }, [api, end, enrol, refused, setStep]);
}

const SHARED_KINDS: Record<GateStep<unknown>["kind"], true> = {
  starting: true,
  "signed-out": true,
  enrol: true,
  "recovery-codes": true,
  challenge: true,
  ready: true,
  failed: true,
};

function isShared<T>(step: GateStep<T> | { readonly kind: string }): step is GateStep<T> {
  return Object.hasOwn(SHARED_KINDS, step.kind);
}

/** The screen of the step an area's sign-in is at: the shared ones here, the area's own from `own`. */
export function GateScreens<T extends SessionDeadlines, Extra extends { readonly kind: string }>({
  gate,
  signedOut,
  confirm,
  open,
  own,
  children,
}: {
  gate: Gate<T, Extra>;
  /** The area's sign-in screen, with a notice of why the person is back at it. */
  signedOut: (notice: string | null) => ReactNode;
  /** Confirms enrolment with a first code; answers the recovery codes. */
  confirm: (api: Api, code: string) => Promise<string[]>;
  /** Opens the area's session with a code. */
  open: (api: Api, body: Schemas["SessionBody"]) => Promise<T>;
  own: (step: Extra) => ReactNode;
  /** The area itself, once its session is open. */
  children: ReactNode;
}) {
  const { step, setStep, api, end, opened } = gate;
  if (!isShared(step)) {
    return own(step);
  }
  switch (step.kind) {
    case "starting":
      return null;
    case "signed-out":
      return signedOut(step.notice);
    case "enrol":
    case "recovery-codes":
    case "challenge":
      return (
        <MfaSteps
          step={step}
          onStep={setStep}
          confirm={(code) => confirm(api, code)}
          open={async (body) => opened(await open(api, body))}
        />
      );
    case "failed":
      return <SignInFailed problem={step.problem} onRetry={() => end(null)} />;
    case "ready":
      return children;
  }
}
