"""Fault injection by rule (see `FaultRule`); rules can be replaced while the simulator runs."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from dev.graph_sim.config import Endpoint, FaultKind, FaultRule
from dev.graph_sim.errors import graph_error

_HTML = "<html><head><title>502 Bad Gateway</title></head><body>upstream error</body></html>"


@dataclass
class _RuleState:
    rule: FaultRule
    seen: int = 0
    fired: int = 0


@dataclass
class Faults:
    _rules: list[_RuleState] = field(default_factory=list)

    def replace(self, rules: tuple[FaultRule, ...]) -> None:
        self._rules = [_RuleState(rule) for rule in rules]

    def pick(self, endpoint: Endpoint) -> FaultRule | None:
        """The rule that fires for this request, if any; counts the request against every match."""
        chosen = None
        for state in self._rules:
            rule = state.rule
            targets = rule.endpoints or frozenset(e for e in Endpoint if e is not Endpoint.TOKEN)
            if endpoint not in targets or (rule.limit is not None and state.fired >= rule.limit):
                continue
            state.seen += 1
            if chosen is None and state.seen % rule.every == 0:
                state.fired += 1
                chosen = rule
        return chosen


def _retry_after(rule: FaultRule) -> dict[str, str]:
    if rule.retry_after is None:
        return {}
    value = rule.retry_after
    return {"Retry-After": str(int(value)) if value == int(value) else str(value)}


def error_response(rule: FaultRule) -> web.Response | None:
    """Responses that replace the handler; None for faults that corrupt the handler's own body."""
    if rule.kind is FaultKind.THROTTLE:
        return graph_error(429, "TooManyRequests", "Please retry again later.", _retry_after(rule))
    if rule.kind is FaultKind.UNAVAILABLE:
        return graph_error(503, "serviceNotAvailable", "Service unavailable.", _retry_after(rule))
    if rule.kind is FaultKind.GATEWAY_TIMEOUT:
        return graph_error(504, "UnknownError", "Gateway timeout.")
    if rule.kind is FaultKind.MALFORMED:
        return web.Response(status=200, text=_HTML, content_type="application/json")
    return None


def truncate(body: bytes) -> bytes:
    return body[: max(1, len(body) // 2)]
