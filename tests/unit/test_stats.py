"""Hand-computed cases for radar_core.stats (docs/definitions.md)."""

from datetime import datetime, timedelta

import pytest

from radar_core import stats
from radar_core.stats import HealthConfig, Patchset, Recheck, Report, Window

T0 = datetime(2024, 5, 1)
UNTIL = T0 + timedelta(days=7)
WINDOW = Window(since=T0, until=UNTIL)
CFG = HealthConfig()
H = timedelta(hours=1)
M = timedelta(minutes=1)
S = timedelta(seconds=1)


def ps(id, created, project="nova", superseded_at=None):
    return Patchset(id=id, project=project, created=created, superseded_at=superseded_at)


def rep(patchset_id, date, result_class, seq=0, system_id=1, pipeline=None):
    return Report(system_id, patchset_id, date, result_class, seq, pipeline)


# --- percentile ----------------------------------------------------------------------------


def test_percentile_empty_is_none():
    assert stats.percentile([], 0.5) is None


@pytest.mark.parametrize("q", [0, 0.5, 0.9, 1])
def test_percentile_one_value(q):
    assert stats.percentile([42], q) == 42.0


def test_percentile_two_values_interpolates():
    assert stats.percentile([20, 10], 0.5) == 15.0
    assert stats.percentile([10, 20], 0.9) == pytest.approx(19.0)
    assert stats.percentile([10, 20], 0) == 10.0
    assert stats.percentile([10, 20], 1) == 20.0


def test_percentile_several_values():
    # rank (4 - 1) * 0.9 = 2.7: 3 + 0.7 * (4 - 3)
    assert stats.percentile([4, 1, 3, 2], 0.9) == pytest.approx(3.7)
    assert stats.percentile([1, 2, 3, 4, 100], 0.5) == 3.0


def test_percentile_rejects_q_outside_unit_interval():
    with pytest.raises(ValueError):
        stats.percentile([1, 2], 50)


# --- watched projects and eligibility --------------------------------------------------------


def test_watched_projects_lookback_bounds():
    by_id = {
        1: ps(1, T0, "nova"),
        2: ps(2, T0, "glance"),
        3: ps(3, T0, "swift"),
        4: ps(4, T0, "cinder"),
    }
    last = UNTIL - S  # the last report before until: the lookback ends there
    reports = [
        rep(1, last - timedelta(days=30), "success"),  # exactly at the start: in
        rep(2, last - timedelta(days=30) - S, "success"),  # just before: out
        rep(3, UNTIL, "success"),  # at until: out
        rep(4, last, "failure"),  # any class counts
        rep(99, UNTIL - H, "success"),  # unknown patchset: ignored
    ]
    assert stats.watched_projects(reports, by_id, UNTIL, CFG) == {"nova", "cinder"}


def test_watched_projects_reach_back_from_the_last_report():
    # A CI that stopped 60 days ago still watches what it watched then.
    last = UNTIL - timedelta(days=60)
    by_id = {1: ps(1, T0, "nova"), 2: ps(2, T0, "glance")}
    reports = [rep(1, last, "success"), rep(2, last - timedelta(days=31), "success")]
    assert stats.watched_projects(reports, by_id, UNTIL, CFG) == {"nova"}


def test_watched_projects_no_reports():
    assert stats.watched_projects([], {1: ps(1, T0)}, UNTIL, CFG) == set()


def test_eligible_window_and_deadline_bounds():
    patchsets = [
        ps(1, T0),  # exactly at since: in
        ps(2, T0 - S),  # before the window: out
        ps(3, UNTIL - 4 * H),  # exactly until - deadline: in
        ps(4, UNTIL - 4 * H + S),  # too late to be due: out
        ps(5, T0 + H, project="glance"),  # not watched: out
        ps(6, UNTIL),  # at until: out
    ]
    eligible = stats.eligible_patchsets(patchsets, {"nova"}, WINDOW, CFG)
    assert [p.id for p in eligible] == [1, 3]


