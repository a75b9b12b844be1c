"""PartitionKey / RowKey rules, and an escaping scheme for building keys from arbitrary values.

The service forbids `/`, `\\`, `#`, `?` and control characters (U+0000-U+001F, U+007F-U+009F) in keys
and caps them at 1,024 characters. We reject such keys before any request, so a malicious value can
neither break a URL nor be silently altered into another row's key.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from shared.storage.errors import InvalidArgumentError

MAX_KEY_LENGTH = 1024
KEY_SEPARATOR = "|"

_FORBIDDEN = re.compile(r"[/\\#?\x00-\x1f\x7f-\x9f]")
# What `encode_key_part` escapes: the forbidden set, the separator, and `%` itself (so decoding is exact).
_ESCAPED = re.compile(r"[/\\#?%|\x00-\x1f\x7f-\x9f]")


def validate_key(value: str, what: str = "key") -> str:
    """Return `value` if it is a valid PartitionKey/RowKey, else raise InvalidArgumentError."""
    if not isinstance(value, str) or not value:
        raise InvalidArgumentError(f"{what} must be a non-empty string")
    if len(value) > MAX_KEY_LENGTH:
        raise InvalidArgumentError(f"{what} is longer than {MAX_KEY_LENGTH} characters")
    if _FORBIDDEN.search(value):
        raise InvalidArgumentError(f"{what} contains a character keys may not hold (/ \\ # ? or control)")
    return value


def encode_key_part(value: str) -> str:
    """Percent-escape a value so it is a legal key part that cannot contain the `|` separator."""
    return _ESCAPED.sub(lambda match: "".join(f"%{byte:02X}" for byte in match.group().encode()), value)


def compose_key(*parts: str) -> str:
    """Join escaped parts with `|` (e.g. `kind|as_of|run_id|item`); keeps RowKey prefix queries exact."""
    return validate_key(KEY_SEPARATOR.join(encode_key_part(part) for part in parts))


def split_key(key: str) -> list[str]:
    """The inverse of `compose_key`."""
    return [unquote(part) for part in key.split(KEY_SEPARATOR)]
