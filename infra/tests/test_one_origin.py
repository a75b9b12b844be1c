"""I365-MS-12 bites: each mutated copy of today's gateway breaks "/api/* reaches only the Function App"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import INFRA_DIR
from constraints.rules import CONSTRAINTS, run

REPOSITORY = INFRA_DIR.parent
ONE_ORIGIN = [constraint for constraint in CONSTRAINTS if constraint.id == "I365-MS-12"]
API_PATH_RULE_POOL = """                paths: [
                  '/api/*'
                ]
                backendAddressPool: {
                  id: '${gatewayId}/backendAddressPools/function-app'"""
DEFAULT_POOL = "defaultBackendAddressPool: {\n            id: '${gatewayId}/backendAddressPools/web-app'"
MUTATIONS = {
    "api-to-the-web-app": (API_PATH_RULE_POOL, API_PATH_RULE_POOL.replace("function-app", "web-app")),
    "api-path-widened": (
        API_PATH_RULE_POOL,
        API_PATH_RULE_POOL.replace("'/api/*'", "'/api/*'\n                  '/*'"),
    ),
    "default-to-the-function-app": (DEFAULT_POOL, DEFAULT_POOL.replace("web-app", "function-app")),
}


def _mutated(tmp_path: Path, old: str, new: str) -> dict[str, list[str]]:
    infra = tmp_path / "infra"
    shutil.copytree(INFRA_DIR, infra, ignore=shutil.ignore_patterns("tests", "__pycache__"))
    gateway = infra / "modules" / "gateway.bicep"
    text = gateway.read_text()
    assert text.count(old) == 1, "the mutation no longer matches gateway.bicep"
    gateway.write_text(text.replace(old, new))
    return run(infra, REPOSITORY, ONE_ORIGIN)


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_one_origin_constraint_bites_on_a_mutated_gateway(mutation: str, tmp_path: Path) -> None:
    old, new = MUTATIONS[mutation]
    assert _mutated(tmp_path, old, new)["I365-MS-12"]


def test_one_origin_constraint_passes_today() -> None:
    assert run(INFRA_DIR, REPOSITORY, ONE_ORIGIN)["I365-MS-12"] == []
