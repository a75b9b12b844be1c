"""Customer e-mail through Azure Communication Services: UK data location, identity-only access, no
connection string or access key in the Function App's settings.

- Data location: Communication Services keeps a resource's data at rest in the geography chosen at
  creation (https://learn.microsoft.com/azure/communication-services/concepts/privacy#data-residency),
  and an e-mail domain links only to a Communication Service of the same data location
  (https://learn.microsoft.com/azure/communication-services/quickstarts/email/connect-email-communication-resource).
- Local authentication: `disableLocalAuth` refuses access keys and connection strings, leaving Entra ID
  (https://learn.microsoft.com/azure/templates/microsoft.communication/communicationservices).
"""

from __future__ import annotations

import json
from typing import Any

from checkov.arm.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from insight365_support import app_settings, get_path, result

UK_DATA_LOCATION = "UK"
# What a Communication Services key looks like in a setting: a connection string
# ("endpoint=https://…;accesskey=…") or a listKeys() call that would produce one.
KEY_MARKERS = ("accesskey=", "listkeys")


class CommunicationDataLocationUk(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: Communication Services and Email keep their data in the UK (dataLocation 'UK')",
            id="CKV_I365_23",
            categories=(CheckCategories.GENERAL_SECURITY,),
            supported_resources=(
                "Microsoft.Communication/communicationServices",
                "Microsoft.Communication/emailServices",
            ),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        location = get_path(conf, "properties.dataLocation")
        return CheckResult.PASSED if location == UK_DATA_LOCATION else CheckResult.FAILED


class CommunicationIdentityOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: the Communication Service accepts Entra ID only (disableLocalAuth)",
            id="CKV_I365_24",
            categories=(CheckCategories.IAM,),
            supported_resources=("Microsoft.Communication/communicationServices",),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return (
            CheckResult.PASSED
            if get_path(conf, "properties.disableLocalAuth") is True
            else CheckResult.FAILED
        )


def customer_email_problems(conf: dict[str, Any]) -> list[str]:
    settings = app_settings(conf)
    problems = []
    if settings.get("INSIGHT365_CUSTOMER_EMAIL_CHANNEL") != "acs":
        problems.append("INSIGHT365_CUSTOMER_EMAIL_CHANNEL is not 'acs'")
    for name in ("INSIGHT365_ACS_ENDPOINT", "INSIGHT365_ACS_SENDER"):
        if not settings.get(name):
            problems.append(f"{name} is missing")
    for name, value in settings.items():
        text = json.dumps(value, default=str).lower()
        if any(marker in text for marker in KEY_MARKERS):
            problems.append(f"{name} carries an access key or connection string")
    return problems


class FunctionAppMailsWithIdentity(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Insight365: the Function App mails customers through ACS with its identity, no key",
            id="CKV_I365_25",
            categories=(CheckCategories.IAM,),
            supported_resources=("Microsoft.Web/sites",),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if "functionapp" not in str(conf.get("kind", "")):
            return CheckResult.UNKNOWN
        return result(customer_email_problems(conf))


data_location_check = CommunicationDataLocationUk()
identity_only_check = CommunicationIdentityOnly()
function_app_mail_check = FunctionAppMailsWithIdentity()
