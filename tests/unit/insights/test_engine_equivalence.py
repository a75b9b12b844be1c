"""The restructured engine publishes what the engine before it did, on the ground-truth tenants.

`golden/before.json` was captured from the engine as committed before the rework (one pass with
counters, findings re-derived in `details.py`): a digest of every family payload and detail list, each
assurance check whole, and the findings per check. The rework may only add (new checks, new fields on a
check, the cause of a not_applicable); the intended differences are named in the assertions below.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from shared.insights.assurance import posture
from shared.insights.engine import ComputedRun
from shared.insights.models import CheckResult, Family
from shared.snapshot import Dataset
from tests.unit.insights.conftest import Build
from tests.unit.insights.snapshot_builder import SnapshotOptions

BEFORE = json.loads((Path(__file__).parent / "golden" / "before.json").read_text())
CASES: dict[str, tuple[int, int, SnapshotOptions | None, dict[str, Any]]] = {
    "seed1": (1, 1500, None, {}),
    "seed7": (7, 900, None, {"global_admins": 1, "legacy_auth_blocked": False, "mfa_required_for_all": True}),
    "seed23": (23, 1200, None, {"premium": False, "synced_ratio": 0.0}),
    "seed1-concealed": (1, 1500, SnapshotOptions(concealed=True), {}),
    "seed1-noreg": (1, 600, SnapshotOptions(failed={Dataset.REGISTRATION_DETAILS}), {}),
}
# Fields a check gained in the rework; `reason` of a not_applicable check now names its cause.
# Datasets the assurance family gained for its new checks (listed among its sources).
ADDED_DATASETS = {
    Dataset.AUTHORIZATION_POLICY.value,
    Dataset.ADMIN_CONSENT_REQUEST_POLICY.value,
    Dataset.AUTHENTICATION_METHODS_POLICY.value,
    Dataset.SUBSCRIBED_SKUS.value,  # the Entra ID P2 plan the risk-based Conditional Access checks need
    Dataset.DOMAINS.value,  # password expiry
    Dataset.APPLICATIONS.value,  # app credentials
    Dataset.GRAPH_PERMISSION_GRANTS.value,  # high-privilege app permissions
    Dataset.ROLE_ASSIGNMENT_SCHEDULE_INSTANCES.value,  # PIM: permanent privileged assignments
    Dataset.ROLE_ACTIVATION_POLICIES.value,  # PIM: approval to activate Global Administrator
    Dataset.SHAREPOINT_SETTINGS.value,  # SharePoint sharing and session settings
}
ADDED = {"not_applicable", "baselines", "rationale", "licence", "permissions", "graph"}
# Risk acceptance and changes since the previous run (issue 13, items 4 and 5) add these, and nothing else.
ADDED |= {"verdict", "accepted", "accepted_findings"}
ADDED_SUMMARY = {"checks", "posture", "changes"}
ADDED_FINDING_COLUMNS = {"subject_id", "status", "acceptance_id"}
# The savings ledger matches accounts by directory object id: the reclaimable list gained it, last.
ADDED_LIST_COLUMNS = {"user_id"}
# Copilot (issue 14): the runs here lack its reports, as every run before it did; utilisation then only
# gains its `copilot` section, the two datasets among its sources and their warnings.
COPILOT_DATASETS = {Dataset.COPILOT_USAGE_USER_DETAIL, Dataset.COPILOT_USER_COUNT_TREND}


def _without_copilot(utilisation: dict[str, Any]) -> dict[str, Any]:
    names = {d.value for d in COPILOT_DATASETS}
    rest = {k: v for k, v in utilisation.items() if k != "copilot"}
    rest["sources"] = [s for s in rest["sources"] if s["dataset"] not in names]
    rest["warnings"] = [w for w in rest["warnings"] if w["code"].split(":")[-1] not in names]
    return rest


# Right-sizing and the savings ledger (issue 14): utilisation gains its `rightsizing` moves and their
# warnings, and the runs gain the `rightsizing-recommendations` and `realised-savings` lists.
RIGHTSIZING_LISTS = {"rightsizing-recommendations", "realised-savings"}


def _without_rightsizing(utilisation: dict[str, Any]) -> dict[str, Any]:
    rest = {k: v for k, v in utilisation.items() if k not in ("rightsizing", "rightsizing_targets")}
    rest["warnings"] = [w for w in rest["warnings"] if not w["code"].startswith("rightsizing_")]
    return rest


def digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _after(run: ComputedRun, old_checks: set[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for family, payload in run.payloads.items():
        dumped = payload.model_dump(mode="json")
        if family is Family.ASSURANCE:
            rest = {k: v for k, v in dumped.items() if k not in ADDED_SUMMARY}
            rest["sources"] = [s for s in rest["sources"] if s["dataset"] not in ADDED_DATASETS]
            # An added dataset unavailable without Entra ID P2 warns `dataset_unavailable:<dataset>`.
            rest["warnings"] = [w for w in rest["warnings"] if w["code"].split(":")[-1] not in ADDED_DATASETS]
            entry["assurance.rest"] = digest(rest)
        elif family is Family.UTILISATION:
            entry[family.value] = digest(_without_rightsizing(_without_copilot(dumped)))
        else:
            entry[family.value] = digest(dumped)
    for list_id, rows in run.lists.items():
        if list_id == "assurance-changes":  # added: filled by the job against the previous run
            continue
        if list_id in RIGHTSIZING_LISTS:
            continue
        listed = [{k: v for k, v in row.items() if k not in ADDED_LIST_COLUMNS} for row in rows()]
        if list_id != "assurance-findings":
            entry[f"list.{list_id}"] = [len(listed), digest(listed)]
            continue
        by_check: dict[str, list[dict[str, Any]]] = {}
        for row in listed:
            if row["check_id"] in old_checks:
                old = {k: v for k, v in row.items() if k not in ADDED_FINDING_COLUMNS}
                by_check.setdefault(row["check_id"], []).append(old)
        entry["list.assurance-findings"] = {k: [len(v), digest(v)] for k, v in by_check.items()}
        entry["list.assurance-findings.order"] = list(by_check)
    return entry


@pytest.mark.parametrize("name", list(CASES))
def test_published_payloads_are_unchanged_but_for_named_additions(build: Build, name: str) -> None:
    seed, accounts, options, spec = CASES[name]
    before = BEFORE[name]
    options = replace(
        options or SnapshotOptions(), failed={*(options.failed if options else ()), *COPILOT_DATASETS}
    )
    run = build(seed, accounts, options, **spec).compute()
    old_checks = set(before["assurance.checks"])
    after = _after(run, old_checks)
    for key, value in after.items():
        assert value == before[key], key

    checks = {c.id: c for c in run.assurance.checks}
    for check_id, old in before["assurance.checks"].items():
        new = checks[check_id].model_dump(mode="json")
        assert set(new) - set(old) == ADDED
        for field, value in old.items():
            if field == "reason" and old["status"] == "not_applicable":
                assert new["not_applicable"] in ("not_licensed", "data_unreadable")
                continue
            assert new[field] == value, (check_id, field)
    # The posture over the old checks is the old posture; new checks only add to it.
    old_results = [CheckResult.model_validate(checks[c].model_dump()) for c in before["assurance.checks"]]
    now = posture(old_results).model_dump()
    # Named additions: the formula says how an accepted check scores, the counts have `accepted` (none here).
    assert now.pop("formula").startswith(before["assurance.posture"]["formula"])
    assert now["counts"].pop("accepted") == 0
    assert now == {k: v for k, v in before["assurance.posture"].items() if k != "formula"}