def test_eligible_superseded_around_deadline():
    created = T0 + H
    patchsets = [
        ps(1, created, superseded_at=created + 3 * H + 59 * M),  # out
        ps(2, created, superseded_at=created + 4 * H),  # exactly the deadline: in
        ps(3, created, superseded_at=created + 4 * H + M),  # in
        ps(4, created),  # latest: in
    ]
    eligible = stats.eligible_patchsets(patchsets, {"nova"}, WINDOW, CFG)
    assert [p.id for p in eligible] == [2, 3, 4]


def test_eligible_nothing_watched():
    assert stats.eligible_patchsets([ps(1, T0)], set(), WINDOW, CFG) == []


# --- coverage, latency, timeliness ----------------------------------------------------------


def test_first_report_times_earliest_before_until():
    reports = [
        rep(1, T0 + 3 * H, "success"),
        rep(1, T0 + H, "unknown"),  # any class counts as reported
        rep(1, T0 + 2 * H, "failure"),
        rep(2, UNTIL, "success"),  # at until: out
        rep(3, UNTIL + H, "success"),
    ]
    assert stats.first_report_times(reports, UNTIL) == {1: T0 + H}


def test_coverage_counts_reported_eligible():
    eligible = [ps(1, T0), ps(2, T0), ps(3, T0)]
    first = {1: T0 + H, 3: T0 + 10 * H, 9: T0}  # 9 is not eligible
    assert stats.coverage(eligible, first) == pytest.approx(2 / 3)


def test_coverage_nothing_eligible():
    assert stats.coverage([], {1: T0}) is None


def test_latencies_seconds_reported_only():
    eligible = [ps(1, T0), ps(2, T0 + H), ps(3, T0)]
    first = {1: T0 + 90 * S, 2: T0 + 6 * H}
    assert stats.latencies(eligible, first) == [90.0, 18000.0]


def test_timeliness_deadline_inclusive():
    assert stats.timeliness([60.0, 14400.0, 14401.0], CFG) == pytest.approx(2 / 3)
    assert stats.timeliness([20000.0], CFG) == 0.0


def test_timeliness_no_latency():
    assert stats.timeliness([], CFG) is None


# --- counts and success rate ----------------------------------------------------------------


def test_result_counts_and_success_rate():
    classes = ["success", "success", "failure", "error", "skipped", "unknown", "success"]
    counts = stats.result_counts(rep(1, T0, c) for c in classes)
    assert counts == {"reports": 7, "success": 3, "failure": 1, "error": 1, "other": 2}
    assert stats.success_rate(counts) == pytest.approx(3 / 5)


def test_result_counts_empty_and_success_rate_none():
    counts = stats.result_counts([])
    assert counts == {"reports": 0, "success": 0, "failure": 0, "error": 0, "other": 0}
    assert stats.success_rate(counts) is None
    only_other = stats.result_counts([rep(1, T0, "skipped"), rep(1, T0, "unknown")])
    assert stats.success_rate(only_other) is None


# --- flaky and stability --------------------------------------------------------------------


def test_flaky_failure_then_success():
    reports = [rep(1, T0 + 2 * H, "success"), rep(1, T0 + H, "failure")]  # unsorted input
    assert stats.flaky_patchsets(reports) == {1}


def test_not_flaky_success_then_failure_or_error_then_success():
    reports = [
        rep(1, T0 + H, "success"),
        rep(1, T0 + 2 * H, "failure"),
        rep(2, T0 + H, "error"),
        rep(2, T0 + 2 * H, "success"),
        rep(3, T0 + H, "failure"),
        rep(3, T0 + 2 * H, "error"),
        rep(3, T0 + 3 * H, "skipped"),
        rep(3, T0 + 4 * H, "unknown"),
    ]
    assert stats.flaky_patchsets(reports) == set()


def test_flaky_with_success_in_between():
    reports = [
        rep(1, T0 + H, "success"),
        rep(1, T0 + 2 * H, "failure"),
        rep(1, T0 + 3 * H, "skipped"),
        rep(1, T0 + 4 * H, "success"),
    ]
    assert stats.flaky_patchsets(reports) == {1}


