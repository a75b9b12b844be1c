/** A refresh's warnings in words. The run keeps codes (`dataset_failed:users`); the insight payloads carry
 * the full sentences, so here each kind gets one line a reader can act on, and right-sizing's reasons, which
 * the Licences screen explains, one line pointing there. An unknown code is shown as it is. */

const PREFIXES = ["dataset_failed:", "dataset_kept:", "price_missing:", "rightsizing_", "dataset_"] as const;

const WORDS: Record<string, string> = {
  reports_concealed:
    "Microsoft 365 conceals names in its usage reports, so figures about each person are left out. Turn off " +
    "“Display concealed user, group and site names in all reports” in the Microsoft 365 admin centre.",
  signin_activity_unavailable:
    "Sign-in activity was not collected (it needs Microsoft Entra ID P1 or P2): activity comes from the " +
    "usage reports alone.",
  activity_unavailable:
    "Neither sign-in activity nor usage reports that name people were available, so nobody's activity is known.",
};

function plural(count: number, one: string, many: string): string {
  return count === 1 ? one : many;
}

export function runWarningLines(codes: readonly string[]): string[] {
  const byKind = new Map<string, string[]>();
  const lines: string[] = [];
  for (const code of codes) {
    const prefix = PREFIXES.find((candidate) => code.startsWith(candidate));
    if (prefix === undefined) {
      lines.push(WORDS[code] ?? code);
    } else {
      byKind.set(prefix, [...(byKind.get(prefix) ?? []), code.slice(prefix.length)]);
    }
  }
  const failed = byKind.get("dataset_failed:") ?? [];
  if (failed.length > 0) {
    lines.push(
      `${failed.length} ${plural(failed.length, "dataset", "datasets")} could not be collected ` +
        `(${failed.join(", ")}); the table says why.`,
    );
  }
  for (const dataset of byKind.get("dataset_kept:") ?? []) {
    lines.push(`${dataset} could not be read in time: the figures use the copy from an earlier refresh.`);
  }
  for (const unavailable of byKind.get("dataset_") ?? []) {
    const [status = "", dataset = unavailable] = unavailable.split(":");
    lines.push(
      `${dataset} is ${status.replace("_", " ")} for this tenant: the figures that use it are missing.`,
    );
  }
  const unpriced = byKind.get("price_missing:") ?? [];
  if (unpriced.length > 0) {
    lines.push(
      `${unpriced.length} ${plural(unpriced.length, "licence has", "licences have")} no price, so ` +
        "their waste is counted in seats: set prices in Settings.",
    );
  }
  if (byKind.has("rightsizing_")) {
    lines.push("Right-sizing could not recommend everything: the Licences screen says why.");
  }
  return lines;
}
