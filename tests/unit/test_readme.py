"""The README is part of the contract: it lists every route and every setting the code has."""

import json
import re
from pathlib import Path

import function_app  # noqa: F401 - importing the app declares every endpoint
from shared.http.adapter import endpoints

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_two_commands_come_first() -> None:
    first_section = README.split("\n## ", 2)[1]
    assert first_section.startswith("Two commands")
    assert "make run" in first_section and "make test" in first_section


def test_every_route_is_in_the_readme_with_its_minimum_role() -> None:
    rows = dict(re.findall(r"^\| `([A-Z]+ /api/v1/[^`]+)` \| ([a-z_ ]+) \|", README, flags=re.MULTILINE))
    missing = []
    declared = [endpoint for endpoint in endpoints() if endpoint.path.startswith("v1/")]  # not tests' own
    assert len(declared) > 40
    for endpoint in declared:
        route = f"{endpoint.method} /api/{endpoint.path}"
        if route not in rows:
            missing.append(route)
        elif rows[route] != "per report":
            assert rows[route] == endpoint.access.value, route
    assert not missing, missing


def test_every_setting_is_in_the_readme() -> None:
    sample = json.loads((ROOT / "local.settings.sample.json").read_text())["Values"]
    assert [key for key in sample if f"`{key}`" not in README] == []
