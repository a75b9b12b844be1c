"""ASP.NET Core route templates, as the Functions host matches HTTP routes (§3).

Supported: literal segments (case-insensitive), `{name}`, `{name?}` (optional), `{name=default}`,
`{*name}` / `{**name}` (catch-all), several parameters in one segment (`{a}.{b}`), and inline
constraints `{name:int}`, chained as `{name:int:min(1)}`. Routes are tried in ASP.NET precedence
order: per segment, literal < complex < constrained parameter < parameter < catch-all.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar
from urllib.parse import unquote


class RouteTemplateError(ValueError):
    pass


def _parses(parse: Callable[[str], object]) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        try:
            parse(value)
        except (ValueError, ArithmeticError, InvalidOperation):
            return False
        return True

    return check


def _int_in(bits: int) -> Callable[[str], bool]:
    limit = 2 ** (bits - 1)
    return lambda v: re.fullmatch(r"[+-]?\d+", v.strip()) is not None and -limit <= int(v) < limit


def _float(value: str) -> float:
    if value.strip().lower() in {"nan", "inf", "-inf", "infinity", "-infinity"}:
        raise ValueError(value)  # .NET invariant parsing spells these differently
    return float(value)


_SIMPLE: dict[str, Callable[[str], bool]] = {
    "int": _int_in(32),
    "long": _int_in(64),
    "bool": lambda v: v.lower() in {"true", "false"},
    "guid": _parses(uuid.UUID),
    "alpha": lambda v: re.fullmatch(r"[A-Za-z]+", v) is not None,
    "decimal": _parses(Decimal),
    "double": _parses(_float),
    "float": _parses(_float),
    "datetime": _parses(datetime.fromisoformat),
    "required": lambda v: v != "",
}


def _numbers(args: str) -> list[int]:
    return [int(a) for a in args.split(",")]


def _length_between(low: int, high: int) -> Callable[[str], bool]:
    return lambda v: low <= len(v) <= high


_WITH_ARGS: dict[str, Callable[[str], Callable[[str], bool]]] = {
    "length": lambda a: (
        _length_between(*(_numbers(a) * 2)[:2]) if "," not in a else _length_between(*_numbers(a))
    ),
    "minlength": lambda a: lambda v: len(v) >= int(a),
    "maxlength": lambda a: lambda v: len(v) <= int(a),
    "min": lambda a: lambda v: _int_in(64)(v) and int(v) >= int(a),
    "max": lambda a: lambda v: _int_in(64)(v) and int(v) <= int(a),
    "range": lambda a: lambda v: _int_in(64)(v) and _numbers(a)[0] <= int(v) <= _numbers(a)[1],
    "regex": lambda a: lambda v: re.search(a, v, re.IGNORECASE) is not None,
}

_CONSTRAINT = re.compile(r"^(?P<name>[A-Za-z]+)(?:\((?P<args>.*)\))?$")


def _constraint(text: str) -> Callable[[str], bool]:
    match = _CONSTRAINT.match(text)
    if match is None:
        raise RouteTemplateError(f"bad route constraint {text!r}")
    name, args = match["name"].lower(), match["args"]
    if args is None and name in _SIMPLE:
        return _SIMPLE[name]
    if args is not None and name in _WITH_ARGS:
        return _WITH_ARGS[name](args)
    raise RouteTemplateError(f"unsupported route constraint {text!r}")


def _split_constraints(body: str) -> list[str]:
    """Split `int:min(1):regex(a:b)` on colons outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in body:
        depth += (char == "(") - (char == ")")
        if char == ":" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


@dataclass(frozen=True)
class Parameter:
    name: str
    constraints: tuple[Callable[[str], bool], ...] = ()
    optional: bool = False
    default: str | None = None
    catch_all: bool = False

    @classmethod
    def parse(cls, text: str) -> Parameter:
        catch_all = text.startswith("*")
        text = text.lstrip("*")
        default = None
        if "=" in text:
            text, default = text.split("=", 1)
        optional = text.endswith("?")
        name, *constraints = _split_constraints(text.rstrip("?"))
        if not re.fullmatch(r"\w+", name):
            raise RouteTemplateError(f"bad route parameter name {name!r}")
        return cls(name, tuple(_constraint(c) for c in constraints), optional, default, catch_all)

    def accepts(self, value: str) -> bool:
        return all(check(value) for check in self.constraints)


