"""The simulator's truth: docs/definitions.md on hand-built worlds, and the generated statuses."""

from datetime import datetime, timedelta

import pytest

from radar_demo.scenario import Account, CISystem, Scenario
from radar_demo.truth import FIGURE_KEYS, expected_figures, expected_totals, percentile

UNTIL = datetime(2026, 3, 15, 12, 0)
SINCE = UNTIL - timedelta(days=7)
H = timedelta(hours=1)
D = timedelta(days=1)


def ci(account_id, username, behaviour="healthy"):
    return CISystem(Account(account_id, username, username, f"{username}@ci"), behaviour,
                    "zuul_v3", "healthy")  # fmt: skip


S, OTHER, REF, NEVER = ci(200, "alpha-ci"), ci(201, "beta-ci"), ci(100, "zuul"), ci(300, "mute")
HUMAN = Account(1000, "Human", "human", "human@example.org")


class World:
    """A hand-built scenario: ``change()`` adds a change, ``report()``/``recheck()`` messages."""

    def __init__(self):
        self.scenario = Scenario(UNTIL, systems=(REF, S, OTHER, NEVER), humans=(HUMAN,))

    def change(self, created, project="openstack/nova", *later_patchsets):
        change = self.scenario.add_change(project, "master", HUMAN.id, created)
        for when in later_patchsets:
            self.scenario.add_patchset(change, when)
        return change

    def report(self, change, ps, date, result, system=S, pipeline=None):
        self.scenario.post(
            change, date, "report", f"{result}", ps, system.id, result=result, pipeline=pipeline
        )

    def recheck(self, change, ps, date, target=None):
        self.scenario.post(change, date, "recheck", "recheck", ps, HUMAN.id,
                           target_id=target and target.id)  # fmt: skip

    def figures(self, system=S, **options):
        return expected_figures(self.scenario, SINCE, UNTIL, **options)[system.id]


def test_percentile_is_numpys_linear():
    assert percentile([], 0.5) is None
    assert percentile([5], 0.9) == 5.0
    assert percentile([4, 1, 3, 2], 0.5) == 2.5
    assert percentile([1, 2, 3, 4], 0.9) == pytest.approx(3.7)


def test_eligibility_latency_coverage_and_score():
    w = World()
    t0 = UNTIL - 6 * D
    a = w.change(t0, "openstack/nova", t0 + 2 * H, t0 + 6 * H)
    w.report(a, 1, t0 + 30 * timedelta(minutes=1), "SUCCESS")  # ps1 superseded after 2h: out
    w.report(a, 2, t0 + 3 * H, "SUCCESS")  # ps2 superseded exactly 4h later: eligible, 1h
    w.report(a, 3, t0 + 11 * H, "FAILURE")  # latency 5h: reported but late
    w.change(UNTIL - 3 * H)  # too recent to be eligible
    w.change(UNTIL - 5 * D)  # eligible, never reported
    w.change(UNTIL - 2 * D, "openstack/cinder")  # not a watched project
    e = w.change(SINCE - H)  # created before the window
    w.report(e, 1, SINCE + H, "SUCCESS")
    f = w.change(UNTIL - 10 * H)  # reported only after the window: not reported
    w.report(f, 1, UNTIL + H, "SUCCESS")
    g = w.change(UNTIL - 20 * H)
    w.report(g, 1, UNTIL - 19 * H, "SUCCESS")

    figures = w.figures()
    assert set(figures) == set(FIGURE_KEYS)
    assert figures["patchsets_eligible"] == 5  # a2, a3, the unreported one, f, g
    assert figures["patchsets_reported"] == 3
    assert figures["coverage"] == pytest.approx(0.6)
    assert figures["latency_p50_s"] == 3600.0
    assert figures["latency_p90_s"] == pytest.approx(3600 + 0.8 * 14400)
    assert figures["timeliness"] == pytest.approx(2 / 3)
    assert (figures["reports"], figures["success"], figures["failure"]) == (5, 4, 1)
    assert figures["success_rate"] == pytest.approx(0.8)
    assert figures["stability"] == 1.0
    assert figures["score"] == round(100 * (0.35 * 0.6 + 0.25 * 2 / 3 + 0.25 * 0.8 + 0.15))
    assert figures["score"] == 73 and figures["status"] == "degraded"
    assert figures["last_report_at"] == figures["last_success_at"] == UNTIL - 19 * H


