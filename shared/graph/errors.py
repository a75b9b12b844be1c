"""Graph failures as the collectors see them: an HTTP error with Graph's code, or a malformed body."""

from __future__ import annotations

import json
from typing import Any

PERMISSION_DENIED = "Authorization_RequestDenied"


class GraphError(RuntimeError):
    """A non-success answer from Graph. The message names status and code, never a token or a body."""

    def __init__(self, status: int, code: str, message: str, url: str = "") -> None:
        super().__init__(f"Graph answered {status} {code}: {message}".rstrip(": "))
        self.status = status
        self.code = code
        self.url = url

    @property
    def permission_denied(self) -> bool:
        """The app lacks the application permission the call needs: Graph's 403
        `Authorization_RequestDenied` (https://learn.microsoft.com/graph/resolve-auth-errors)."""
        return self.status == 403 and self.code == PERMISSION_DENIED

    @property
    def non_premium(self) -> bool:
        """The tenant lacks Entra ID P1/P2, which `signInActivity` needs
        (https://learn.microsoft.com/graph/api/resources/signinactivity): unavailable, not failed."""
        # Privileged Identity Management's APIs answer 400 AadPremiumLicenseRequired "The tenant needs an
        # AAD Premium 2 license." without Entra ID P2 (learn.microsoft.com/entra/id-governance/
        # privileged-identity-management/subscription-requirements).
        if self.status == 400 and self.code == "AadPremiumLicenseRequired":
            return True
        return self.status == 403 and self.code == "Authentication_RequestFromNonPremiumTenantOrB2CTenant"

    @property
    def page_size_refused(self) -> bool:
        """Graph refused the page size asked for: "Cannot query data for more than 120 users at a time."
        (signInActivity before July 2025; https://learn.microsoft.com/graph/api/user-list)."""
        return self.status == 400 and "Cannot query data for more than" in str(self)


class MalformedResponseError(GraphError):
    """A 2xx whose body is not what the endpoint promises (HTML error page, cut-off JSON, wrong shape)."""

    def __init__(self, reason: str, url: str = "") -> None:
        super().__init__(200, "malformedResponse", reason, url)


def error_from_body(status: int, body: bytes, url: str) -> GraphError:
    """Graph's `{"error":{"code","message"}}`; the message is kept short and the raw body dropped."""
    code, message = "unknown", ""
    try:
        error: Any = json.loads(body).get("error", {})
        code = str(error.get("code") or code)
        message = str(error.get("message") or "")[:200]
    except (ValueError, AttributeError):
        message = "non-JSON error body"
    return GraphError(status, code, message, url)
