"""Alert queries against their tables' documented column types.

Azure Monitor refuses a log alert whose query does not type-check (a `string` column compared with a
number, a column the table does not have). This is a deliberately small checker for the query shapes
our alerts use: `Table | where ... | summarize ... | extend ...`, comparisons of a column (or of a
conversion function's result) with a literal, and columns defined by `Name = ...` along the way.
"""

from __future__ import annotations

import re

NUMERIC = frozenset({"int", "long", "real"})
# Documented schemas (only the columns our alert queries may use; each page is the table's reference).
TABLE_COLUMNS: dict[str, dict[str, str]] = {
    # https://learn.microsoft.com/azure/azure-monitor/reference/tables/storagequeuelogs
    "StorageQueueLogs": {
        "TimeGenerated": "datetime",
        "AccountName": "string",
        "OperationName": "string",
        "StatusCode": "string",
        "StatusText": "string",
        "ObjectKey": "string",
        "Uri": "string",
        "DurationMs": "real",
    },
    # https://learn.microsoft.com/azure/azure-monitor/reference/tables/apprequests
    "AppRequests": {
        "TimeGenerated": "datetime",
        "Name": "string",
        "OperationName": "string",
        "ResultCode": "string",
        "Success": "bool",
        "DurationMs": "real",
    },
    # https://learn.microsoft.com/azure/azure-monitor/reference/tables/apptraces
    "AppTraces": {
        "TimeGenerated": "datetime",
        "Message": "string",
        "SeverityLevel": "int",
        "OperationName": "string",
    },
    # https://learn.microsoft.com/azure/azure-monitor/reference/tables/agwaccesslogs
    "AGWAccessLogs": {
        "TimeGenerated": "datetime",
        "HttpStatus": "int",
        "HttpMethod": "string",
        "Host": "string",
        "RequestUri": "string",
        "ClientIp": "string",
    },
    # https://learn.microsoft.com/azure/azure-monitor/reference/tables/agwfirewalllogs
    "AGWFirewallLogs": {
        "TimeGenerated": "datetime",
        "Action": "string",
        "RuleId": "string",
        "ClientIp": "string",
        "RequestUri": "string",
    },
}
FUNCTION_TYPES = {
    "toint": "int",
    "tolong": "long",
    "toreal": "real",
    "todouble": "real",
    "tostring": "string",
    "tolower": "string",
    "toupper": "string",
    "strlen": "long",
    "count": "long",
    "countif": "long",
    "dcount": "long",
}
NUMERIC_OPERATORS = frozenset({"<", "<=", ">", ">=", "between", "!between"})
STRING_OPERATORS = frozenset(
    {"contains", "!contains", "has", "!has", "startswith", "!startswith", "endswith", "!endswith", "=~", "!~"}
)
EQUALITY_OPERATORS = frozenset({"==", "!="})
_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|\d+(?:\.\d+)?|!?[A-Za-z_][A-Za-z0-9_]*|==|!=|<=|>=|=~|!~|\.\.|[<>=()|,*/+-]'
)


def _category(kind: str) -> str:
    return "number" if kind in NUMERIC else kind


def _literal_type(word: str) -> str | None:
    if word[0] in "\"'":
        return "string"
    if word[0].isdigit():
        return "real" if "." in word else "long"
    if word in {"true", "false"}:
        return "bool"
    return None


def query_problems(query: str) -> list[str]:
    """Why Azure Monitor would refuse the query; empty when it type-checks against the schema."""
    tokens = _TOKEN.findall(query)
    if not tokens:
        return ["empty query"]
    table = tokens[0]
    if table not in TABLE_COLUMNS:
        return [f"table {table!r} has no recorded schema (add it with its reference page)"]
    columns = dict(TABLE_COLUMNS[table])
    problems: list[str] = []
    for index, word in enumerate(tokens):
        if word == "=" and index > 0 and re.fullmatch(r"[A-Za-z_]\w*", tokens[index - 1]):
            columns[tokens[index - 1]] = _defined_type(tokens, index + 1, columns)
        elif word in NUMERIC_OPERATORS | STRING_OPERATORS | EQUALITY_OPERATORS:
            problems += _comparison_problems(tokens, index, columns)
    return problems


def _defined_type(tokens: list[str], start: int, columns: dict[str, str]) -> str:
    first = tokens[start] if start < len(tokens) else ""
    if first in FUNCTION_TYPES:
        return FUNCTION_TYPES[first]
    literal = _literal_type(first)
    if literal in NUMERIC:
        return "real"  # arithmetic on a number literal
    return columns.get(first, "any")


def _left_type(tokens: list[str], index: int, columns: dict[str, str]) -> tuple[str, str | None]:
    """The type of the operand before tokens[index], and a problem if it names no column."""
    word = tokens[index - 1]
    if word == ")":
        depth = 0
        for back in range(index - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(tokens[back], 0)
            if depth == 0:
                function = tokens[back - 1] if back > 0 else ""
                return FUNCTION_TYPES.get(function, "any"), None
        return "any", None
    literal = _literal_type(word)
    if literal is not None:
        return literal, None
    if word in columns:
        return columns[word], None
    return "any", f"{word!r} is not a column of the table nor defined by the query"


def _right_type(tokens: list[str], index: int) -> str:
    following = tokens[index + 1 : index + 6]
    if not following:
        return "any"
    if following[0] == "(":
        kinds = {_literal_type(word) for word in following[1:] if word not in {"..", ")", ","}}
        return "long" if kinds <= {"long", "real"} else "string" if kinds == {"string"} else "any"
    return _literal_type(following[0]) or "any"


def _comparison_problems(tokens: list[str], index: int, columns: dict[str, str]) -> list[str]:
    operator = tokens[index]
    left, unknown = _left_type(tokens, index, columns)
    if unknown:
        return [unknown]
    right = _right_type(tokens, index)
    subject = tokens[index - 1]
    if operator in NUMERIC_OPERATORS and (
        (left != "any" and left not in NUMERIC) or (right != "any" and right not in NUMERIC)
    ):
        return [f"{subject!r} ({left}) {operator} {right}: both sides must be numbers"]
    if operator in STRING_OPERATORS and left not in {"string", "any"}:
        return [f"{subject!r} ({left}) {operator}: a string operator on a non-string column"]
    if operator in EQUALITY_OPERATORS and "any" not in (left, right) and _category(left) != _category(right):
        return [f"{subject!r} ({left}) {operator} {right}: compares different types"]
    return []