def test_flaky_rechecks_and_duplicates():
    w = World()
    t0 = UNTIL - 2 * D
    h = w.change(t0)
    w.report(h, 1, t0 + H, "FAILURE")
    w.recheck(h, 1, t0 + 2 * H)  # counts: the latest report before it failed
    w.report(h, 1, t0 + 3 * H, "SUCCESS")  # flaky, not a duplicate
    w.report(h, 1, t0 + 3 * H + timedelta(seconds=30), "SUCCESS")  # duplicate
    w.recheck(h, 1, t0 + 4 * H, target=OTHER)  # does not apply to S
    w.report(h, 1, t0 + 5 * H, "SUCCESS")  # duplicate
    w.recheck(h, 1, t0 + 6 * H, target=S)  # applies, but S's latest report succeeded
    w.report(h, 1, t0 + 7 * H, "FAILURE")  # not a duplicate
    i = w.change(UNTIL - 3 * D)
    w.recheck(i, 1, UNTIL - 3 * D + H)  # no report by S before it
    w.report(i, 1, UNTIL - 3 * D + 2 * H, "FAILURE")
    j = w.change(SINCE - 2 * D)
    w.report(j, 1, SINCE - D, "FAILURE")  # before the window
    w.recheck(j, 1, SINCE + H)  # counts: the failure before the window is S's latest
    w.report(j, 1, SINCE + 2 * H, "SUCCESS")  # only in-window reports make a flaky patchset

    figures = w.figures()
    assert figures["rechecks"] == 2
    assert figures["duplicate_reports"] == 2
    assert figures["flaky_patchsets"] == 1
    assert figures["stability"] == pytest.approx(1 - 1 / 3)
    assert w.figures(OTHER)["rechecks"] == 0  # OTHER never reported


def test_agreement_with_the_reference():
    w = World()
    t0 = UNTIL - 3 * D
    k, ell, m, n, o = (w.change(t0) for _ in range(5))
    w.report(k, 1, t0 + H, "SUCCESS")
    w.report(k, 1, t0 + 2 * H, "FAILURE")  # S's last word on k: a false failure
    w.report(k, 1, t0 + H, "SUCCESS", REF)
    w.report(ell, 1, t0 + H, "SUCCESS")
    w.report(ell, 1, t0 + H, "SUCCESS", REF)
    w.report(m, 1, t0 + H, "ERROR")
    w.report(m, 1, t0 + H, "FAILURE", REF)
    w.report(n, 1, t0 + H, "SUCCESS", REF)
    w.report(o, 1, t0 + H, "SUCCESS")
    old = w.change(SINCE - 3 * D)
    w.report(old, 1, SINCE - 2 * D, "SUCCESS", REF)  # the reference's report is too old
    w.report(old, 1, SINCE + H, "SUCCESS")

    figures = w.figures()
    assert figures["agreement"] == pytest.approx(1 / 3)
    assert figures["false_failure_rate"] == pytest.approx(1 / 2)
    assert figures["error"] == 1
    reference = w.figures(REF)
    assert (reference["agreement"], reference["false_failure_rate"]) == (1.0, 0.0)
    unreferenced = w.figures(reference_username=None)
    assert unreferenced["agreement"] is unreferenced["false_failure_rate"] is None


