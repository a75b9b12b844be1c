/** A button's call to the API: busy while it runs, and the problem to show when it fails. */
import { useCallback, useState } from "react";

import { ApiProblem } from "./problem";

/** How a call ended: its value, or not done (its problem is then the action's `problem`). */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false };

export interface Action {
  readonly busy: boolean;
  readonly problem: ApiProblem | null;
  run<T>(action: () => Promise<T>): Promise<Outcome<T>>;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const run = useCallback(async <T>(action: () => Promise<T>): Promise<Outcome<T>> => {
    setBusy(true);
    setProblem(null);
    try {
      return { ok: true, value: await action() };
    } catch (failure) {
      setProblem(ApiProblem.of(failure));
      return { ok: false };
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, problem, run };
}
