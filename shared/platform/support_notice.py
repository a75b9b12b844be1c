"""Telling a customer that Insight365's support asked for access: one notification to the organisation's
active super admins (the only people who may decide), through the operations Notifier. The web app's
Support access screen shows the same request as waiting for a decision.

The message holds what the super admin reads before deciding (the reason, the hours, when the request
lapses) and the grant's id, never the operator's identity beyond their platform role.
"""

from __future__ import annotations

import logging

from shared.operations.notifications import Notification, NotificationError, build_notifier
from shared.platform.support import SupportGrant
from shared.services import Services
from shared.storage import TenantContext

logger = logging.getLogger("insight365.platform")


def _super_admin_emails(services: Services, tenant: TenantContext) -> tuple[str, ...]:
    members = services.org(tenant).members
    return tuple(
        sorted(
            member.email
            for member in members.iter_all()
            if member.role == "super_admin" and member.status == "active"
        )
    )


def _notification(grant: SupportGrant, recipients: tuple[str, ...]) -> Notification:
    hours = f"{grant.duration_hours} hour{'' if grant.duration_hours == 1 else 's'}"
    return Notification(
        subject="Insight365 support asks for read-only access to your organisation",
        body="\n".join(
            [
                "Insight365's support has asked for read-only access to your organisation's insights and "
                f"reports, for {hours} from your approval.",
                f"Reason: {grant.reason}",
                f"Request: {grant.grant_id}",
                f"It lapses unless a super admin decides by {grant.request_expires_at:%d %B %Y %H:%M} UTC.",
                "Nothing is granted until a super admin approves it: open Insight365, Support access, "
                "to approve or deny it.",
            ]
        ),
        severity="low",
        recipients=recipients,
    )


def notify_super_admins(services: Services, tenant: TenantContext, grant: SupportGrant) -> None:
    """Send the notice; a channel that refuses it is logged, not fatal (the request stands and the
    screen shows it)."""
    recipients = _super_admin_emails(services, tenant)
    if not recipients:
        return
    try:
        build_notifier(services.settings).send(_notification(grant, recipients))
    except NotificationError as error:
        logger.warning("support request %s: the notice was not sent: %s", grant.grant_id, error)