def test_other_results_and_rescaled_score():
    w = World()
    old = w.change(SINCE - 3 * D)  # reports in the window, but no eligible patchset
    for offset, result in enumerate(("FAILURE", "SUCCESS", "ABORTED", "UNKNOWN", "MERGE_FAILED")):
        w.report(old, 1, UNTIL - 10 * H + offset * H, result)
    figures = w.figures()
    assert (figures["success"], figures["failure"], figures["error"], figures["other"]) == (
        1, 1, 1, 2,
    )  # fmt: skip
    assert figures["patchsets_eligible"] == 0
    assert figures["coverage"] is figures["timeliness"] is None
    assert figures["success_rate"] == pytest.approx(1 / 3)
    assert figures["stability"] == 0.0  # failure then success on the one patchset
    assert figures["score"] == round(100 * (0.25 / 3) / 0.4)
    assert figures["status"] == "failing"  # score 21 < 50


def test_status_unknown_silent_failing_healthy():
    w = World()
    ancient = w.change(UNTIL - 40 * D)
    w.report(ancient, 1, UNTIL - 35 * D, "SUCCESS", OTHER)  # long ago: not unknown any more
    assert w.figures(OTHER)["status"] == "failing"  # no success for 14 days, nothing pending
    assert w.figures(NEVER)["status"] == "unknown"  # unknown: never reported
    assert w.figures(NEVER)["score"] is None

    # One success 10 days ago, nothing to do since: no score, yet healthy.
    quiet = w.change(UNTIL - 11 * D, "openstack/swift")
    w.report(quiet, 1, UNTIL - 10 * D, "SUCCESS")
    assert w.figures()["score"] is None
    assert w.figures()["status"] == "healthy"

    # A new swift patchset nobody reported on: now silent.
    w.change(UNTIL - 2 * D, "openstack/swift")
    assert w.figures()["status"] == "silent"
    # The one that reported 35 days ago still watches its last report's project: a new
    # patchset there makes it silent.
    assert w.figures(OTHER)["status"] == "failing"
    w.change(UNTIL - 2 * D, ancient.project)
    assert w.figures(OTHER)["status"] == "silent"
    # After a recent report it is judged by its score and its successes instead.
    fresh = w.change(UNTIL - 6 * H, "openstack/swift")
    w.report(fresh, 1, UNTIL - 5 * H, "FAILURE")
    figures = w.figures()
    assert (figures["coverage"], figures["timeliness"], figures["success_rate"]) == (0.5, 1, 0)
    # 100 * 0.575 is 57.49999... in floating point: Python's round gives 57.
    assert (figures["score"], figures["status"]) == (57, "degraded")


def test_not_silent_for_patchsets_too_young_or_superseded_quickly():
    w = World()
    old = w.change(UNTIL - 3 * D)
    w.report(old, 1, UNTIL - 3 * D + H, "SUCCESS")
    w.change(UNTIL - 5 * H, "openstack/nova", UNTIL - 3 * H)  # ps1 superseded after 2h
    assert w.figures()["status"] != "silent"
    w.change(UNTIL - 4 * H)  # created exactly report_deadline before until
    assert w.figures()["status"] == "silent"


def test_no_success_for_two_weeks_is_failing():
    w = World()
    for day in range(1, 7):
        change = w.change(UNTIL - day * D)
        w.report(change, 1, UNTIL - day * D + H, "FAILURE")
    figures = w.figures()
    # Full coverage, timeliness and stability make 75, capped at 49: failing scores below 50.
    assert figures["score"] == 49
    assert figures["status"] == "failing"
    assert figures["last_success_at"] is None


def test_deadline_options_are_used():
    w = World()
    c = w.change(UNTIL - 2 * D)
    w.report(c, 1, UNTIL - 2 * D + 3 * H, "SUCCESS")
    assert w.figures()["timeliness"] == 1.0
    assert w.figures(report_deadline=2 * 3600)["timeliness"] == 0.0
    assert w.figures(report_deadline=timedelta(hours=2))["timeliness"] == 0.0


