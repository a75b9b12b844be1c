"""The whole deployment as one model: main.bicep and the module instances it declares, parsed by pycep.

checkov looks at one resource at a time; Microsoft's constraints and the deployment rehearsal need the
template as ARM sees it. This module gives them three things:

- `Deployment.resources()`: every resource of every module instance, each as a `Node`;
- `Deployment.bodies(node)` / `Deployment.value(...)`: a resource or expression evaluated as far as the
  template allows (parameters through module arguments, variables, module outputs, loops and a handful
  of functions); references to resources stay `Ref`s, so an identity can be followed across modules,
  and whatever cannot be known offline is `UNKNOWN` (or `UNKNOWN_TEXT` inside a string);
- `Deployment.happens_before(a, b)`: whether ARM must finish `a` before it starts `b`: references,
  `dependsOn`, `parent` and `scope` inside a module, and every dependency of the module itself (a
  module starts only when everything its declaration references has finished).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycep import BicepParser
from pycep.transformer import BicepElement

MAIN = "main"
UNKNOWN_TEXT = "<?>"
SUBSCRIPTION_ID = "00000000-0000-0000-0000-0000000000aa"  # stands for subscription().subscriptionId
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTERPOLATION = re.compile(r"\$\{([^}]*)\}")
_ENVIRONMENT = {"suffixes": {"storage": "core.windows.net", "keyvaultDns": ".vault.azure.net"}}


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class Node:
    """One resource declaration: the module instance (its name in main.bicep, or "main") and symbol."""

    instance: str
    symbol: str


@dataclass(frozen=True)
class Ref:
    """A reference to a resource, or to a property of one (`identity.principalId`, `id`)."""

    node: Node
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class _ModuleRef:
    instance: str


@dataclass(frozen=True)
class Instance:
    name: str
    file: str
    template: dict[str, Any]
    declaration: dict[str, Any]  # the module's config in main.bicep; empty for main


class Deployment:
    def __init__(self, infra_dir: Path, main_parameters: Mapping[str, Any] | None = None) -> None:
        self.infra_dir = infra_dir
        self.main_parameters = dict(main_parameters or {})
        parser = BicepParser()
        main = parser.parse(text=(infra_dir / "main.bicep").read_text())
        self.instances = {MAIN: Instance(MAIN, "main.bicep", main, {})}
        for name, module in main.get("modules", {}).items():
            path = module["detail"]["path"]
            template = parser.parse(text=(infra_dir / path).read_text())
            self.instances[name] = Instance(name, path, template, module["config"])
        self._predecessors: dict[Node, frozenset[Node]] = {}

    # --- resources ---------------------------------------------------------------------------------

    def resources(self, resource_type: str | None = None) -> list[Node]:
        return [
            Node(instance.name, symbol)
            for instance in self.instances.values()
            for symbol, resource in instance.template.get("resources", {}).items()
            if not resource["existing"] and resource_type in (None, resource["type"])
        ]

    def entry(self, node: Node) -> dict[str, Any]:
        entry: dict[str, Any] = self.instances[node.instance].template["resources"][node.symbol]
        return entry

    def type_of(self, node: Node) -> str:
        return str(self.entry(node)["type"])

    def bodies(self, node: Node) -> list[Any]:
        """The resource's body evaluated, one per copy for a resource loop."""
        config = self.entry(node)["config"]
        evaluated = self.value(node.instance, config)
        return evaluated if "loop_type" in config else [evaluated]

    # --- evaluation --------------------------------------------------------------------------------

    def value(  # noqa: PLR0911 - one branch per pycep form
        self, instance: str, expr: Any, local: Mapping[str, Any] | None = None
    ) -> Any:
        local = local or {}
        if isinstance(expr, BicepElement):
            return self._name(instance, str(expr), local)
        if isinstance(expr, str):
            return self._interpolate(instance, expr, local)
        if expr is None or isinstance(expr, bool | int | float):
            return expr
        if isinstance(expr, list):
            return [self.value(instance, item, local) for item in expr]
        if isinstance(expr, dict):
            if _is_expression(expr, "function"):
                return self._function(instance, expr["function"], local)
            if _is_expression(expr, "operator"):
                return self._operator(instance, expr["operator"], local)
            if "loop_type" in expr:
                return self._loop(instance, expr, local)
            return {
                self._key(instance, key, local): self.value(instance, item, local)
                for key, item in expr.items()
            }
        return UNKNOWN

    def _key(self, instance: str, key: str, local: Mapping[str, Any]) -> Any:
        """An object key: text, or what a `'${x}'` key refers to (user-assigned identity maps)."""
        value = self._interpolate(instance, _unquote(key), local)
        return value if isinstance(value, str | Ref) else UNKNOWN_TEXT

    def _name(self, instance: str, name: str, local: Mapping[str, Any]) -> Any:
        if name in local:
            return local[name]
        template = self.instances[instance].template
        if name in template.get("parameters", {}):
            return self._parameter(instance, name)
        if name in template.get("variables", {}):
            return self.value(instance, template["variables"][name]["value"])
        if name in template.get("resources", {}):
            return Ref(Node(instance, name))
        if instance == MAIN and name in template.get("modules", {}):
            return _ModuleRef(name)
        return UNKNOWN

    def _parameter(self, instance: str, name: str) -> Any:
        declared = self.instances[instance].template["parameters"][name]
        if instance == MAIN:
            if name in self.main_parameters:
                return self.main_parameters[name]
        else:
            arguments = self.instances[instance].declaration.get("params", {})
            if name in arguments:
                return self.value(MAIN, arguments[name])
        return self.value(instance, declared["default"]) if "default" in declared else UNKNOWN

    def _interpolate(self, instance: str, text: str, local: Mapping[str, Any]) -> Any:
        parts = _INTERPOLATION.split(text)
        if len(parts) == 3 and parts[0] == parts[2] == "":
            return self._inline(instance, parts[1], local)  # '${x}' is x itself
        pieces = []
        for index, part in enumerate(parts):
            if index % 2 == 0:
                pieces.append(part)
                continue
            value = self._inline(instance, part, local)
            known = isinstance(value, str | int) and not isinstance(value, bool)
            pieces.append(str(value) if known else UNKNOWN_TEXT)
        return "".join(pieces)

    def _inline(self, instance: str, text: str, local: Mapping[str, Any]) -> Any:
        """A dotted expression inside `${...}`: `name`, `a.b.c` or `fn().b`."""
        head, *rest = text.strip().split(".")
        if head.endswith("()"):
            base = self._function(instance, {"type": head[:-2]}, local)
        elif _IDENTIFIER.fullmatch(head):
            base = self._name(instance, head, local)
        else:
            return UNKNOWN
        return self._access(base, rest)

    def _access(self, base: Any, path: list[str]) -> Any:
        for index, key in enumerate(path):
            if isinstance(base, Ref):
                if not base.path and key == "name":
                    base = self.value(base.node.instance, self.entry(base.node)["config"].get("name"))
                    continue
                return Ref(base.node, base.path + tuple(path[index:]))
            if isinstance(base, _ModuleRef):
                if key != "outputs" or index + 1 >= len(path):
                    return UNKNOWN
                output = self.instances[base.instance].template["outputs"][path[index + 1]]
                return self._access(self.value(base.instance, output["value"]), path[index + 2 :])
            if isinstance(base, dict):
                base = base.get(key, UNKNOWN)
                continue
            return UNKNOWN
        return base

    def _operator(  # noqa: PLR0911 - one branch per Bicep operator
        self, instance: str, operator: dict[str, Any], local: Mapping[str, Any]
    ) -> Any:
        kind, operands = operator["type"], operator.get("operands", {})
        if kind == "property_accessor":
            base = self.value(instance, operands["operand_1"], local)
            return self._access(base, _accessor_path(operands["operand_2"]))
        if kind == "index_accessor":
            base = self.value(instance, operands["operand_1"], local)
            index = self.value(instance, operands["operand_2"], local)
            if isinstance(base, list) and isinstance(index, int) and 0 <= index < len(base):
                return base[index]
            return Ref(base.node, base.path) if isinstance(base, Ref) else UNKNOWN
        if kind == "conditional":
            condition = self.value(instance, operands["condition"], local)
            if isinstance(condition, bool):
                return self.value(instance, operands["true_value" if condition else "false_value"], local)
            return UNKNOWN
        left = self.value(instance, operands.get("operand_1"), local)
        right = self.value(instance, operands.get("operand_2"), local)
        if kind == "add" and isinstance(left, int) and isinstance(right, int):
            return left + right
        if kind == "equals" and UNKNOWN not in (left, right):
            return left == right
        return UNKNOWN

    def _function(  # noqa: PLR0911 - one branch per Bicep function
        self, instance: str, function: dict[str, Any], local: Mapping[str, Any]
    ) -> Any:
        kind = str(function["type"]).replace("_", "").lower()
        args = [self.value(instance, arg, local) for arg in function.get("parameters", {}).values()]
        if kind == "environment":
            return (
                _ENVIRONMENT.get(function["property_name"], UNKNOWN)
                if "property_name" in function
                else _ENVIRONMENT
            )
        if kind == "subscription":
            return {"subscriptionId": SUBSCRIPTION_ID, "id": f"/subscriptions/{SUBSCRIPTION_ID}"}
        if kind == "split" and all(isinstance(arg, str) for arg in args):
            return args[0].split(args[1])
        if kind == "trim" and isinstance(args[0], str):
            return args[0].strip()
        if kind == "first" and isinstance(args[0], list | str) and args[0]:
            return args[0][0]
        if kind == "empty" and isinstance(args[0], list | str | dict):
            return not args[0]
        if kind == "union" and all(isinstance(arg, dict) for arg in args):
            return {key: item for arg in args for key, item in arg.items()}
        if kind == "subscriptionresourceid":
            segments = [arg for arg in args if arg is not None]
            if all(isinstance(segment, str) for segment in segments):
                return f"/subscriptions/{SUBSCRIPTION_ID}/providers/{'/'.join(segments)}"
        if kind == "loadjsoncontent" and isinstance(args[0], str):
            file = Path(self.instances[instance].file).parent / args[0]
            return json.loads((self.infra_dir / file).read_text())
        return UNKNOWN

    def _loop(self, instance: str, expr: dict[str, Any], local: Mapping[str, Any]) -> Any:
        detail = expr["loop_type"]["detail"]
        items = self.value(instance, _loop_array(detail), local)
        if not isinstance(items, list):
            return UNKNOWN
        copies = []
        for index, item in enumerate(items):
            scope = {**local, detail["item_name"]: item}
            if detail.get("index_name"):
                scope[detail["index_name"]] = index
            copies.append(self.value(instance, expr["config"], scope))
        return copies

    # --- ordering ----------------------------------------------------------------------------------

    def happens_before(self, first: Node, then: Node) -> bool:
        """True when ARM cannot start `then` before `first` has finished."""
        seen: set[Node] = set()
        pending = list(self.predecessors(then))
        while pending:
            node = pending.pop()
            if node == first:
                return True
            if node not in seen:
                seen.add(node)
                pending.extend(self.predecessors(node))
        return False

    def predecessors(self, node: Node) -> frozenset[Node]:
        if node not in self._predecessors:
            own = self._references(node.instance, self.entry(node)["config"]) - {node}
            self._predecessors[node] = frozenset(own | self._module_predecessors(node.instance))
        return self._predecessors[node]

    def _module_predecessors(self, instance: str) -> set[Node]:
        if instance == MAIN:
            return set()
        return self._references(MAIN, self.instances[instance].declaration)

    def _references(self, instance: str, expr: Any) -> set[Node]:
        found: set[Node] = set()
        for name in set(_identifiers(expr)):
            found |= self._symbol_nodes(instance, name)
        return found

    def _symbol_nodes(self, instance: str, name: str) -> set[Node]:
        template = self.instances[instance].template
        if name in template.get("resources", {}):
            return {Node(instance, name)}
        if instance == MAIN and name in template.get("modules", {}):
            return {node for node in self.resources() if node.instance == name} | self._module_predecessors(
                name
            )
        if name in template.get("variables", {}):
            return self._references(instance, template["variables"][name]["value"])
        if instance != MAIN and name in template.get("parameters", {}):
            argument = self.instances[instance].declaration.get("params", {}).get(name)
            return self._references(MAIN, argument) if argument is not None else set()
        return set()


