"""Every figure the API serves equals the simulator's truth (computed from how it generated
the data, never through Radar's code), and every simulated behaviour lands in its status; on
SQLite and on MariaDB, whose statements differ in places (radar_core/engine/read.py)."""

from datetime import datetime, timedelta

import pytest
import requests

from tests.conftest import BACKENDS, LiveApi, create_database_url


@pytest.fixture(scope="module", params=BACKENDS)
def live_api(request, tmp_path_factory):
    """The session's SQLite stack, or the same world collected into MariaDB."""
    if request.param == "sqlite":
        yield request.getfixturevalue("live_api")
        return
    from radar_demo.stack import Stack

    request.applymarker(pytest.mark.mysql)
    url, drop = create_database_url("mysql", tmp_path_factory.mktemp("live-mysql"))
    stack = Stack(url, seed=42, days=12, poll_interval=300)
    try:
        stack.start(serve_api=True)
        outcomes = stack.poll()
        assert all(outcome.ok for outcome in outcomes), outcomes
        yield LiveApi(stack)
    finally:
        stack.stop()
        drop()

COUNTS = ["reports", "success", "failure", "error", "other", "patchsets_eligible",
          "patchsets_reported", "rechecks", "flaky_patchsets", "duplicate_reports"]
RATIOS = ["agreement", "false_failure_rate"]
HEALTH_RATIOS = ["coverage", "timeliness", "success_rate", "stability"]
LATENCIES = ["latency_p50_s", "latency_p90_s"]
TIMES = ["last_report_at", "last_success_at"]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(value):
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ") if value else None


def windows(scenario):
    end = scenario.end
    return {
        "last 7 days": (end - timedelta(days=7), end),
        "last 24 hours": (end - timedelta(hours=24), end),
        "last 30 days": (end - timedelta(days=30), end),
        # Explicit and in the past, ends not at midnight nor on the hour.
        "past, not at midnight": (end - timedelta(days=10, hours=3, minutes=17),
                                  end - timedelta(days=3, hours=5, minutes=41)),
    }


def assert_same(system_id, got_stats, got_health, want):
    where = f"system {system_id}"
    for key in COUNTS:
        assert got_stats[key] == want[key], f"{where} {key}"
    for key in RATIOS:
        assert got_stats[key] == pytest.approx(want[key], abs=0.001) if want[key] is not None \
            else got_stats[key] is None, f"{where} {key}"
    for key in HEALTH_RATIOS:
        if want[key] is None:
            assert got_health[key] is None, f"{where} {key}"
        else:
            assert got_health[key] == pytest.approx(want[key], abs=0.001), f"{where} {key}"
    for key in LATENCIES:
        if want[key] is None:
            assert got_stats[key] is None, f"{where} {key}"
        else:
            assert got_stats[key] == pytest.approx(want[key], abs=1.0), f"{where} {key}"
    for key in TIMES:
        want_time = want[key].replace(microsecond=0) if want[key] else None
        assert parse(got_stats[key]) == want_time, f"{where} {key}"
    assert got_health["score"] == want["score"], f"{where} score"
    assert got_health["status"] == want["status"], f"{where} status"


WINDOWS = ["last 7 days", "last 24 hours", "last 30 days", "past, not at midnight"]


@pytest.mark.parametrize("window_name", WINDOWS)
def test_leaderboard_equals_truth(live_api, window_name):
    since, until = windows(live_api.scenario)[window_name]
    truth = live_api.truth(since, until)
    body = requests.get(f"{live_api.url}/v1/systems",
                        params={"since": iso(since), "until": iso(until)}, timeout=60).json()
    got = {system["id"]: system for system in body["systems"]}
    assert set(got) == set(truth)
    for system_id, want in truth.items():
        assert_same(system_id, got[system_id]["stats"], got[system_id]["health"], want)


@pytest.mark.parametrize("window_name", ["last 7 days", "past, not at midnight"])
@pytest.mark.parametrize("project", ["openstack/nova", "openstack/swift"])
def test_project_filter_equals_truth(live_api, window_name, project):
    since, until = windows(live_api.scenario)[window_name]
    truth = live_api.truth(since, until, project=project)
    body = requests.get(f"{live_api.url}/v1/systems", timeout=60, params={
        "since": iso(since), "until": iso(until), "project": project}).json()
    got = {system["id"]: system for system in body["systems"]}
    for system_id, want in truth.items():
        assert_same(system_id, got[system_id]["stats"], got[system_id]["health"], want)


def test_system_detail_equals_truth(live_api):
    since, until = windows(live_api.scenario)["last 7 days"]
    truth = live_api.truth(since, until)
    for system_id, want in truth.items():
        body = requests.get(f"{live_api.url}/v1/systems/{system_id}",
                            params={"since": iso(since), "until": iso(until)}, timeout=60).json()
        assert_same(system_id, body["stats"], body["health"], want)


EXPECTED_STATUS = {
    "zuul": {"healthy"}, "acme-ci": {"healthy"}, "turtle-ci": {"degraded"},
    "flaky-ci": {"degraded"}, "ghost-ci": {"silent"}, "doom-ci": {"failing"},
    "partial-ci": {"degraded", "failing"}, "unicode-ci": {"healthy"}, "legacy-ci": {"healthy"},
    "hermes-ci": {"healthy"}, "cinder-iser-ci": {"healthy"}, "quiet-ci": {"unknown"},
}


def test_each_behaviour_lands_in_its_status(live_api):
    since, until = windows(live_api.scenario)["last 7 days"]
    body = requests.get(f"{live_api.url}/v1/systems",
                        params={"since": iso(since), "until": iso(until)}, timeout=60).json()
    statuses = {system["username"]: system["health"]["status"] for system in body["systems"]}
    assert set(statuses) == set(EXPECTED_STATUS)
    for username, status in statuses.items():
        assert status in EXPECTED_STATUS[username], username
    duplicates = {s["username"]: s["stats"]["duplicate_reports"] for s in body["systems"]}
    assert duplicates["unicode-ci"] > 0


def test_trends_equal_truth_per_bucket(live_api):
    """Every system's trend (buckets read together, radar_core.engine.read.Reader.series)
    equals the truth of each bucket on its own, buckets ending not on the hour; and one
    system's trend equals its row of every system's."""
    since, until = windows(live_api.scenario)["past, not at midnight"]
    params = {"since": iso(since), "until": iso(until), "bucket": "day"}
    body = requests.get(f"{live_api.url}/v1/trends", params=params, timeout=60).json()
    trends = {trend["system"]["id"]: trend["points"] for trend in body["trends"]}
    buckets = [(parse(p["since"]), parse(p["until"])) for p in next(iter(trends.values()))]
    assert len(buckets) == 7 and buckets[-1][1] == until.replace(microsecond=0)
    for n, (start, end) in enumerate(buckets):
        for system_id, want in live_api.truth(start, end).items():
            got = trends[system_id][n]
            where = f"system {system_id} bucket {n}"
            assert (got["reports"], got["score"], got["status"]) == (
                want["reports"], want["score"], want["status"]), where
            for key in [*HEALTH_RATIOS, "latency_p50_s"]:
                if want[key] is None:
                    assert got[key] is None, f"{where} {key}"
                else:
                    assert got[key] == pytest.approx(want[key], abs=0.001), f"{where} {key}"
    one = requests.get(f"{live_api.url}/v1/systems/{system_id}/trend", params=params,
                       timeout=60).json()
    assert one["points"] == trends[system_id]