# --- generated scenarios -------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_each_behaviour_lands_in_its_status(seed):
    scenario = Scenario.generate(seed=seed, end=UNTIL)
    figures = expected_figures(scenario, SINCE, UNTIL)
    assert set(figures) == {s.id for s in scenario.systems}
    for system in scenario.systems:
        status = figures[system.id]["status"]
        if system.behaviour == "partial":
            assert status in ("degraded", "failing"), system.username
        else:
            assert status == system.intended_status, (system.username, figures[system.id])
    assert figures[scenario.system("unicode-ci").id]["duplicate_reports"] > 0
    assert figures[scenario.system("flaky-ci").id]["flaky_patchsets"] > 0
    assert figures[scenario.system("flaky-ci").id]["rechecks"] > 0
    assert figures[scenario.system("zuul").id]["agreement"] == 1.0
    assert figures[scenario.system("partial-ci").id]["coverage"] < 0.65
    assert figures[scenario.system("turtle-ci").id]["latency_p50_s"] > 4 * 3600


def test_expected_totals_count_every_message():
    scenario = Scenario.generate(seed=3, end=UNTIL)
    totals = expected_totals(scenario)
    messages = [m for c in scenario.changes for m in c.messages]
    assert totals["messages"] == len(messages)
    assert totals["changes"] == len(scenario.changes)
    assert totals["rechecks"] == sum(m.kind == "recheck" for m in messages)
    assert totals["rechecks"] == sum(totals["rechecks_by_patchset"].values())
    assert set(totals["systems"]) == {s.id for s in scenario.systems}
    for system in scenario.systems:
        mine = [m for m in messages if m.author_id == system.id]
        counts = totals["systems"][system.id]
        assert counts["reports"] == sum(m.kind == "report" for m in mine)
        assert counts["notices"] == sum(m.kind == "notice" for m in mine)
        assert sum(counts["by_result"].values()) == counts["reports"]
        assert sum(counts["by_class"].values()) == counts["reports"]
    quiet = totals["systems"][scenario.system("quiet-ci").id]
    assert quiet == {"reports": 0, "by_result": {}, "by_class": {}, "notices": 0,
                     "rechecks_naming": 0, "jobs": {}}  # fmt: skip
    hermes = totals["systems"][scenario.system("hermes-ci").id]
    assert {"SUCCESS", "FAILURE"} <= set(hermes["by_result"])
    assert hermes["by_class"]["success"] == hermes["by_result"]["SUCCESS"]


def test_duplicates_per_pipeline():
    w = World()
    c = w.change(UNTIL - 2 * D)
    w.report(c, 1, UNTIL - 2 * D + H, "SUCCESS", pipeline="check")
    w.report(c, 1, UNTIL - 2 * D + 2 * H, "SUCCESS", pipeline="gate")  # check, then gate
    w.report(c, 1, UNTIL - 2 * D + 3 * H, "SUCCESS", pipeline="gate")  # gate twice: one
    assert w.figures()["duplicate_reports"] == 1


def test_status_history_and_since():
    from radar_demo.truth import expected_changes, expected_status_history, expected_status_since

    w = World()
    c = w.change(UNTIL - 3 * D)
    w.report(c, 1, UNTIL - 3 * D + H, "SUCCESS")
    w.change(UNTIL - 2 * D)  # nobody reports on it: silent once silent_after has passed
    history = expected_status_history(
        w.scenario, UNTIL - 3 * D, UNTIL, window=7 * D
    )[S.id]
    assert history[0] == (UNTIL - 3 * D, "unknown")
    statuses = [status for _, status in history]
    assert statuses[-1] == "silent" and "healthy" in statuses
    changes = expected_changes(history)
    assert [(before, after) for _, before, after in changes] == [
        ("unknown", "healthy"), ("healthy", "silent"),
    ]  # fmt: skip
    # silent once the 4h deadline of the second patchset has passed and 24h went by
    assert changes[-1][0] == UNTIL - 2 * D + 4 * H
    assert expected_status_since(history, "silent") == changes[-1][0]
    assert expected_status_since(history, "healthy") is None