def test_flaky_equal_dates_ordered_by_seq():
    reports = [
        rep(1, T0, "success", seq=2),
        rep(1, T0, "failure", seq=1),  # failure first, then success: flaky
        rep(2, T0, "success", seq=1),
        rep(2, T0, "failure", seq=2),  # success first: not flaky
    ]
    assert stats.flaky_patchsets(reports) == {1}


def test_stability():
    reports = [
        rep(1, T0 + H, "failure"),
        rep(1, T0 + 2 * H, "success"),
        rep(2, T0 + H, "success"),
        rep(3, T0 + H, "failure"),
    ]
    assert stats.stability(reports) == pytest.approx(1 - 1 / 3)


def test_stability_no_reports():
    assert stats.stability([]) is None


# --- rechecks and duplicates ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (None, True),
        ("acme-ci", True),
        ("ACME-CI", True),
        ("Acme", True),
        ("zuul", False),
        ("acme-c", False),
    ],
)
def test_recheck_applies(target, expected):
    assert stats.recheck_applies(Recheck(1, T0, target), "acme-ci", "acme") is expected


def test_recheck_applies_mixed_case_names():
    assert stats.recheck_applies(Recheck(1, T0, "acme-ci"), "Acme-CI", None) is True
    assert stats.recheck_applies(Recheck(1, T0, "ACME"), "x", "AcMe") is True


def test_recheck_applies_without_keyword():
    assert stats.recheck_applies(Recheck(1, T0, "acme-ci"), "acme-ci", None) is True
    assert stats.recheck_applies(Recheck(1, T0, "acme"), "acme-ci", None) is False


def test_count_rechecks():
    reports = [
        rep(1, T0 + H, "failure"),
        rep(2, T0 + H, "success"),
        rep(3, T0 + 5 * H, "failure"),  # only after the recheck
        rep(4, T0 + H, "failure"),
        rep(5, T0 + H, "success"),
        rep(5, T0 + 2 * H, "error"),  # latest before the recheck: not success
        rep(6, T0 + H, "failure"),
        rep(6, T0 + 2 * H, "success"),  # latest before the recheck: success
        rep(7, T0 - 2 * H, "failure"),
    ]
    rechecks = [
        Recheck(1, T0 + 2 * H, None),  # counts
        Recheck(1, T0 + 3 * H, "ACME"),  # counts (keyword, any case)
        Recheck(2, T0 + 2 * H, None),  # latest is success
        Recheck(3, T0 + 2 * H, None),  # no report before
        Recheck(4, T0 + 2 * H, "other-ci"),  # names another CI
        Recheck(5, T0 + 3 * H, "acme-ci"),  # counts
        Recheck(6, T0 + 3 * H, None),  # latest is success
        Recheck(7, T0 - H, None),  # before the window
        Recheck(1, UNTIL, None),  # at until: out of the window
    ]
    assert stats.count_rechecks(rechecks, reports, WINDOW, "acme-ci", "acme") == 3


def test_count_rechecks_report_at_same_date_is_not_before():
    reports = [rep(1, T0 + H, "failure"), rep(1, T0 + 2 * H, "success")]
    # The success is not dated before the recheck: the latest before it is the failure.
    assert stats.count_rechecks([Recheck(1, T0 + 2 * H, None)], reports, WINDOW, "a", None) == 1
    # A recheck at the same date as the only report has no report before it.
    assert stats.count_rechecks([Recheck(1, T0 + H, None)], reports, WINDOW, "a", None) == 0


def test_count_rechecks_none():
    assert stats.count_rechecks([], [], WINDOW, "a", "b") == 0


def test_duplicates_without_recheck():
    reports = [rep(1, T0 + H, "failure"), rep(1, T0 + 2 * H, "failure"), rep(1, T0 + 3 * H, "x")]
    assert stats.duplicate_reports(reports, [], "acme-ci", "acme") == 2


