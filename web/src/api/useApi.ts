/** Load something from the API for a screen: loading, the data, or the problem to show. */
import { useCallback, useEffect, useState } from "react";

import { ApiProblem } from "./problem";

export type Loaded<T> =
  | { readonly state: "loading" }
  | { readonly state: "ready"; readonly data: T }
  | { readonly state: "failed"; readonly problem: ApiProblem };

export function useApi<T>(load: () => Promise<T>, deps: readonly unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: "loading" });
  const [attempt, setAttempt] = useState(0);
  const stableLoad = useCallback(load, deps);
  useEffect(() => {
    let current = true;
    stableLoad().then(
      (data) => current && setLoaded({ state: "ready", data }),
      (error: unknown) =>
        current &&
        setLoaded({
          state: "failed",
          problem: ApiProblem.of(error),
        }),
    );
    return () => {
      current = false;
    };
  }, [stableLoad, attempt]);
  const reload = useCallback(() => setAttempt((value) => value + 1), []);
  return [loaded, reload];
}
