"""Privileged Entra ID directory roles, by role template id: one list for collection, insights and the
synthetic tenant. The highly privileged set is ScubaGear's (product_anchors.md (b), MS.AAD.7.2v1);
Security Administrator and Global Reader are collected too because admins hold them."""

from __future__ import annotations

GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"

HIGHLY_PRIVILEGED_ROLES: dict[str, str] = {
    GLOBAL_ADMINISTRATOR: "Global Administrator",
    "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
    "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
    "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
    "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2": "Hybrid Identity Administrator",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
    "158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
}

# Every role the role_assignments dataset covers, with its display name.
PRIVILEGED_ROLES: dict[str, str] = {
    **HIGHLY_PRIVILEGED_ROLES,
    "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
}
