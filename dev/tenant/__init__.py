"""Synthetic M365 tenant: deterministic from (seed, size), generated per account index on demand."""

from dev.tenant.account import Account, Mfa
from dev.tenant.activity import Activity, Profile, SignIn, Workload
from dev.tenant.licences import Licence
from dev.tenant.reports import Report
from dev.tenant.spec import TenantSpec
from dev.tenant.tenant import Seats, SecureScoreDay, Tenant
from dev.tenant.truth import GroundTruth

__all__ = [
    "Account",
    "Activity",
    "GroundTruth",
    "Licence",
    "Mfa",
    "Profile",
    "Report",
    "Seats",
    "SecureScoreDay",
    "SignIn",
    "Tenant",
    "TenantSpec",
    "Workload",
]
