"""Every assurance check, in the order they are published. Adding a check: one declaration in a module
here, its line below, its README row and the simulator's data."""

from __future__ import annotations

from shared.insights.assurance import Check
from shared.insights.checks.accounts import STALE_ENABLED_ACCOUNTS, STALE_GUESTS
from shared.insights.checks.applications import APPLICATION_CHECKS
from shared.insights.checks.conditional_access import (
    BREAK_GLASS_EXCLUDED,
    HIGH_RISK_SIGN_INS_BLOCKED,
    HIGH_RISK_USERS_BLOCKED,
    LEGACY_AUTH_BLOCKED,
    MANAGED_DEVICE_REQUIRED,
    MANAGED_DEVICE_TO_REGISTER_MFA,
    MFA_REQUIRED_FOR_ALL,
    PHISHING_RESISTANT_MFA_FOR_ADMINS,
    PHISHING_RESISTANT_MFA_FOR_ALL,
)
from shared.insights.checks.domains import PASSWORDS_NEVER_EXPIRE
from shared.insights.checks.guests import GUEST_CHECKS
from shared.insights.checks.methods import METHOD_CHECKS
from shared.insights.checks.mfa import ADMINS_WITHOUT_MFA, LICENSED_WITHOUT_MFA, MFA_REGISTRATION_COVERAGE
from shared.insights.checks.pim import GLOBAL_ADMIN_ACTIVATION_APPROVAL, PERMANENT_PRIVILEGED_ASSIGNMENTS
from shared.insights.checks.privileged import (
    DISABLED_ROLE_HOLDERS,
    GLOBAL_ADMIN_COUNT,
    GLOBAL_ADMIN_RATIO,
    INACTIVE_LICENSED_ADMINS,
    SYNCED_ADMINS,
)
from shared.insights.checks.score import SECURE_SCORE
from shared.insights.checks.sharepoint import SHAREPOINT_CHECKS
from shared.insights.checks.user_settings import USER_SETTING_CHECKS
from shared.insights.checks.workload_identities import WORKLOAD_IDENTITY_CHECKS

CHECKS: tuple[Check, ...] = (
    MFA_REGISTRATION_COVERAGE,
    ADMINS_WITHOUT_MFA,
    GLOBAL_ADMIN_COUNT,
    GLOBAL_ADMIN_RATIO,
    SYNCED_ADMINS,
    LEGACY_AUTH_BLOCKED,
    MFA_REQUIRED_FOR_ALL,
    STALE_ENABLED_ACCOUNTS,
    STALE_GUESTS,
    INACTIVE_LICENSED_ADMINS,
    LICENSED_WITHOUT_MFA,
    SECURE_SCORE,
    DISABLED_ROLE_HOLDERS,
    *APPLICATION_CHECKS,
    *GUEST_CHECKS,
    *USER_SETTING_CHECKS,
    *METHOD_CHECKS,
    PHISHING_RESISTANT_MFA_FOR_ALL,
    PHISHING_RESISTANT_MFA_FOR_ADMINS,
    HIGH_RISK_USERS_BLOCKED,
    HIGH_RISK_SIGN_INS_BLOCKED,
    BREAK_GLASS_EXCLUDED,
    MANAGED_DEVICE_REQUIRED,
    MANAGED_DEVICE_TO_REGISTER_MFA,
    PASSWORDS_NEVER_EXPIRE,
    *WORKLOAD_IDENTITY_CHECKS,
    PERMANENT_PRIVILEGED_ASSIGNMENTS,
    GLOBAL_ADMIN_ACTIVATION_APPROVAL,
    *SHAREPOINT_CHECKS,
)
CHECKS_BY_ID = {check.info.id: check for check in CHECKS}

__all__ = ["CHECKS", "CHECKS_BY_ID"]
