"""Authentication methods policy checks (checks/methods.py) on hand-made policies."""

from __future__ import annotations

import pytest

from tests.unit.insights.checks_support import verdict
from tests.unit.insights.policy_builder import feature, methods_policy, policy_state

STRONG = {"Fido2": "enabled", "MicrosoftAuthenticator": "enabled"}


def status(check: str, **policy: object) -> str:
    return verdict(check, policy_state(methods_policy=methods_policy(**policy))).result.status  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("migrationComplete", "pass"),
        ("migrationInProgress", "fail"),
        ("preMigration", "fail"),
        (None, "fail"),
    ],
)
def test_migration_complete(state: str | None, expected: str) -> None:
    assert status("auth-methods-migration-complete", policy_migration_state=state) == expected


@pytest.mark.parametrize(
    ("weak", "expected"),
    [
        ({}, "pass"),  # a method absent from the policy is not offered
        ({"Sms": "disabled", "Voice": "disabled", "Email": "disabled"}, "pass"),
        ({"Sms": "enabled"}, "fail"),
        ({"Voice": "enabled"}, "fail"),
        ({"Email": "enabled"}, "fail"),
    ],
)
def test_weak_methods_disabled(weak: dict[str, str], expected: str) -> None:
    result = verdict("weak-methods-disabled", policy_state(methods_policy=methods_policy({**STRONG, **weak})))
    assert result.result.status == expected
    on = ";".join(m for m, s in weak.items() if s == "enabled")
    assert result.result.evidence["enabled_weak_methods"] == on


@pytest.mark.parametrize(("voice", "expected"), [("disabled", "pass"), ("enabled", "fail")])
def test_voice_call_disabled(voice: str, expected: str) -> None:
    assert status("voice-call-disabled", states={**STRONG, "Voice": voice}) == expected


@pytest.mark.parametrize(
    ("check", "method"), [("authenticator-enabled", "MicrosoftAuthenticator"), ("fido2-enabled", "Fido2")]
)
@pytest.mark.parametrize(("state", "expected"), [("enabled", "pass"), ("disabled", "fail"), (None, "fail")])
def test_strong_method_enabled(check: str, method: str, state: str | None, expected: str) -> None:
    states = {m: s for m, s in STRONG.items() if m != method} | ({method: state} if state else {})
    assert status(check, states=states) == expected


def test_authenticator_enabled_for_some_groups_only_fails() -> None:
    assert status("authenticator-enabled", authenticator_target=False) == "fail"


@pytest.mark.parametrize(
    ("check", "name"),
    [
        ("authenticator-number-matching", "numberMatchingRequiredState"),
        ("authenticator-app-name", "displayAppInformationRequiredState"),
        ("authenticator-location", "displayLocationInformationRequiredState"),
    ],
)
@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        (feature(), "pass"),
        (feature("default"), "warn"),  # Microsoft-managed
        (feature("disabled"), "fail"),
        (feature("enabled", "3c1b7e2a-0000-4000-a000-00000000c001"), "fail"),  # one group only
    ],
)
def test_authenticator_features(check: str, name: str, shown: dict[str, str], expected: str) -> None:
    assert status(check, features={name: shown}) == expected


@pytest.mark.parametrize(
    ("check", "key"), [("fido2-attestation", "attestation"), ("fido2-key-restrictions", "key_restrictions")]
)
@pytest.mark.parametrize(("value", "expected"), [(True, "pass"), (False, "fail")])
def test_fido2_settings(check: str, key: str, value: bool, expected: str) -> None:
    assert status(check, fido2={key: value}) == expected


def test_fido2_settings_fail_when_fido2_is_missing() -> None:
    assert status("fido2-attestation", states={"MicrosoftAuthenticator": "enabled"}) == "fail"


@pytest.mark.parametrize(
    ("state", "target", "expected"),
    [
        ("enabled", "all_users", "pass"),
        ("default", "all_users", "warn"),
        ("enabled", "group-1", "fail"),
        ("disabled", "all_users", "fail"),
    ],
)
def test_report_suspicious_activity(state: str, target: str, expected: str) -> None:
    assert (
        status(
            "report-suspicious-activity",
            report_suspicious_activity_state=state,
            report_suspicious_activity_target=target,
        )
        == expected
    )
