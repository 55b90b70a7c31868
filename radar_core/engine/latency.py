"""Order statistics over sorted blocks of latencies (pure)."""

from __future__ import annotations

import array
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from itertools import chain


class LatencySet:
    """A multiset of latencies (microseconds): whole sorted blocks, plus values added one by one,
    minus values removed (each removed value must be in the set).

    ``freeze`` merges them into one sorted list (the blocks are sorted runs, which Python's sort
    merges in linear time), so that counts and percentiles are then bisections and indexes."""

    def __init__(self):
        self.blocks: list[array.array] = []
        self.added: list[int] = []
        self.removed: list[int] = []
        self._values: list[int] | None = None

    def add_block(self, blob: bytes) -> None:
        values = array.array("q")
        values.frombytes(blob)
        if values:
            self.blocks.append(values)
        self._values = None

    def add(self, values: Iterable[int]) -> None:
        self.added += values
        self._values = None

    def remove(self, values: Iterable[int]) -> None:
        self.removed += values
        self._values = None

    def freeze(self) -> LatencySet:
        self._sorted()
        return self

    def _sorted(self) -> list[int]:
        if self._values is None:
            merged = sorted(chain(*self.blocks, self.added))
            if self.removed:
                merged = _without(merged, sorted(self.removed))
            self._values = merged
        return self._values

    def __len__(self) -> int:
        return len(self._sorted())

    def count_at_most(self, value: int) -> int:
        return bisect_right(self._sorted(), value)

    def kth(self, k: int) -> int:
        """The k-th smallest value (0-based)."""
        return self._sorted()[k]

    def percentile_seconds(self, q: float) -> float | None:
        """radar_core.stats.percentile of the values in seconds (the same arithmetic)."""
        n = len(self)
        if n == 0:
            return None
        rank = (n - 1) * q
        low, high = math.floor(rank), math.ceil(rank)
        v_low = self.kth(low) / 1_000_000
        v_high = self.kth(high) / 1_000_000 if high != low else v_low
        return float(v_low + (v_high - v_low) * (rank - low))


def _without(values: list[int], removed: list[int]) -> list[int]:
    """``values`` less one occurrence of each of ``removed`` (both sorted; ``values`` may be
    changed in place)."""
    if len(removed) < 32:
        for value in removed:
            del values[bisect_left(values, value)]
        return values
    out, index = [], 0
    for value in values:
        if index < len(removed) and removed[index] == value:
            index += 1
        else:
            out.append(value)
    return out
