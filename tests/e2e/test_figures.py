"""Every figure the API serves equals the simulator's truth (computed from how it generated
the data, never through Radar's code), and every simulated behaviour lands in its status."""

from datetime import datetime, timedelta

import pytest
import requests

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
