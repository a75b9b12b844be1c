import json

import pytest

from shared.messages import ComputeInsights, InvalidMessageError, RefreshTenant, parse_message

ORG = "0123456789abcdef0123456789abcdef"


def test_a_valid_message_round_trips() -> None:
    message = RefreshTenant(org_id=ORG, run_id="daily-2026-11-23", as_of="2026-11-23", trigger="schedule")
    assert parse_message(message.model_dump_json(), RefreshTenant) == message


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        json.dumps({"type": "refresh-tenant"}),
        json.dumps(
            {
                "type": "refresh-tenant",
                "version": 2,
                "org_id": ORG,
                "run_id": "r",
                "as_of": "2026-11-23",
                "trigger": "schedule",
            }
        ),
        json.dumps(
            {
                "type": "refresh-tenant",
                "org_id": "../other",
                "run_id": "r",
                "as_of": "2026-11-23",
                "trigger": "schedule",
            }
        ),
        json.dumps(
            {
                "type": "refresh-tenant",
                "org_id": ORG,
                "run_id": "r",
                "as_of": "2026-11-23",
                "trigger": "schedule",
                "extra": 1,
            }
        ),
        json.dumps({"type": "unknown", "org_id": ORG}),
    ],
)
def test_poisoned_messages_are_refused_without_quoting_them(body) -> None:
    with pytest.raises(InvalidMessageError) as raised:
        parse_message(body, RefreshTenant)
    assert "../other" not in str(raised.value)


def test_a_message_of_another_type_is_refused() -> None:
    message = ComputeInsights(org_id=ORG, run_id="r1", as_of="2026-11-23")
    with pytest.raises(InvalidMessageError, match="expected a RefreshTenant"):
        parse_message(message.model_dump_json(), RefreshTenant)