def test_duplicates_with_recheck_in_between():
    reports = [rep(1, T0 + H, "failure"), rep(1, T0 + 3 * H, "success")]
    rechecks = [Recheck(1, T0 + 2 * H, None)]
    assert stats.duplicate_reports(reports, rechecks, "acme-ci", "acme") == 0


def test_duplicates_recheck_must_be_strictly_between_and_apply():
    reports = [
        rep(1, T0 + H, "failure"),
        rep(1, T0 + 2 * H, "failure"),  # recheck at the previous report's date: duplicate
        rep(2, T0 + H, "failure"),
        rep(2, T0 + 2 * H, "failure"),  # recheck at this report's date: duplicate
        rep(3, T0 + H, "failure"),
        rep(3, T0 + 3 * H, "failure"),  # recheck names another CI: duplicate
        rep(4, T0 + H, "failure"),
        rep(4, T0 + 3 * H, "failure"),  # recheck with the keyword: not a duplicate
        rep(4, T0 + 4 * H, "failure"),  # nothing since: duplicate
    ]
    rechecks = [
        Recheck(1, T0 + H, None),
        Recheck(2, T0 + 2 * H, None),
        Recheck(3, T0 + 2 * H, "zuul"),
        Recheck(4, T0 + 2 * H, "acme"),
    ]
    assert stats.duplicate_reports(reports, rechecks, "acme-ci", "acme") == 4


def test_duplicates_are_counted_per_pipeline():
    reports = [
        rep(1, T0 + H, "success", pipeline="check"),
        rep(1, T0 + 2 * H, "success", pipeline="gate"),  # check then gate: not a duplicate
        rep(1, T0 + 3 * H, "success", pipeline="gate"),  # a second gate report: duplicate
        rep(1, T0 + 4 * H, "success"),  # no pipeline: a group of its own, first of it
        rep(1, T0 + 5 * H, "success"),  # second without pipeline: duplicate
    ]
    assert stats.duplicate_reports(reports, [], "acme-ci", "acme") == 2


def test_duplicates_one_recheck_between_first_pair_only():
    reports = [rep(1, T0 + H, "f"), rep(1, T0 + 3 * H, "f"), rep(1, T0 + 5 * H, "f")]
    rechecks = [Recheck(1, T0 + 2 * H, None), Recheck(1, T0 + 6 * H, None)]
    assert stats.duplicate_reports(reports, rechecks, "acme-ci", "acme") == 1


# --- agreement ------------------------------------------------------------------------------


def test_agreement_and_false_failure_rate():
    mine = [
        rep(1, T0 + H, "success"),
        rep(2, T0 + H, "failure"),
        rep(3, T0 + H, "failure"),
        rep(3, T0 + 2 * H, "success"),  # last one counts
        rep(4, T0 + H, "failure"),  # reference did not report: excluded
        rep(5, T0 + H, "error"),
    ]
    reference = [
        rep(1, T0 + H, "success", system_id=9),
        rep(2, T0 + H, "success", system_id=9),
        rep(3, T0 + H, "failure", system_id=9),
        rep(5, T0 + H, "success", system_id=9),
        rep(6, T0 + H, "success", system_id=9),  # S did not report: excluded
    ]
    agree, false_failure = stats.agreement(mine, reference)
    assert agree == pytest.approx(1 / 4)  # only patchset 1 agrees
    assert false_failure == pytest.approx(1 / 3)  # of 1, 2, 5: only 2 is a failure


def test_agreement_equal_dates_last_by_seq():
    mine = [rep(1, T0, "success", seq=2), rep(1, T0, "failure", seq=1)]
    reference = [rep(1, T0, "success", system_id=9)]
    assert stats.agreement(mine, reference) == (1.0, 0.0)


def test_agreement_no_common_patchset():
    assert stats.agreement([rep(1, T0, "success")], [rep(2, T0, "success", 0, 9)]) == (None, None)
    assert stats.agreement([], []) == (None, None)


