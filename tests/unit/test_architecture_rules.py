"""Rules of the code's shape that keep the data lifecycle and the layers honest (a small AST check).

- Every table has exactly one owner, declared in the owning module, listed in `shared.lifecycle.owners`
  and named in docs/architecture.md; only that module opens the table's storage, naming it. Only the
  table-agnostic machinery (storage, the owners' shared operations, the backup) opens a table it is
  handed, and the backup reads no column of a row but its keys.
- HTTP-facing modules (`shared/api/*`, `*_api.py`) reach storage through repositories only.
- `shared/` never imports `functions/`, `dev/`, `bench/` or `tests/`.
- Only the storage layer imports the Storage SDK (`azure.storage`) or Azure SDK exceptions
  (`azure.core.exceptions`), bar the few modules listed with their reason; a blob area's layout is known
  only by its owner, which also finds what of it expires.
- No import cycles: between modules, nor between packages (a `*_api.py` module counts as the API layer,
  whichever package it sits in).
"""

from __future__ import annotations

import ast
import importlib
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.lifecycle.owners import BLOB_AREAS, OWNERS
from shared.storage import TableName

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / "shared"
_OWNER_ROW = re.compile(r"^\| `(?P<table>[a-z]+)` \| `(?P<module>[a-z_.]+)` \|", re.MULTILINE)
# Calls that open a table's storage when given its name.
_OPENERS = frozenset(
    {
        "OrgTable",
        "SharedTable",
        "scan_row",
        "org_partitions",
        "org_partitions_of",
        "org_partition_rows",
        "shared_rows",
        "table_client",
    }
)
# Raw storage that an HTTP-facing module never touches: it calls repositories.
_RAW_STORAGE = _OPENERS | {"OrgContainer", "TablePartition", "container_client", "queue_client"}
# Table-agnostic machinery, which opens whichever table it is handed: the storage layer, the owners'
# shared operations, and the backup, which copies every table whole without reading a row's columns.
_TABLE_AGNOSTIC = ("shared/storage/", "shared/ownership.py", "shared/backup/")
_KEY_COLUMNS = frozenset({"PartitionKey", "RowKey"})
_AZURE_SDK_INTERNALS = ("azure.storage", "azure.core.exceptions")
# Modules outside shared/storage that may import those, and why. Everything else goes through the
# storage layer, whose `translate_errors` turns SDK exceptions into `NotFoundError`, `StorageError` ….
_SDK_ALLOWED = {
    "shared.collection.refresh": "opens the organisation's container with the async client the "
    "collectors share; every call on it goes through shared.storage.block_blobs",
    "shared.collection.sinks": "is handed that async container client and writes only through "
    "shared.storage.block_blobs",
    "shared.backup.manifest": "the backup writes its own account's container (table-agnostic machinery, "
    "like the storage layer), conditional writes included",
    "shared.backup.restore": "streams a backup's parts back from the backup account's container",
    "shared.backup.writer": "streams every table whole into the backup account's container",
    "shared.api.integration": "azure-identity raises AzureError when Entra ID cannot be reached to test "
    "a connection: not storage",
    "shared.graph.credentials": "azure-identity raises ClientAuthenticationError for a rejected secret: "
    "not storage",
    "shared.secrets.keyvault": "the Key Vault SDK's errors (a missing or existing secret): not storage",
    "shared.operations.acs_email": "the Azure Communication Services Email SDK's errors: not storage",
}


def _modules() -> Iterator[tuple[str, Path, ast.Module]]:
    for path in sorted(SHARED.rglob("*.py")):
        relative = path.relative_to(SHARED.parent)
        name = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        yield name, relative, ast.parse(path.read_text(encoding="utf-8"))


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _tables_named(call: ast.Call) -> set[TableName]:
    named = set()
    for argument in [*call.args, *(keyword.value for keyword in call.keywords)]:
        for node in ast.walk(argument):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "TableName"
            ):
                named.add(TableName[node.attr])
    return named


def _runtime_imports(tree: ast.Module) -> Iterator[str]:
    """Modules imported when the module loads (not those under `if TYPE_CHECKING:`)."""
    statements = list(tree.body)
    for statement in tree.body:
        if isinstance(statement, ast.If) and "TYPE_CHECKING" not in ast.unparse(statement.test):
            statements.extend(statement.body)
    for statement in statements:
        if isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            yield statement.module
            yield from (f"{statement.module}.{alias.name}" for alias in statement.names)
        elif isinstance(statement, ast.Import):
            yield from (alias.name for alias in statement.names)


