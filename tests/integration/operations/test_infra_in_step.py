"""Azure Monitor's alerts (infra/modules/alerts.bicep) and the app's monitoring use the same limits, and
the notification alert matches the line the app writes."""

from __future__ import annotations

import re
from pathlib import Path

from shared.operations.notifications import NOTIFICATION_LOG_MESSAGE
from shared.settings import Settings

ALERTS = Path(__file__).resolve().parents[3] / "infra" / "modules" / "alerts.bicep"


def _rule(name: str) -> str:
    rules = ALERTS.read_text().split("  {\n")
    (rule,) = [text for text in rules if f"name: '{name}'" in text]
    return rule


def _threshold(name: str) -> float:
    match = re.search(r"threshold: ([0-9.]+)", _rule(name))
    assert match, name
    return float(match.group(1))


def test_the_error_rate_and_poison_limits_are_the_apps() -> None:
    assert _threshold("gateway-5xx-rate") == Settings.model_fields["api_error_rate_limit_percent"].default
    assert _threshold("poison-queue-messages") == 0  # the app's poison-messages limit: any message


def test_the_notification_alert_matches_the_apps_log_line() -> None:
    rule = _rule("operations-notification")
    assert f'Message startswith "{NOTIFICATION_LOG_MESSAGE}"' in rule
    assert _threshold("operations-notification") == 0