def test_false_failure_rate_none_without_reference_success():
    assert stats.agreement([rep(1, T0, "failure")], [rep(1, T0, "failure", 0, 9)]) == (1.0, None)


# --- score and status -----------------------------------------------------------------------


def test_health_score_all_components():
    components = {"coverage": 0.8, "timeliness": 0.5, "success_rate": 0.9, "stability": 1.0}
    # 0.35 * 0.8 + 0.25 * 0.5 + 0.25 * 0.9 + 0.15 * 1.0 = 0.78
    assert stats.health_score(components, CFG) == 78


def test_health_score_component_drops_out():
    components = {"coverage": None, "timeliness": 1.0, "success_rate": 0.5, "stability": 0.0}
    # (0.25 * 1.0 + 0.25 * 0.5 + 0.15 * 0.0) / 0.65 = 0.5769...
    assert stats.health_score(components, CFG) == 58
    assert stats.health_score({"coverage": 0.0, "stability": 1.0}, CFG) == 30  # 0.15 / 0.5


def test_health_score_all_none():
    components = dict.fromkeys(stats.COMPONENTS)
    assert stats.health_score(components, CFG) is None
    assert stats.health_score({}, CFG) is None


def test_health_score_rounds_half_to_even():
    cfg = HealthConfig(weight_stability=1.0)
    assert stats.health_score({"stability": 0.125}, cfg) == 12
    assert stats.health_score({"stability": 0.375}, cfg) == 38


def test_health_score_custom_weights():
    cfg = HealthConfig(weight_coverage=1.0, weight_timeliness=0.0)
    assert stats.health_score({"coverage": 0.5, "timeliness": 0.0}, cfg) == 50


def test_health_score_unknown_component():
    with pytest.raises(ValueError):
        stats.health_score({"speed": 1.0}, CFG)


def status(last_report_at=UNTIL - H, last_success_at=UNTIL - H, score=90, pending=False):
    return stats.health_status(
        last_report_at=last_report_at,
        last_success_at=last_success_at,
        score=score,
        pending_eligible=pending,
        until=UNTIL,
        cfg=CFG,
    )


def test_status_unknown_only_when_it_never_reported():
    assert status(last_report_at=None, last_success_at=None) == "unknown"
    # A CI dead for long is silent (patchsets waited) or failing, never unknown.
    long_ago = UNTIL - timedelta(days=60)
    assert status(last_report_at=long_ago, last_success_at=long_ago, pending=True) == "silent"
    assert status(last_report_at=long_ago, last_success_at=long_ago) == "failing"


def test_status_silent():
    assert status(last_report_at=UNTIL - 25 * H, pending=True) == "silent"
    assert status(last_report_at=UNTIL - 24 * H - S, score=10, pending=True) == "silent"
    # a report exactly silent_after before until is inside [until - 24h, until)
    assert status(last_report_at=UNTIL - 24 * H, pending=True) == "healthy"
    # nothing came in since the last report
    assert status(last_report_at=UNTIL - 25 * H, pending=False) == "healthy"


def test_status_failing_by_score():
    assert status(score=49) == "failing"
    assert status(score=50) == "degraded"


def test_status_failing_without_recent_success():
    assert status(last_success_at=None) == "failing"
    assert status(last_success_at=UNTIL - timedelta(days=14) - S) == "failing"
    assert status(last_success_at=UNTIL - timedelta(days=14)) == "healthy"
    assert status(last_success_at=None, score=None) == "failing"


def test_status_degraded_and_healthy():
    assert status(score=79) == "degraded"
    assert status(score=80) == "healthy"
    assert status(score=None) == "healthy"


def test_status_thresholds_from_config():
    cfg = HealthConfig(score_failing_below=30, score_degraded_below=60)
    common = {"last_report_at": UNTIL - H, "last_success_at": UNTIL - H, "until": UNTIL}
    common |= {"pending_eligible": False, "cfg": cfg}
    assert stats.health_status(score=40, **common) == "degraded"
    assert stats.health_status(score=29, **common) == "failing"
    assert stats.health_status(score=60, **common) == "healthy"


