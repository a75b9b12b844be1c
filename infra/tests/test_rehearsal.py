"""A deployment rehearsal without Azure, on the template's dependency graph (infra/constraints).

1. Ordering: a resource that acts with an identity while it is being created (storage wrapping its
   key with the customer-managed key, Application Gateway reading its certificate, Azure Backup
   configuring protection) fails if that identity's role assignments do not exist yet; ARM must
   finish every such role assignment before it starts the resource.
2. Start-up: the app settings the template gives the Function App, with each Key Vault reference
   resolved only when the template creates the secret (the platform leaves it unresolved otherwise),
   pass the app's own start-up validation (shared/settings.py, as in Azure), and every MFA key the
   app reads from the secret store exists.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import INFRA_DIR
from constraints.rules import (
    SAMPLE_KEY,
    SAMPLE_MAIN_PARAMETERS,
    app_settings,
    created_secret_names,
    key_vault_reference,
)
from constraints.template import UNKNOWN_TEXT, Deployment, Node, Ref

from shared.settings import Settings, SettingsError, load_settings

BEFORE = Path(__file__).parent / "fixtures" / "before-issue-19"


def deployment_of(infra_dir: Path) -> Deployment:
    return Deployment(infra_dir, SAMPLE_MAIN_PARAMETERS)


def _refs(value: Any) -> list[Ref]:
    if isinstance(value, Ref):
        return [value]
    if isinstance(value, dict):
        return [ref for key, item in value.items() for ref in _refs(key) + _refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _refs(item)]
    return []


def identities_used_at_creation(deployment: Deployment, node: Node) -> set[Node]:
    """Identities a resource uses while ARM creates it."""
    kind = deployment.type_of(node)
    found: set[Node] = set()
    for body in deployment.bodies(node):
        properties = body.get("properties", {})
        if kind == "Microsoft.Storage/storageAccounts":
            found |= {ref.node for ref in _refs(properties.get("encryption", {}).get("identity"))}
        elif kind == "Microsoft.Network/applicationGateways" and properties.get("sslCertificates"):
            found |= {
                ref.node for ref in _refs(list(body.get("identity", {}).get("userAssignedIdentities", {})))
            }
        elif kind == "Microsoft.DataProtection/backupVaults/backupInstances":
            found |= {ref.node for ref in _refs(body.get("parent"))}
    return found


def ordering_problems(deployment: Deployment) -> list[str]:
    grants: dict[Node, list[Node]] = {}
    for assignment in deployment.resources("Microsoft.Authorization/roleAssignments"):
        for ref in _refs(deployment.bodies(assignment)[0]["properties"].get("principalId")):
            grants.setdefault(ref.node, []).append(assignment)
    problems = []
    for node in deployment.resources():
        for identity in identities_used_at_creation(deployment, node):
            if not grants.get(identity):
                problems.append(f"{node} uses {identity} at creation, which is granted no role")
            problems += [
                f"{node} may start before {grant} grants {identity} its role"
                for grant in grants.get(identity, [])
                if not deployment.happens_before(grant, node)
            ]
    return problems


def startup_environment(deployment: Deployment) -> dict[str, str]:
    created = created_secret_names(deployment)
    environment = {
        "WEBSITE_INSTANCE_ID": "rehearsal",
        "WEBSITE_SITE_NAME": "rehearsal",
    }  # set by the platform
    for name, value in app_settings(deployment).items():
        secret = key_vault_reference(value)
        if secret is None and isinstance(value, str):
            environment[name] = value.replace(UNKNOWN_TEXT, "x")
        elif secret in created:
            environment[name] = SAMPLE_KEY
    return environment


def start_up(deployment: Deployment) -> Settings:
    settings = load_settings(startup_environment(deployment))
    missing = set(settings.mfa_key_ids) - created_secret_names(deployment)
    assert not missing, f"MFA keys read at start-up but never created: {sorted(missing)}"
    return settings


@pytest.fixture()
def before_copy(tmp_path: Path) -> Path:
    for source in BEFORE.rglob("*.before"):
        target = tmp_path / source.relative_to(BEFORE).with_suffix("")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return tmp_path


def test_every_create_time_identity_is_granted_its_roles_first() -> None:
    deployment = deployment_of(INFRA_DIR)
    consumers = [node for node in deployment.resources() if identities_used_at_creation(deployment, node)]
    assert {deployment.type_of(node) for node in consumers} == {
        "Microsoft.Storage/storageAccounts",
        "Microsoft.Network/applicationGateways",
        "Microsoft.DataProtection/backupVaults/backupInstances",
    }
    assert ordering_problems(deployment) == []


def test_the_ordering_rehearsal_bites_when_the_gateway_no_longer_waits_for_its_grant(
    infra_copy: Path, mutate: Callable[[Path, str, str], None]
) -> None:
    mutate(infra_copy / "main.bicep", "  dependsOn: [\n    certificateAccess\n  ]\n", "")
    (problem,) = ordering_problems(deployment_of(infra_copy))
    assert problem.startswith("Node(instance='gateway', symbol='gateway') may start before")
    assert "Node(instance='certificateAccess', symbol='secretAccess')" in problem


def test_the_function_app_starts_with_the_settings_the_template_gives_it() -> None:
    settings = start_up(deployment_of(INFRA_DIR))
    assert settings.environment == "production"
    assert settings.secret_store == "keyvault"  # noqa: S105 - a kind, not a secret
    assert settings.oidc_issuer == SAMPLE_MAIN_PARAMETERS["oidcIssuer"]
    assert settings.cors_origins == (SAMPLE_MAIN_PARAMETERS["spaOrigins"],)


def test_the_template_before_the_fix_could_not_start_the_app(before_copy: Path) -> None:
    with pytest.raises(SettingsError, match="PAGE_TOKEN_KEY"):
        start_up(deployment_of(before_copy))
