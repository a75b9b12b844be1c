"""The tables' backup across the template and the code: the container the app writes is the one the
template makes immutable and the vault protects, for as long as the code keeps its deletion journal, and
the app's identity cannot touch the vault's copy.

Sources: https://learn.microsoft.com/azure/backup/blob-backup-configure-manage (vaulted backup protects
the containers listed in the backup instance), https://learn.microsoft.com/azure/backup/backup-rbac-rs-vault
(only principals with a role on the vault can delete its backups).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from constraints.rules import Constraint, _site
from constraints.template import Deployment, Ref

_MANIFEST = Path("shared") / "backup" / "manifest.py"


def _python_constants(repository: Path) -> dict[str, Any]:
    """BACKUP_CONTAINER and BACKUP_RETENTION's days, read from the code without importing it."""
    found: dict[str, Any] = {}
    for node in ast.parse((repository / _MANIFEST).read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
            if name == "BACKUP_CONTAINER" and isinstance(value, ast.Constant):
                found[name] = value.value
            if name == "BACKUP_RETENTION" and isinstance(value, ast.Call) and value.keywords:
                found[name] = ast.literal_eval(value.keywords[0].value)
    return found


def _backup_containers(deployment: Deployment) -> list[dict[str, Any]]:
    return [
        body
        for node in deployment.resources("Microsoft.Storage/storageAccounts/blobServices/containers")
        for body in deployment.bodies(node)
        if body.get("properties", {}).get("immutableStorageWithVersioning", {}).get("enabled") is True
    ]


def container_matches_the_code(deployment: Deployment, repository: Path) -> list[str]:
    code = _python_constants(repository)
    names = [body["name"] for body in _backup_containers(deployment)]
    if names != [code.get("BACKUP_CONTAINER")]:
        return [
            f"immutable containers {names}; the code writes its backups to {code.get('BACKUP_CONTAINER')!r}"
        ]
    days = [
        body["properties"]["immutabilityPeriodSinceCreationInDays"]
        for node in deployment.resources(
            "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies"
        )
        for body in deployment.bodies(node)
    ]
    if days != [code.get("BACKUP_RETENTION")]:
        return [f"backups are immutable for {days} days; the journal is kept {code.get('BACKUP_RETENTION')}"]
    return []


def vault_protects_the_container(deployment: Deployment, repository: Path) -> list[str]:
    wanted = _python_constants(repository).get("BACKUP_CONTAINER")
    protected = [
        container
        for node in deployment.resources("Microsoft.DataProtection/backupVaults/backupInstances")
        for body in deployment.bodies(node)
        for parameters in body["properties"]["policyInfo"]
        .get("policyParameters", {})
        .get("backupDatasourceParametersList", [])
        for container in parameters.get("containersList", [])
    ]
    return [] if wanted in protected else [f"no vaulted backup instance lists the container {wanted!r}"]


def app_has_no_role_on_the_vault(deployment: Deployment, repository: Path) -> list[str]:
    """Every role of the app's identity is scoped to one resource that is not a Backup vault: a role on
    the resource group or the subscription would reach the vault too."""
    site, _ = _site(deployment)
    problems = []
    for node in deployment.resources("Microsoft.Authorization/roleAssignments"):
        for body in deployment.bodies(node):
            principal = body["properties"].get("principalId")
            if not (isinstance(principal, Ref) and principal.node == site):
                continue
            scope = body.get("scope")
            if not isinstance(scope, Ref):
                problems.append(f"{node.symbol}: the app's identity holds a role on the whole resource group")
            elif deployment.type_of(scope.node).startswith("Microsoft.DataProtection/backupVaults"):
                problems.append(f"{node.symbol}: the app's identity holds a role on the Backup vault")
    return problems


BACKUP_CONSTRAINTS = [
    Constraint(
        "I365-BK-1",
        "the immutable backup container is the one the code writes, immutable as long as the journal is kept",
        "https://learn.microsoft.com/azure/storage/blobs/immutable-version-level-worm-policies",
        container_matches_the_code,
    ),
    Constraint(
        "I365-BK-2",
        "the Backup vault's vaulted backup protects the backup container",
        "https://learn.microsoft.com/azure/backup/blob-backup-configure-manage",
        vault_protects_the_container,
    ),
    Constraint(
        "I365-BK-3",
        "the app's identity holds no role on the Backup vault (it cannot delete the vaulted copy)",
        "https://learn.microsoft.com/azure/backup/backup-rbac-rs-vault",
        app_has_no_role_on_the_vault,
    ),
]