def test_score_is_capped_when_failing_or_silent():
    assert stats.capped_score(75, "failing", CFG) == 49
    assert stats.capped_score(90, "silent", CFG) == 49
    assert stats.capped_score(30, "failing", CFG) == 30
    assert stats.capped_score(75, "degraded", CFG) == 75
    assert stats.capped_score(None, "silent", CFG) is None
    assert stats.capped_score(75, "failing", HealthConfig(score_failing_below=30)) == 29


def test_severity_order():
    statuses = ["healthy", "unknown", "silent", "degraded", "failing"]
    ranked = sorted(statuses, key=stats.severity_rank)
    assert ranked == ["failing", "silent", "degraded", "unknown", "healthy"]


def test_pending_patchsets_after():
    last = UNTIL - 2 * timedelta(days=1)

    def pending(*patchsets, last_report_at=last):
        return stats.pending_patchsets_after(patchsets, {"nova"}, last_report_at, UNTIL, CFG)

    assert pending() is False
    assert pending(ps(1, last)) is False  # not after the last report
    assert pending(ps(1, last + S)) is True
    assert pending(ps(1, UNTIL - 4 * H)) is True  # at until - deadline
    assert pending(ps(1, UNTIL - 4 * H + S)) is False  # not due yet
    assert pending(ps(1, last + H, project="glance")) is False  # not watched
    assert pending(ps(1, last + H, superseded_at=last + 4 * H - S)) is False
    assert pending(ps(1, last + H, superseded_at=last + 5 * H)) is True
    assert pending(ps(1, T0 - timedelta(days=9)), last_report_at=None) is True


# --- system_figures -------------------------------------------------------------------------


def scenario():
    """Hand-computed scenario; see test_system_figures for the expected figures."""
    d = timedelta(days=1)
    patchsets = [
        ps(1, T0 + d),  # eligible, flaky, latency 1h
        ps(2, T0 + 2 * d),  # eligible, latency 5h, one duplicate
        ps(3, T0 + 3 * d),  # eligible, never reported (only at until)
        ps(4, T0 + 4 * d, superseded_at=T0 + 4 * d + H),  # short-lived
        ps(5, UNTIL - 2 * H),  # too recent to be due
        ps(6, T0 - d),  # before the window
        ps(7, T0 + d, project="glance"),  # not watched
    ]
    reports = [
        rep(1, T0 + d + H, "failure"),
        rep(1, T0 + d + 3 * H, "success"),
        rep(2, T0 + 2 * d + 5 * H, "success"),
        rep(2, T0 + 2 * d + 6 * H, "success"),
        rep(5, UNTIL - H, "error"),
        rep(6, T0, "success"),  # exactly at since: in the window
        rep(3, UNTIL, "failure"),  # exactly at until: out
        rep(3, T0 + 3 * d + H, "success", system_id=2),  # another system: ignored
    ]
    rechecks = [
        Recheck(1, T0 + d + 2 * H, None),  # after a failure: counts
        Recheck(2, T0 + 2 * d + 7 * H, "ACME"),  # after a success: no
        Recheck(5, UNTIL - 30 * M, "other-ci"),  # another CI: no
        Recheck(5, UNTIL - 20 * M, "Acme-CI"),  # after an error: counts
    ]
    reference = [
        rep(1, T0 + d + 4 * H, "success", system_id=9),
        rep(2, T0 + 2 * d + 4 * H, "failure", system_id=9),
        rep(5, UNTIL - H, "error", system_id=9),
        rep(3, T0 - H, "success", system_id=9),  # before the window
    ]
    return patchsets, reports, rechecks, reference