_PART = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class Segment:
    parts: tuple[str | Parameter, ...]
    regex: re.Pattern[str] = field(compare=False)

    @classmethod
    def parse(cls, text: str) -> Segment:
        parts: list[str | Parameter] = []
        pattern, position = "", 0
        for match in _PART.finditer(text):
            if match.start() > position:
                literal = text[position : match.start()]
                parts.append(literal)
                pattern += f"(?i:{re.escape(literal)})"
            parameter = Parameter.parse(match.group(1))
            parts.append(parameter)
            pattern += f"(?P<{parameter.name}>.+?)"
            position = match.end()
        if position < len(text):
            parts.append(text[position:])
            pattern += f"(?i:{re.escape(text[position:])})"
        return cls(tuple(parts), re.compile(pattern))

    @property
    def parameter(self) -> Parameter | None:
        """The parameter when it is the whole segment."""
        return self.parts[0] if len(self.parts) == 1 and isinstance(self.parts[0], Parameter) else None

    @property
    def precedence(self) -> int:
        if len(self.parts) > 1:
            return 2
        only = self.parts[0]
        if isinstance(only, str):
            return 1
        if only.catch_all:
            return 5
        return 3 if only.constraints else 4

    def match(self, value: str) -> dict[str, str] | None:
        match = self.regex.fullmatch(value)
        if match is None:
            return None
        values = match.groupdict()
        for part in self.parts:
            if isinstance(part, Parameter) and not part.accepts(values[part.name]):
                return None
        return values


class RouteTemplate:
    def __init__(self, template: str) -> None:
        self.template = template.strip("/")
        self.segments = tuple(Segment.parse(s) for s in self.template.split("/")) if self.template else ()
        for index, segment in enumerate(self.segments):
            parameter = segment.parameter
            if parameter and parameter.catch_all and index != len(self.segments) - 1:
                raise RouteTemplateError(f"{template}: a catch-all parameter must be the last segment")

    def precedence(self) -> tuple[int, ...]:
        return tuple(s.precedence for s in self.segments)

    def match(self, path_segments: Sequence[str]) -> dict[str, str] | None:
        """Route values for the (still percent-encoded) path segments, or None."""
        values: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            parameter = segment.parameter
            if parameter is not None and parameter.catch_all:
                # A catch-all takes the rest of the path, and matches nothing too (as in ASP.NET).
                rest = "/".join(unquote(s) for s in path_segments[index:])
                if rest and not parameter.accepts(rest):
                    return None
                if rest:
                    values[parameter.name] = rest
                break
            if index >= len(path_segments):
                # Only trailing optional (or defaulted) parameters may be missing.
                if parameter is None or not (parameter.optional or parameter.default is not None):
                    return None
                continue
            matched = segment.match(unquote(path_segments[index]))
            if matched is None:
                return None
            values.update(matched)
        else:
            if len(path_segments) > len(self.segments):
                return None
        for segment in self.segments:  # defaults for parameters that matched nothing
            for part in segment.parts:
                if isinstance(part, Parameter) and part.default is not None:
                    values.setdefault(part.name, part.default)
        return values


T = TypeVar("T")


@dataclass(frozen=True)
class RouteMatch(Generic[T]):
    target: T
    route_params: dict[str, str]


class RouteTable(Generic[T]):
    """Routes with their allowed methods (None = all), in ASP.NET precedence order."""

    def __init__(self, routes: Iterable[tuple[str, frozenset[str] | None, T]]) -> None:
        entries = [(RouteTemplate(template), methods, target) for template, methods, target in routes]
        self._routes = sorted(entries, key=lambda e: (e[0].precedence(), e[0].template.lower()))

    def match(self, path: str, method: str) -> RouteMatch[T] | frozenset[str] | None:
        """A match; or, when the path matches only routes of other methods, the allowed methods; or None."""
        segments = path.strip("/").split("/") if path.strip("/") else []
        allowed: set[str] = set()
        for template, methods, target in self._routes:
            values = template.match(segments)
            if values is None:
                continue
            if methods is None or method.upper() in methods:
                return RouteMatch(target, values)
            allowed |= methods
        return frozenset(allowed) if allowed else None
