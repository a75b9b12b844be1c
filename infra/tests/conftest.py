"""Shared fixtures: the parsed Bicep, and checkov run in-process with the custom checks loaded.

checkov's registries are process-global, so the custom checks are loaded exactly once per session;
loading them twice would register every check twice.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from checkov.bicep.checks.param.registry import registry as param_registry
from checkov.bicep.checks.resource.registry import registry as resource_registry
from checkov.bicep.runner import Runner
from checkov.runner_filter import RunnerFilter
from pycep import BicepParser

INFRA_DIR = Path(__file__).resolve().parents[1]
CHECKS_DIR = INFRA_DIR / "checks"
CHECKOV_CONFIG = INFRA_DIR / ".checkov.yaml"


@dataclass(frozen=True)
class ScanResult:
    passed: list[tuple[str, str]]  # (check id, resource)
    failed: list[tuple[str, str]]
    parsing_errors: list[str]

    @property
    def failed_ids(self) -> set[str]:
        return {check_id for check_id, _ in self.failed}

    @property
    def passed_ids(self) -> set[str]:
        return {check_id for check_id, _ in self.passed}


def skipped_checks() -> list[str]:
    config = yaml.safe_load(CHECKOV_CONFIG.read_text())
    return list(config.get("skip-check", []))


_checks_loaded = False


def _load_custom_checks() -> None:
    global _checks_loaded  # noqa: PLW0603 - checkov's registries are process-global too
    if _checks_loaded:
        return
    resource_registry.load_external_checks(str(CHECKS_DIR))
    param_registry.load_external_checks(str(CHECKS_DIR))
    _checks_loaded = True


def scan(target: Path) -> ScanResult:
    """Run checkov's Bicep runner (built-in + custom checks, repository skip list) on a file or folder."""
    _load_custom_checks()
    runner_filter = RunnerFilter(framework=["bicep"], skip_checks=skipped_checks())
    if target.is_dir():
        report = Runner().run(root_folder=str(target), runner_filter=runner_filter)
    else:
        report = Runner().run(root_folder=None, files=[str(target)], runner_filter=runner_filter)
    assert not isinstance(report, list)
    return ScanResult(
        passed=[(record.check_id, record.resource) for record in report.passed_checks],
        failed=[(record.check_id, record.resource) for record in report.failed_checks],
        parsing_errors=list(report.parsing_errors),
    )


@pytest.fixture(scope="session")
def bicep_files() -> list[Path]:
    return sorted(INFRA_DIR.rglob("*.bicep"))


@pytest.fixture(scope="session")
def parsed(bicep_files: list[Path]) -> dict[str, dict[str, Any]]:
    """Every Bicep file parsed by pycep, keyed by its path relative to infra/ (e.g. modules/storage.bicep)."""
    parser = BicepParser()
    return {str(path.relative_to(INFRA_DIR)): parser.parse(text=path.read_text()) for path in bicep_files}


@pytest.fixture()
def infra_copy(tmp_path: Path) -> Iterator[Path]:
    """A throw-away copy of infra/ (Bicep, parameters, checks) to mutate."""
    copy = tmp_path / "infra"
    shutil.copytree(INFRA_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    yield copy


@pytest.fixture()
def mutate() -> Callable[[Path, str, str], None]:
    def _mutate(path: Path, old: str, new: str) -> None:
        text = path.read_text()
        assert text.count(old) == 1, (
            f"{old!r} must occur exactly once in {path.name} (found {text.count(old)})"
        )
        path.write_text(text.replace(old, new))

    return _mutate
