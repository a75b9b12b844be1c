/** An API error as the person sees it: the RFC 9457 problem's title and detail, never a stack. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | null,
    readonly kind: string,
    /** Seconds, from `Retry-After`, when the API asks to wait. */
    readonly retryAfter: number | null = null,
  ) {
    super(detail === null ? title : `${title}: ${detail}`);
    this.name = "ApiProblem";
  }

  static unreachable(): ApiProblem {
    return new ApiProblem(
      0,
      "The service could not be reached",
      "Check your connection and try again.",
      "unreachable",
    );
  }

  /** Anything else that went wrong in the app itself: a plain sentence, never the error's stack. */
  static unexpected(): ApiProblem {
    return new ApiProblem(0, "Something went wrong", "Reload the page to try again.", "unexpected");
  }

  /** Whatever was thrown, as a problem a person can read. */
  static of(error: unknown): ApiProblem {
    return error instanceof ApiProblem ? error : ApiProblem.unexpected();
  }

  /** The problem a response carries (any non-2xx), read from its problem+json body when it has one. */
  static async from(response: Response, body?: unknown): Promise<ApiProblem> {
    let problem = body;
    if (problem === undefined) {
      problem = await response.json().catch(() => null);
    }
    const fields =
      typeof problem === "object" && problem !== null ? (problem as Record<string, unknown>) : {};
    const title = typeof fields.title === "string" ? fields.title : response.statusText || "Request failed";
    const detail = typeof fields.detail === "string" ? fields.detail : null;
    const type = typeof fields.type === "string" ? fields.type : "";
    const retry = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
    return new ApiProblem(
      response.status,
      title,
      detail,
      type.replace(/^urn:insight365:problem:/, ""),
      Number.isFinite(retry) ? retry : null,
    );
  }
}