def test_system_figures():
    patchsets, reports, rechecks, reference = scenario()
    figures = stats.system_figures(
        1, "acme-ci", "acme", patchsets, reports, rechecks, WINDOW, CFG, reference
    )
    assert figures == stats.SystemFigures(
        reports=6,
        success=4,
        failure=1,
        error=1,
        other=0,
        patchsets_eligible=3,
        patchsets_reported=2,
        latency_p50_s=10800.0,  # latencies 3600 and 18000
        latency_p90_s=pytest.approx(16560.0),
        last_report_at=UNTIL - H,
        last_success_at=T0 + timedelta(days=2, hours=6),
        rechecks=2,
        flaky_patchsets=1,
        duplicate_reports=1,
        agreement=pytest.approx(2 / 3),  # patchsets 1 and 5 agree, 2 does not
        false_failure_rate=0.0,  # patchset 1: reference success, S success
        coverage=pytest.approx(2 / 3),
        timeliness=0.5,
        success_rate=pytest.approx(4 / 6),
        stability=0.75,  # 1 flaky of 4 patchsets reported on in the window
        # 0.35 * 2/3 + 0.25 * 0.5 + 0.25 * 2/3 + 0.15 * 0.75 = 0.6375
        score=64,
        status="degraded",
    )


def test_system_figures_without_reference():
    patchsets, reports, rechecks, _ = scenario()
    figures = stats.system_figures(1, "acme-ci", "acme", patchsets, reports, rechecks, WINDOW, CFG)
    assert (figures.agreement, figures.false_failure_rate) == (None, None)
    assert figures.score == 64


def test_system_figures_no_data():
    figures = stats.system_figures(1, "acme-ci", None, [], [], [], WINDOW, CFG, [])
    assert figures == stats.SystemFigures(
        reports=0,
        success=0,
        failure=0,
        error=0,
        other=0,
        patchsets_eligible=0,
        patchsets_reported=0,
        latency_p50_s=None,
        latency_p90_s=None,
        last_report_at=None,
        last_success_at=None,
        rechecks=0,
        flaky_patchsets=0,
        duplicate_reports=0,
        agreement=None,
        false_failure_rate=None,
        coverage=None,
        timeliness=None,
        success_rate=None,
        stability=None,
        score=None,
        status="unknown",
    )


def test_system_figures_silent():
    # Last report 3 days before until (before a 1-day window); a patchset arrived after it.
    window = Window(since=UNTIL - timedelta(days=1), until=UNTIL)
    last = UNTIL - timedelta(days=3)
    patchsets = [ps(1, last - H), ps(2, last + H)]
    reports = [rep(1, last, "success")]
    figures = stats.system_figures(1, "acme-ci", None, patchsets, reports, [], window, CFG)
    assert (figures.reports, figures.patchsets_eligible, figures.score) == (0, 0, None)
    assert figures.last_report_at == last
    assert figures.status == "silent"
    # Dead for 60 days: still silent, and its coverage falls to 0 over patchsets it missed.
    last = UNTIL - timedelta(days=60)
    dead = stats.system_figures(
        1, "acme-ci", None, [ps(1, last - H), ps(2, UNTIL - 10 * H)],
        [rep(1, last, "success")], [], window, CFG,
    )
    assert (dead.status, dead.coverage, dead.patchsets_eligible) == ("silent", 0.0, 1)
    assert dead.score == 0
    # The same without the newer patchset: nothing is pending, score None, success recent.
    figures = stats.system_figures(1, "acme-ci", None, patchsets[:1], reports, [], window, CFG)
    assert figures.status == "healthy"


def test_system_figures_failing_without_success():
    patchsets = [ps(1, T0 + H)]
    reports = [rep(1, T0 + 2 * H, "failure"), rep(1, UNTIL - H, "failure")]
    figures = stats.system_figures(1, "acme-ci", None, patchsets, reports, [], WINDOW, CFG)
    # coverage 1, timeliness 1, success_rate 0, stability 1: 0.75 -> 75, but no success at all:
    # failing, and the score agrees with the status
    assert figures.score == 49
    assert figures.last_success_at is None
    assert figures.duplicate_reports == 1
    assert figures.status == "failing"
