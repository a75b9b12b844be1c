"""Per-index randomness: account i is a pure function of (seed, i), computed in O(1).

A keyed BLAKE2b digest of (index, block), unpacked into 32 sixteen-bit values at once, is several times
cheaper than seeding `random.Random` per account; that matters when the simulator regenerates 100k
accounts for every dataset it serves.
"""

from __future__ import annotations

import hashlib
import struct
from bisect import bisect_right
from collections.abc import Sequence
from functools import cache
from itertools import accumulate
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_UNPACK = struct.Struct("<32H").unpack
_SCALE = 1 / 65536


@cache
def _keyed(seed: int, stream: str) -> Any:
    # Copying a keyed hasher is about three times cheaper than keying a new one per account.
    return hashlib.blake2b(digest_size=64, key=f"{seed}:{stream}".encode()[:64])


class Weighted(Generic[T]):
    """Items with relative weights, prepared once for O(log n) draws."""

    __slots__ = ("_bounds", "_items", "items")

    def __init__(self, items: Sequence[tuple[T, float]]) -> None:
        self.items = tuple(items)
        self._items = [item for item, _ in items]
        total = sum(weight for _, weight in items)
        self._bounds = [bound / total for bound in accumulate(weight for _, weight in items)]

    def at(self, point: float) -> T:
        return self._items[min(bisect_right(self._bounds, point), len(self._items) - 1)]


class Draw:
    """A stream of deterministic random values for one (seed, stream, index)."""

    __slots__ = ("_block", "_index", "_keyed", "_pos", "_raw", "_values")

    def __init__(self, seed: int, stream: str, index: int) -> None:
        self._keyed = _keyed(seed, stream)
        self._index = index
        self._block = 0
        self._raw = b""
        self._values: tuple[int, ...] = ()
        self._refill()

    def _refill(self) -> None:
        digest = self._keyed.copy()
        digest.update(self._index.to_bytes(8, "little") + self._block.to_bytes(4, "little"))
        self._raw = digest.digest()
        self._values = _UNPACK(self._raw)
        self._block += 1
        self._pos = 0

    def _next(self) -> int:
        if self._pos == 32:
            self._refill()
        self._pos += 1
        return self._values[self._pos - 1]

    def fraction(self) -> float:
        """Uniform in [0, 1) with 16-bit resolution (plenty for mixes and offsets)."""
        return self._next() * _SCALE

    def chance(self, probability: float) -> bool:
        return self._next() * _SCALE < probability

    def below(self, bound: int) -> int:
        return int(self._next() * _SCALE * bound)

    def between(self, low: int, high: int) -> int:
        """Inclusive on both ends."""
        return low + int(self._next() * _SCALE * (high - low + 1))

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self._next() * _SCALE * len(items))]

    def weighted(self, items: Weighted[T]) -> T:
        return items.at(self._next() * _SCALE)

    def guid(self) -> str:
        if self._pos > 24:
            self._refill()
        h = self._raw[self._pos * 2 : self._pos * 2 + 16].hex()
        self._pos += 8
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
