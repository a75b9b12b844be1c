"""`GET /admin/sharepoint/settings` (learn.microsoft.com/graph/api/sharepointsettings-get): the tenant's
SharePoint and OneDrive settings in the v1.0 shape of resources/sharepointsettings, with the planted sharing
and session settings (`dev.tenant.policies`) and Microsoft's defaults for the rest. Served as the entity
itself: the reference's sample wraps it in "value", which the collector also reads."""

from __future__ import annotations

from typing import Any

from dev.tenant.policies import PlantedPolicies

JsonObject = dict[str, Any]
WARN_BEFORE_SECONDS = 300


def sharepoint_settings(planted: PlantedPolicies, context: str) -> JsonObject:
    sharing = planted.sharing
    idle = sharing.idle_sign_out_seconds
    return {
        "@odata.context": context,
        "@odata.type": "#microsoft.graph.sharepointSettings",
        "allowedDomainGuidsForSyncApp": (
            ["6e0a1b2c-0000-4000-a000-00000000d001"] if sharing.sync_domain_joined_only else []
        ),
        "availableManagedPathsForSiteCreation": ["/sites/", "/teams/"],
        "deletedUserPersonalSiteRetentionPeriodInDays": 30,
        "excludedFileExtensionsForSyncApp": [],
        "idleSessionSignOut": {
            "isEnabled": idle is not None,
            "warnAfterInSeconds": max((idle or 0) - WARN_BEFORE_SECONDS, 0),
            "signOutAfterInSeconds": idle or 0,
        },
        "imageTaggingOption": "basic",
        "isCommentingOnSitePagesEnabled": True,
        "isFileActivityNotificationEnabled": True,
        "isLegacyAuthProtocolsEnabled": sharing.legacy_auth,
        "isLoopEnabled": True,
        "isMacSyncAppEnabled": True,
        "isRequireAcceptingUserToMatchInvitedUserEnabled": sharing.invited_account_only,
        "isResharingByExternalUsersEnabled": sharing.guests_reshare,
        "isSharePointMobileNotificationEnabled": True,
        "isSharePointNewsfeedEnabled": True,
        "isSiteCreationEnabled": True,
        "isSiteCreationUIEnabled": True,
        "isSitePagesCreationEnabled": True,
        "isSitesStorageLimitAutomatic": True,
        "isSyncButtonHiddenOnPersonalSite": False,
        "isUnmanagedSyncAppForTenantRestricted": sharing.sync_domain_joined_only,
        "personalSiteDefaultStorageLimitInMB": 1_048_576,
        "sharingAllowedDomainList": list(sharing.allowed_domains),
        "sharingBlockedDomainList": ["competitor.example"] if sharing.domain_mode == "blockList" else [],
        "sharingCapability": sharing.capability,
        "sharingDomainRestrictionMode": sharing.domain_mode,
        "siteCreationDefaultManagedPath": "/sites/",
        "siteCreationDefaultStorageLimitInMB": 26_214_400,
        "tenantDefaultTimezone": "(UTC) Coordinated Universal Time",
    }