def _all_imports(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def _layer(module: str) -> str:
    """The package a module belongs to for the layering rule; `*_api` modules are the API layer."""
    parts = module.split(".")
    if parts[-1].endswith("_api"):
        return "shared.api"
    return ".".join(parts[:2]) if len(parts) > 1 and (SHARED / parts[1]).is_dir() else module


def test_every_table_has_exactly_one_owner_declared_in_its_module() -> None:
    tables = [owner.table for owner in OWNERS]
    assert sorted(tables) == sorted(TableName), "every table once in shared.lifecycle.owners.OWNERS"
    for owner in OWNERS:
        module = importlib.import_module(owner.module)
        assert any(value is owner for value in vars(module).values()), (owner.table, owner.module)


def test_the_architecture_page_names_every_tables_owner() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    documented = {(row["table"], row["module"]) for row in _OWNER_ROW.finditer(page)}
    assert documented == {(owner.table.value, owner.module) for owner in OWNERS}


def test_only_a_tables_owner_opens_its_storage() -> None:
    owners = {owner.table: owner.module for owner in OWNERS}
    strangers = [
        f"{path}:{node.lineno} opens {table.value}, owned by {owners[table]}"
        for name, path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _call_name(node) in _OPENERS
        for table in _tables_named(node)
        if owners[table] != name
    ]
    assert strangers == []


def test_only_table_agnostic_machinery_opens_a_table_it_does_not_name() -> None:
    unnamed = [
        f"{path}:{node.lineno} {ast.unparse(node)}"
        for _, path, tree in _modules()
        if not str(path).startswith(_TABLE_AGNOSTIC)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _call_name(node) in _OPENERS and not _tables_named(node)
    ]
    assert unnamed == []


def _columns_read(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """The constant column names a module reads from a mapping: `row["x"]` and `row.get("x")`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            key = node.slice.value
        elif isinstance(node, ast.Call) and _call_name(node) == "get" and node.args:
            key = node.args[0].value if isinstance(node.args[0], ast.Constant) else None
        else:
            continue
        if isinstance(key, str):
            yield node.lineno, key


def test_the_backup_reads_no_column_of_a_row_but_its_keys() -> None:
    read = [
        f"{path}:{line} reads {column!r}"
        for name, path, tree in _modules()
        if name.startswith("shared.backup.")
        for line, column in _columns_read(tree)
        if column not in _KEY_COLUMNS
    ]
    assert read == []


def test_http_facing_modules_reach_storage_through_repositories() -> None:
    raw = [
        f"{path}:{node.lineno} {_call_name(node) if isinstance(node, ast.Call) else node.id}"
        for name, path, tree in _modules()
        if name.startswith("shared.api.") or name.endswith("_api")
        for node in ast.walk(tree)
        if (isinstance(node, ast.Call) and _call_name(node) in _RAW_STORAGE)
        or (isinstance(node, ast.Name) and node.id in _RAW_STORAGE)
    ]
    assert raw == []


def test_shared_never_imports_the_function_app_the_dev_tools_or_the_tests() -> None:
    outward = [
        f"{path} imports {imported}"
        for _, path, tree in _modules()
        for imported in _all_imports(tree)
        if imported.split(".")[0] in {"functions", "dev", "bench", "tests", "function_app"}
    ]
    assert outward == []


def test_only_the_storage_layer_imports_the_storage_sdk_or_its_exceptions() -> None:
    importers = {
        name: f"{path} imports {imported}"
        for name, path, tree in _modules()
        if not str(path).startswith("shared/storage/")
        for imported in _all_imports(tree)
        if imported.startswith(_AZURE_SDK_INTERNALS)
    }
    assert [importers[name] for name in sorted(set(importers) - set(_SDK_ALLOWED))] == []
    assert sorted(set(_SDK_ALLOWED) - set(importers)) == [], "an allowance no longer needed: remove it"


def test_every_expiring_blob_area_is_swept_by_its_owner() -> None:
    for area in BLOB_AREAS:
        assert area.expired_prefixes is not None or area.keeps, area.prefix
        if area.expired_prefixes is not None:
            assert area.expired_prefixes.__module__ == area.module, area.prefix
            module = importlib.import_module(area.module)
            assert any(value is area for value in vars(module).values()), (area.prefix, area.module)


def test_only_a_blob_areas_owner_spells_its_folder() -> None:
    owners = {area.prefix: area.module for area in BLOB_AREAS if area.expired_prefixes is not None}
    strangers = [
        f"{path}:{node.lineno} spells {node.value!r}, owned by {owners[prefix]}"
        for name, path, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        for prefix in owners
        if node.value.startswith(prefix) and owners[prefix] != name
    ]
    assert strangers == []


def _import_graph() -> dict[str, set[str]]:
    modules = {name: tree for name, _, tree in _modules()}
    graph: dict[str, set[str]] = defaultdict(set)
    for name, tree in modules.items():
        # A module importing its own package's facade (`from shared.x import …` inside shared.x.y) is
        # the package re-exporting it, not a loop between two pieces of code.
        graph[name].update(
            imported
            for imported in _runtime_imports(tree)
            if imported in modules and imported != name and not name.startswith(imported + ".")
        )
    return graph


def test_no_import_cycle_between_modules() -> None:
    assert _cycles(_import_graph()) == []


def test_no_import_cycle_between_packages() -> None:
    packages: dict[str, set[str]] = defaultdict(set)
    for module, imported in _import_graph().items():
        packages[_layer(module)].update(
            _layer(other) for other in imported if _layer(other) != _layer(module)
        )
    assert _cycles(packages) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}}, [["a", "b", "c"]]),
    ],
)
def test_the_cycle_finder_finds_loops_and_only_loops(
    graph: dict[str, set[str]], expected: list[list[str]]
) -> None:
    assert _cycles(graph) == expected
