"""Synthetic M365 tenant: deterministic from (seed, size), generated per account index on demand."""

from dev.tenant.account import Account, Mfa
from dev.tenant.activity import Activity, Profile, SignIn, Workload
from dev.tenant.licences import Licence
from dev.tenant.reports import Report
from dev.tenant.spec import TenantSpec
from dev.tenant.subscriptions import CompanySubscription, Seats, Status
from dev.tenant.tenant import SecureScoreDay, Tenant
from dev.tenant.truth import GroundTruth, SeatTruth

__all__ = [
    "Account",
    "Activity",
    "CompanySubscription",
    "GroundTruth",
    "Licence",
    "Mfa",
    "Profile",
    "Report",
    "SeatTruth",
    "Seats",
    "SecureScoreDay",
    "SignIn",
    "Status",
    "Tenant",
    "TenantSpec",
    "Workload",
]
