"""Customer e-mail's whole-template constraint (I365-MS-13): passes today, and fails when the app's
identity loses its sending permissions or the domain's e-mail service moves to another geography."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import INFRA_DIR
from constraints.rules import CONSTRAINTS, run

REPOSITORY = INFRA_DIR.parent
EMAIL = [constraint for constraint in CONSTRAINTS if constraint.id == "I365-MS-13"]


def test_the_app_may_send_customer_email_today() -> None:
    assert run(INFRA_DIR, REPOSITORY, EMAIL) == {"I365-MS-13": []}


class Weakening(NamedTuple):
    file: str
    old: str
    new: str
    problem: str


WEAKENINGS = {
    "sending-permission-dropped": Weakening(
        "modules/rbac.bicep",
        "          'Microsoft.Communication/EmailServices/write'\n",
        "",
        "lacks ['microsoft.communication/emailservices/write']",
    ),
    "role-on-another-resource": Weakening(
        "modules/rbac.bicep", "  scope: communicationService\n", "  scope: vault\n", "lacks"
    ),
    "domain-in-another-geography": Weakening(
        "modules/email.bicep",
        "  properties: {\n    dataLocation: 'UK'\n  }\n}",
        "  properties: {\n    dataLocation: 'Europe'\n  }\n}",
        "stores data in 'Europe', not 'UK'",
    ),
}


@pytest.mark.parametrize("case", WEAKENINGS)
def test_the_constraint_bites(case: str, infra_copy: Path, mutate: Callable[[Path, str, str], None]) -> None:
    file, old, new, problem = WEAKENINGS[case]
    mutate(infra_copy / file, old, new)
    (found,) = run(infra_copy, REPOSITORY, EMAIL)["I365-MS-13"]
    assert problem in found
