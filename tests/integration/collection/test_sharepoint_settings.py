"""SharePoint's tenant settings collected through msgraph-sdk from the simulator over HTTP: the planted
sharing settings arrive as one record, and an app without SharePointTenantSettings.Read.All is refused as
Graph refuses it, so its checks say *permission not granted*."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dev import collect
from dev.graph_sim import AppRegistration, RunningSimulator, SimulatorConfig, start_simulator
from dev.graph_sim.permissions import ALL_NEEDED
from dev.graph_sim.sharepoint import sharepoint_settings
from dev.tenant.policies import TYPICAL
from shared.collection.run import permission_missing
from tests.integration.collection.conftest import AS_OF, CLIENT_ID, SECRET_ENV, cli_args, manifest, rows
from tests.integration.collection.test_policy_datasets import refused

PERMISSION = "SharePointTenantSettings.Read.All"
WITHOUT = "no-sharepoint"
# Every property of sharepointSettings in v1.0 (learn.microsoft.com/graph/api/resources/sharepointsettings).
DOCUMENTED = {
    "allowedDomainGuidsForSyncApp",
    "availableManagedPathsForSiteCreation",
    "deletedUserPersonalSiteRetentionPeriodInDays",
    "excludedFileExtensionsForSyncApp",
    "idleSessionSignOut",
    "imageTaggingOption",
    "isCommentingOnSitePagesEnabled",
    "isFileActivityNotificationEnabled",
    "isLegacyAuthProtocolsEnabled",
    "isLoopEnabled",
    "isMacSyncAppEnabled",
    "isRequireAcceptingUserToMatchInvitedUserEnabled",
    "isResharingByExternalUsersEnabled",
    "isSharePointMobileNotificationEnabled",
    "isSharePointNewsfeedEnabled",
    "isSiteCreationEnabled",
    "isSiteCreationUIEnabled",
    "isSitePagesCreationEnabled",
    "isSitesStorageLimitAutomatic",
    "isSyncButtonHiddenOnPersonalSite",
    "isUnmanagedSyncAppForTenantRestricted",
    "personalSiteDefaultStorageLimitInMB",
    "sharingAllowedDomainList",
    "sharingBlockedDomainList",
    "sharingCapability",
    "sharingDomainRestrictionMode",
    "siteCreationDefaultManagedPath",
    "siteCreationDefaultStorageLimitInMB",
    "tenantDefaultTimezone",
}


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    without = AppRegistration(client_id=WITHOUT, client_secret="right", permissions=ALL_NEEDED - {PERMISSION})
    config = SimulatorConfig(accounts=40, seed=6, as_of=AS_OF, client_secret="s3cret", apps=(without,))
    with start_simulator(config) as running:
        yield running


def test_the_planted_sharing_settings_are_collected_as_one_record(
    sim: RunningSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "s3cret")
    assert collect.main(cli_args(sim, tmp_path)) == 0
    entry = next(e for e in manifest(tmp_path).datasets if e.dataset == "sharepoint_settings")
    assert (entry.status, entry.rows) == ("complete", 1)
    sharing = TYPICAL.sharing
    assert rows(tmp_path, "sharepoint_settings") == [
        {
            "sharing_capability": sharing.capability,
            "sharing_domain_restriction_mode": sharing.domain_mode,
            "sharing_allowed_domains": len(sharing.allowed_domains),
            "is_resharing_by_external_users_enabled": sharing.guests_reshare,
            "is_require_accepting_user_to_match_invited_user_enabled": sharing.invited_account_only,
            "is_legacy_auth_protocols_enabled": sharing.legacy_auth,
            "is_unmanaged_sync_app_for_tenant_restricted": sharing.sync_domain_joined_only,
            "sync_allowed_domains": 1 if sharing.sync_domain_joined_only else 0,
            "idle_session_sign_out_enabled": True,
            "idle_session_sign_out_after_seconds": sharing.idle_sign_out_seconds,
        }
    ]


def test_without_the_permission_the_dataset_fails_as_permission_missing(
    sim: RunningSimulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, "right")
    args = [WITHOUT if arg == CLIENT_ID else arg for arg in cli_args(sim, tmp_path)]
    collect.main(args)
    entries = {e.dataset: e for e in manifest(tmp_path).datasets}
    refused = entries["sharepoint_settings"]
    assert refused.status == "failed"
    assert permission_missing(refused.error)
    assert entries["domains"].status == "complete"  # only this dataset is refused


def test_the_simulator_serves_the_documented_entity_and_refuses_as_graph_does(sim: RunningSimulator) -> None:
    body = sharepoint_settings(TYPICAL, "")
    assert set(body) - {"@odata.context", "@odata.type"} == DOCUMENTED
    assert set(body["idleSessionSignOut"]) == {"isEnabled", "warnAfterInSeconds", "signOutAfterInSeconds"}
    assert refused(sim, WITHOUT, "/admin/sharepoint/settings")
