/**
 * The typed API client: generated from the committed openapi.json at build time (schema.gen.ts), so a
 * change to the API that the app does not follow fails `npm run build`.
 */
import createClient, { type Middleware } from "openapi-fetch";

import { ApiProblem } from "./problem";
import type { components, paths } from "./schema.gen";

export type Schemas = components["schemas"];
export type Api = ReturnType<typeof createClient<paths>>;

/** What the client needs from whoever signed the person in. */
export interface Credentials {
  accessToken(): string | null;
  sessionToken(): string | null;
  /** A call succeeded with the session: the API slid it. */
  sessionUsed(): void;
  /** The API refused the credentials (401): the session or the token has ended. */
  ended(): void;
}

export function createApi(baseUrl: string, credentials: Credentials): Api {
  const client = createClient<paths>({ baseUrl });
  const authenticate: Middleware = {
    onRequest({ request }) {
      const token = credentials.accessToken();
      if (token !== null) {
        request.headers.set("Authorization", `Bearer ${token}`);
      }
      const session = credentials.sessionToken();
      if (session !== null) {
        request.headers.set("X-Session", session);
      }
      return request;
    },
    onResponse({ request, response }) {
      if (!request.headers.has("X-Session")) {
        return response;
      }
      if (response.status === 401) {
        credentials.ended();
      } else if (response.ok) {
        credentials.sessionUsed();
      }
      return response;
    },
  };
  client.use(authenticate);
  return client;
}

/** The data of a call, or its problem thrown. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch {
    throw ApiProblem.unreachable();
  }
  if (!result.response.ok) {
    throw await ApiProblem.from(result.response, result.error);
  }
  return result.data as T;
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** A resource and the version of it that was read: send it back as `If-Match` to update it. */
export interface Versioned<T> {
  readonly data: T;
  readonly etag: string | null;
}

/** The data of a call with its `ETag`, or its problem thrown. */
export async function unwrapVersioned<T>(call: Promise<Result<T>>): Promise<Versioned<T>> {
  let etag: string | null = null;
  const data = await unwrap(
    call.then((result) => {
      etag = result.response.headers.get("ETag");
      return result;
    }),
  );
  return { data, etag };
}

/** The `If-Match` header for an update of what was read (none for a resource not created yet). */
export function ifMatch(etag: string | null): { "If-Match"?: string } {
  return etag === null ? {} : { "If-Match": etag };
}