def _identifiers(expr: Any) -> Iterator[str]:
    """Names an expression refers to (the first segment of every reference)."""
    if isinstance(expr, BicepElement):
        match = _IDENTIFIER.match(str(expr))
        if match:
            yield match.group()
    elif isinstance(expr, str):
        for inner in _INTERPOLATION.findall(expr):
            match = _IDENTIFIER.match(inner.strip())
            if match:
                yield match.group()
    elif isinstance(expr, list):
        for item in expr:
            yield from _identifiers(item)
    elif isinstance(expr, dict):
        if _is_expression(expr, "operator") and expr["operator"]["type"] == "property_accessor":
            yield from _identifiers(expr["operator"]["operands"]["operand_1"])
            return
        if "loop_type" in expr:
            yield from _identifiers(_loop_array(expr["loop_type"]["detail"]))
        for key, item in expr.items():
            if key != "loop_type":
                yield from _identifiers(key)
                yield from _identifiers(item)


def _is_expression(expr: dict[str, Any], kind: str) -> bool:
    """pycep's form of a function call or operator, not an object with such a property."""
    return len(expr) == 1 and isinstance(expr.get(kind), dict) and "type" in expr[kind]


def _loop_array(detail: dict[str, Any]) -> Any:
    """pycep writes a loop over an expression as the expression's repr; read it back (names in it
    come back as plain strings: an identifier-shaped string is taken for a name)."""
    array = detail["array_name"]
    if isinstance(array, str) and array.startswith("{"):
        return _as_expression(ast.literal_eval(array))
    return array if isinstance(array, BicepElement) else BicepElement(array)


def _as_expression(value: Any) -> Any:
    if isinstance(value, str):
        return BicepElement(value) if _IDENTIFIER.fullmatch(value) else value
    if isinstance(value, list):
        return [_as_expression(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_expression(item) if key != "type" else item for key, item in value.items()}
    return value


def _accessor_path(operand: Any) -> list[str]:
    if isinstance(operand, dict) and operand.get("operator", {}).get("type") == "property_accessor":
        operands = operand["operator"]["operands"]
        return _accessor_path(operands["operand_1"]) + _accessor_path(operands["operand_2"])
    return [str(operand)]


def _unquote(key: str) -> str:
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] == "'" else key
