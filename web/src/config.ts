/** The runtime configuration the gateway serves at /config.json, so one build serves every environment. */
export interface RuntimeConfig {
  /** The OpenID Connect provider's issuer URL (discovery lives under it). */
  readonly issuer: string;
  /** The app's public client id at the provider. */
  readonly clientId: string;
  /** Scopes to ask for: OpenID ones plus the API's delegated scope. */
  readonly scope: string;
  /** Where the API lives: "" for the same origin (the gateway passes /api/* on). */
  readonly apiBase: string;
}

function text(value: unknown, name: string): string {
  if (typeof value !== "string") {
    throw new Error(`config.json: "${name}" must be a string`);
  }
  return value;
}

export async function loadConfig(): Promise<RuntimeConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) {
    throw new Error(`config.json could not be loaded (HTTP ${response.status})`);
  }
  const body = (await response.json()) as Record<string, unknown>;
  return {
    issuer: text(body.issuer, "issuer"),
    clientId: text(body.clientId, "clientId"),
    scope: text(body.scope, "scope"),
    apiBase: text(body.apiBase ?? "", "apiBase"),
  };
}
