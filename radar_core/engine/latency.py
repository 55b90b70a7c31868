"""Order statistics over sorted blocks of latencies, without merging them (pure)."""

from __future__ import annotations

import array
import math
from bisect import bisect_right
from collections.abc import Iterable


class LatencySet:
    """A multiset of latencies (microseconds): whole sorted blocks, plus values added one by one,
    minus values removed (each removed value must be in the set)."""

    def __init__(self):
        self.blocks: list[array.array] = []
        self.added: list[int] = []
        self.removed: list[int] = []

    def add_block(self, blob: bytes) -> None:
        values = array.array("q")
        values.frombytes(blob)
        if values:
            self.blocks.append(values)

    def add(self, values: Iterable[int]) -> None:
        self.added += values

    def remove(self, values: Iterable[int]) -> None:
        self.removed += values

    def freeze(self) -> LatencySet:
        self.added.sort()
        self.removed.sort()
        return self

    def __len__(self) -> int:
        return sum(len(b) for b in self.blocks) + len(self.added) - len(self.removed)

    def count_at_most(self, value: int) -> int:
        return (
            sum(bisect_right(block, value) for block in self.blocks)
            + bisect_right(self.added, value)
            - bisect_right(self.removed, value)
        )

    def kth(self, k: int) -> int:
        """The k-th smallest value (0-based), by bisection on the value."""
        lows = [b[0] for b in self.blocks] + self.added[:1]
        highs = [b[-1] for b in self.blocks] + self.added[-1:]
        lo, hi = min(lows), max(highs)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.count_at_most(mid) >= k + 1:
                hi = mid
            else:
                lo = mid + 1
        return lo

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
