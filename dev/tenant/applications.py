"""The app registrations a synthetic tenant is planted with, their credentials, and the Microsoft Graph
application permissions granted to their service principals.

Days are offsets from the tenant's `as_of` (negative: in the past). `TYPICAL` has what a real tenant
accumulates (a two-year client secret, one about to expire, an expired one, a sync tool holding
Directory.ReadWrite.All); `HARDENED` authenticates with certificates only and grants read permissions only.
"""

from __future__ import annotations

from dataclasses import dataclass

# Microsoft Graph application permissions (app role ids, the same in every tenant:
# learn.microsoft.com/graph/permissions-reference).
DIRECTORY_READ_WRITE_ALL = "19dbc75e-c2e2-444c-a770-ec69d8559fc7"
USER_READ_ALL = "df021288-bdef-4463-88db-98f22de89214"
POLICY_READ_ALL = "246dd0d5-5bd0-4def-940b-0421030a5b68"


@dataclass(frozen=True, slots=True)
class Credential:
    start: int  # days from as_of
    end: int


@dataclass(frozen=True, slots=True)
class PlantedApp:
    number: int  # makes its ids
    name: str
    secrets: tuple[Credential, ...] = ()
    certificates: tuple[Credential, ...] = ()
    graph_permissions: tuple[str, ...] = ()  # app role ids granted to its service principal

    @property
    def object_id(self) -> str:
        return f"a9900000-0000-4000-a000-{self.number:012d}"

    @property
    def app_id(self) -> str:
        return f"a9910000-0000-4000-a000-{self.number:012d}"

    @property
    def service_principal_id(self) -> str:
        return f"a9920000-0000-4000-a000-{self.number:012d}"


TYPICAL: tuple[PlantedApp, ...] = (
    PlantedApp(1, "Payroll connector", secrets=(Credential(-400, 330),), graph_permissions=(USER_READ_ALL,)),
    PlantedApp(2, "Backup service", secrets=(Credential(-160, 20),)),  # 180 days, expires in 20
    PlantedApp(3, "Legacy report script", secrets=(Credential(-800, -70),)),  # expired: no longer works
    PlantedApp(
        4,
        "Directory sync tool",
        certificates=(Credential(-30, 335),),
        graph_permissions=(DIRECTORY_READ_WRITE_ALL, USER_READ_ALL),
    ),
    PlantedApp(5, "Insight365", certificates=(Credential(-10, 355),), graph_permissions=(POLICY_READ_ALL,)),
)
HARDENED: tuple[PlantedApp, ...] = (
    PlantedApp(
        1, "Payroll connector", certificates=(Credential(-100, 265),), graph_permissions=(USER_READ_ALL,)
    ),
    PlantedApp(3, "Legacy report script", secrets=(Credential(-800, -70),)),  # expired secrets are harmless
    PlantedApp(
        4, "Directory sync tool", certificates=(Credential(-30, 335),), graph_permissions=(USER_READ_ALL,)
    ),
    PlantedApp(5, "Insight365", certificates=(Credential(-10, 355),), graph_permissions=(POLICY_READ_ALL,)),
)
