"""The per-fact rewriting of the definitions counts exactly what radar_core.stats counts.

For random reports and rechecks of one patchset and random windows, the window figures computed
from the facts (the comparisons radar_core.engine.counters makes) equal stats' own functions.
"""

import random
from datetime import datetime, timedelta

import pytest

from radar_core import stats
from radar_core.engine import facts

T0 = datetime(2026, 1, 1)
SYSTEM = facts.System(1, "acme-ci", "acme")
REFERENCE = 9
CLASSES = ["success", "failure", "error", "skipped", "unknown"]


def random_patchset(rng):
    reports, rechecks = [], []
    ids = iter(range(1, 10_000))
    for _ in range(rng.randint(0, 8)):
        date = T0 + timedelta(minutes=rng.randint(0, 600))  # often equal dates
        reports.append(
            facts.ReportRow(
                next(ids), rng.choice([1, 1, REFERENCE]), date, rng.choice(CLASSES),
                rng.choice([None, "check", "gate"]),
            )
        )
    for _ in range(rng.randint(0, 3)):
        date = T0 + timedelta(minutes=rng.randint(0, 600))
        rechecks.append(facts.RecheckRow(next(ids), date, rng.choice([None, "acme", "other"])))
    return reports, rechecks


def random_window(rng):
    since = T0 + timedelta(minutes=rng.randint(-60, 600))
    return stats.Window(since, since + timedelta(minutes=rng.randint(1, 700)))


def as_stats(rows):
    return [stats.Report(r.system_id, 7, r.date, r.result_class, r.id, r.pipeline) for r in rows]


def in_window(date, window):
    return date is not None and window.since <= date < window.until


def window_counts(report_facts, window):
    """The comparisons of radar_core.engine.counters, fact by fact."""
    since, until = window.since, window.until
    inside = [f for f in report_facts if since <= f.date < until]
    return {
        "reported": sum(f.prev_at is None or f.prev_at < since for f in inside),
        "flaky": sum(
            f.fail_at is not None and f.fail_at >= since
            and (f.fail2_at is None or f.fail2_at < since)
            for f in inside
        ),
        "duplicates": sum(f.dup_prev_at is not None and f.dup_prev_at >= since for f in inside),
    }


@pytest.mark.parametrize("seed", range(100))
def test_report_facts_count_what_stats_counts(seed):
    rng = random.Random(seed)
    reports, rechecks = random_patchset(rng)
    mine = [r for r in reports if r.system_id == SYSTEM.id]
    report_facts = facts.report_facts(mine, rechecks, SYSTEM)
    stats_rechecks = [stats.Recheck(7, rc.date, rc.target) for rc in rechecks]
    for _ in range(30):
        window = random_window(rng)
        inside = [r for r in as_stats(mine) if window.since <= r.date < window.until]
        expected = {
            "reported": len({r.patchset_id for r in inside}),
            "flaky": len(stats.flaky_patchsets(inside)),
            "duplicates": stats.duplicate_reports(inside, stats_rechecks, "acme-ci", "acme"),
        }
        assert window_counts(report_facts, window) == expected, (reports, rechecks, window)
        counted = facts.counted_rechecks(mine, rechecks, SYSTEM)
        assert sum(in_window(rc.date, window) for rc in counted) == stats.count_rechecks(
            stats_rechecks, as_stats(mine), window, "acme-ci", "acme"
        )


@pytest.mark.parametrize("seed", range(100))
def test_agreement_facts_pair_the_last_reports_of_the_window(seed):
    rng = random.Random(seed)
    reports, _ = random_patchset(rng)
    mine = [r for r in reports if r.system_id == SYSTEM.id]
    reference = [r for r in reports if r.system_id == REFERENCE]
    events = facts.agreement_facts(mine, reference, SYSTEM.id)
    for _ in range(30):
        window = random_window(rng)
        current = [
            e for e in events
            if e.e_lo < window.until and (e.e_hi is None or window.until <= e.e_hi)
            and e.m >= window.since
        ]
        assert len(current) <= 1
        mine_in = [r for r in as_stats(mine) if window.since <= r.date < window.until]
        ref_in = [r for r in as_stats(reference) if window.since <= r.date < window.until]
        agreement, false_failure = stats.agreement(mine_in, ref_in)
        if agreement is None:
            assert not current
        else:
            (event,) = current
            assert agreement == float(event.agree)
            assert false_failure == (float(event.false_failure) if event.ref_success else None)


def test_report_facts_by_hand():
    h = timedelta(hours=1)
    rows = [
        facts.ReportRow(1, 1, T0, "failure", "check"),
        facts.ReportRow(2, 1, T0 + h, "success", "check"),  # flaky: fail_at T0
        facts.ReportRow(3, 1, T0 + 3 * h, "success", "gate"),  # other pipeline: no duplicate
        facts.ReportRow(4, 1, T0 + 4 * h, "success", "gate"),  # duplicate of report 3
    ]
    recheck = [facts.RecheckRow(5, T0 + 30 * timedelta(minutes=1), None)]
    got = facts.report_facts(rows, recheck, SYSTEM)
    assert [f.prev_at for f in got] == [None, T0, T0 + h, T0 + 3 * h]
    assert [f.fail_at for f in got] == [None, T0, T0, T0]
    assert [f.fail2_at for f in got] == [None, None, T0, T0]
    assert [f.dup_prev_at for f in got] == [None, None, None, T0 + 3 * h]  # recheck broke 1-2
    assert [f.next_at for f in got] == [T0 + h, T0 + 3 * h, T0 + 4 * h, None]
    assert facts.counted_rechecks(rows, recheck, SYSTEM) == recheck  # after a failure
