"""Order statistics over sorted blocks of latencies (pure).

NumPy does the merging: a 90-day leaderboard over a million reports merges some 920,000
latencies, which in Python took longer than the rest of its answer."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

# The blocks' layout: what refresh.py writes (array.array("q"), native byte order).
DTYPE = np.dtype("=i8")


class LatencySet:
    """A multiset of latencies (microseconds): whole sorted blocks, plus values added one by one,
    minus values removed (each removed value must be in the set).

    ``freeze`` sorts them into one array (NumPy's default sort, faster on these blocks than its
    run-merging stable one), so that counts and percentiles are then bisections and indexes."""

    def __init__(self):
        self.parts: list[np.ndarray] = []
        self.removed: list[int] = []
        self._values: np.ndarray | None = None

    def add_block(self, blob: bytes) -> None:
        if blob:
            self.parts.append(np.frombuffer(blob, dtype=DTYPE))
        self._values = None

    def add(self, values: Iterable[int] | np.ndarray) -> None:
        values = np.asarray(values if isinstance(values, np.ndarray) else list(values), DTYPE)
        if values.size:
            self.parts.append(values)
        self._values = None

    def remove(self, values: Iterable[int]) -> None:
        self.removed += values
        self._values = None

    def freeze(self) -> LatencySet:
        self._sorted()
        return self

    def _sorted(self) -> np.ndarray:
        if self._values is None:
            merged = np.concatenate(self.parts) if self.parts else np.empty(0, DTYPE)
            merged.sort()
            if self.removed:
                merged = _without(merged, np.sort(np.asarray(self.removed, DTYPE)))
            self._values = merged
        return self._values

    def __len__(self) -> int:
        return len(self._sorted())

    def count_at_most(self, value: int) -> int:
        return int(np.searchsorted(self._sorted(), value, side="right"))

    def kth(self, k: int) -> int:
        """The k-th smallest value (0-based)."""
        return int(self._sorted()[k])

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


def _without(values: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """``values`` less one occurrence of each of ``removed`` (both sorted): the n-th copy of a
    removed value takes out the n-th copy of that value in ``values``."""
    first = np.searchsorted(values, removed, side="left")
    nth_copy = np.arange(removed.size) - np.searchsorted(removed, removed, side="left")
    return np.delete(values, first + nth_copy)
