"""The backup constraints (infra/constraints/backup.py): each passes on today's template and fails when
the guarantee it states is weakened in a copy of infra/ (or of the code it is checked against)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import INFRA_DIR
from constraints.backup import BACKUP_CONSTRAINTS
from constraints.rules import run

REPOSITORY = INFRA_DIR.parent
Mutate = Callable[[Path, str, str], None]


def test_every_backup_constraint_passes_today() -> None:
    results = run(INFRA_DIR, REPOSITORY, BACKUP_CONSTRAINTS)
    assert results == {constraint.id: [] for constraint in BACKUP_CONSTRAINTS}


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A repository whose infra/ and shared/backup/manifest.py are copies (the rest links back)."""
    root = tmp_path / "repository"
    shutil.copytree(INFRA_DIR, root / "infra", ignore=shutil.ignore_patterns("__pycache__", "tests"))
    for name in ("azure.yaml", "function_app.py", "functions"):
        (root / name).symlink_to(REPOSITORY / name)
    (root / "shared" / "backup").mkdir(parents=True)
    shutil.copyfile(REPOSITORY / "shared/backup/manifest.py", root / "shared/backup/manifest.py")
    shutil.copyfile(REPOSITORY / "shared/settings.py", root / "shared/settings.py")
    return root


class Weakening(NamedTuple):
    constraint_id: str
    file: str
    old: str
    new: str


WEAKENED = [
    Weakening("I365-BK-1", "infra/modules/storage.bicep", "name: 'table-backups'", "name: 'backups'"),
    Weakening(
        "I365-BK-1",
        "infra/modules/storage.bicep",
        "var tableBackupRetentionDays = 35",
        "var tableBackupRetentionDays = 7",
    ),
    Weakening("I365-BK-1", "shared/backup/manifest.py", "timedelta(days=35)", "timedelta(days=90)"),
    Weakening(
        "I365-BK-2",
        "infra/modules/backup.bicep",
        "              tableBackupContainerName\n",
        "              'app-package'\n",
    ),
    # The Application Insights role widened to the resource group, which holds the Backup vault.
    Weakening(
        "I365-BK-3",
        "infra/modules/rbac.bicep",
        "resource telemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {\n"
        "  name: guid(appInsights.id, appPrincipalId, roleIds.monitoringMetricsPublisher)\n"
        "  scope: appInsights\n",
        "resource telemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {\n"
        "  name: guid(appInsights.id, appPrincipalId, roleIds.monitoringMetricsPublisher)\n",
    ),
]


@pytest.mark.parametrize(
    "weakening", WEAKENED, ids=[f"{w.constraint_id}-{i}" for i, w in enumerate(WEAKENED)]
)
def test_a_weakened_guarantee_fails_its_constraint(
    weakening: Weakening, repository: Path, mutate: Mutate
) -> None:
    mutate(repository / weakening.file, weakening.old, weakening.new)
    results = run(repository / "infra", repository, BACKUP_CONSTRAINTS)
    assert results[weakening.constraint_id], f"{weakening.constraint_id} does not bite"
