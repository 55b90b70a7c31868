"""LatencySet gives radar_core.stats.percentile's figures over blocks, added and removed values."""

import array
import random

import pytest

from radar_core import stats
from radar_core.engine.latency import LatencySet


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("top", [10**10, 20])  # 20: many copies of each value, some removed
def test_percentiles_and_counts_equal_the_plain_ones(seed, top):
    rng = random.Random(seed)
    blocks = [sorted(rng.randint(0, top) for _ in range(rng.randint(0, 300)))
              for _ in range(rng.randint(0, 6))]
    added = [rng.randint(0, top) for _ in range(rng.randint(0, 50))]
    everything = [v for block in blocks for v in block] + added
    removed = rng.sample(everything, rng.choice([0, 3, 40, len(everything) // 2]))
    kept = sorted(everything)
    for value in removed:
        kept.remove(value)
    latencies = LatencySet()
    for block in blocks:
        latencies.add_block(array.array("q", block).tobytes())
    latencies.add(added)
    latencies.remove(removed)
    latencies.freeze()
    assert len(latencies) == len(kept)
    for q in (0.5, 0.9):
        expected = stats.percentile([v / 1_000_000 for v in kept], q) if kept else None
        assert latencies.percentile_seconds(q) == pytest.approx(expected)
    for probe in [0, 10, 10**9, 5 * 10**9, *kept[:3]]:
        assert latencies.count_at_most(probe) == sum(v <= probe for v in kept)
