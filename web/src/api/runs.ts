/** A refresh run's states, as the API reports them. */
import type { Schemas } from "./client";

const RUNNING = new Set(["queued", "collecting", "computing"]);

/** Still under way: queued, collecting or computing. */
export function isRunning(run: Schemas["RunRecord"]): boolean {
  return RUNNING.has(run.state ?? "queued");
}
