"""The REST API (docs/api.md) on real databases: shapes, key values, sorting, paging, errors.

A small scenario is inserted through radar_core.models on the ``engine`` fixture (SQLite and
MariaDB), relative to the current hour so the default 7-day window and /metrics see it:

- healthy-ci (101) reports SUCCESS quickly on every patchset;
- flaky-ci (102) fails 1001/1, is rechecked, then succeeds; fails 1001/2 (status degraded);
- silent-ci (104) reported once, three days ago, and not since (status silent);
- dead-ci (103) reported forty days ago only: still watching nova, where patchsets came since
  (status silent, score 0).
The health engine runs on the rows as the collector would after a poll.
"""

import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import webtest

from radar_api.app import make_app
from radar_core import models
from radar_core.db import make_engine, transaction
from radar_core.engine.settings import EngineSettings
from radar_core.service import Radar, Settings
from tests.engine_run import run_engine

ANGULAR = {"Accept": "application/json, text/plain, */*"}
GERRIT = "https://review.example.org"
MAX_LIMIT = 50
FAULT_KEYS = {"faultcode", "faultstring"}
SYSTEM_KEYS = {"id", "name", "username", "health", "stats", "silenced", "alert_open"}
HEALTH_KEYS = {
    "score", "status", "status_since", "coverage", "timeliness", "success_rate", "stability",
}
STATS_KEYS = {
    "reports",
    "success",
    "failure",
    "error",
    "other",
    "patchsets_eligible",
    "patchsets_reported",
    "latency_p50_s",
    "latency_p90_s",
    "last_report_at",
    "last_success_at",
    "rechecks",
    "flaky_patchsets",
    "duplicate_reports",
    "agreement",
    "false_failure_rate",
}
JOB_RUN_KEYS = {"name", "url", "result", "result_class", "duration_s", "voting", "detail"}

NOW = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
SINCE, UNTIL = NOW - timedelta(days=7), NOW


def iso(moment: datetime) -> str:
    return moment.isoformat() + "Z"


WINDOW = {"since": iso(SINCE), "until": iso(UNTIL)}
# The UTC midnights within the window, where its day buckets start (at an hour of the clock).
MIDNIGHTS = [m for n in range(1, 8)
             if SINCE < (m := SINCE.replace(hour=0) + timedelta(days=n)) < UNTIL]
WINDOW_QUERY = urlencode(WINDOW)


# --- the scenario --------------------------------------------------------------------------------


def _report(session, rid, system, change, patchset, at, result, jobs=(), vote=None):
    result_class = {"SUCCESS": "success", "FAILURE": "failure"}[result]
    session.add(
        models.Report(
            id=rid,
            change_id=change.id,
            patchset_id=patchset.id,
            patchset_number=patchset.number,
            system_id=system,
            message_id=f"m{rid}",
            date=at,
            kind="report",
            result=result,
            result_class=result_class,
            vote=vote,
            pipeline="check",
            message=f"Patch Set {patchset.number}:\n\nBuild {result.lower()}.",
            jobs=[
                models.JobResult(
                    position=position,
                    name=name,
                    url=f"https://logs.example.org/{rid}/{name}",
                    result=job_result,
                    result_class=job_result.lower(),
                    duration_s=duration,
                    voting=voting,
                )
                for position, (name, job_result, duration, voting) in enumerate(jobs)
            ],
        )
    )


def insert_scenario(engine):
    t = NOW
    with transaction(engine) as session:
        nova = models.Project(id=1, name="openstack/nova")
        neutron = models.Project(id=2, name="openstack/neutron")
        session.add_all([nova, neutron])
        systems = {
            101: ("Healthy CI", "healthy-ci"),
            102: ("Flaky CI", "flaky-ci"),
            103: ("Dead CI", "dead-ci"),
            104: ("Silent CI", "silent-ci"),
        }
        for account_id, (name, username) in systems.items():
            session.add(models.Account(id=account_id, name=name, username=username))
        session.flush()
        for account_id, (name, username) in systems.items():
            session.add(
                models.CISystem(
                    id=account_id, name=name, username=username, first_seen_at=t - timedelta(60)
                )
            )
        healthy = session.get(models.CISystem, 101)
        healthy.contact_name, healthy.contact_email = "CI team", "ci@example.org"
        healthy.info_url, healthy.recheck_keyword = "https://wiki.example.org/ci", "healthy"

        def change(cid, number, project, created):
            row = models.Change(
                id=cid,
                number=number,
                project_id=project.id,
                branch="master",
                subject=f"Change {number} 🚀",
                status="NEW",
                created=created,
                updated=created,
            )
            session.add(row)
            return row

        def patchset(pid, row, number, created, superseded_at=None):
            ps = models.Patchset(
                id=pid,
                change_id=row.id,
                project_id=row.project_id,
                number=number,
                created=created,
                superseded_at=superseded_at,
            )
            session.add(ps)
            return ps

        old = change(1, 1000, nova, t - timedelta(days=40))
        c1 = change(2, 1001, nova, t - timedelta(days=3))
        c2 = change(3, 1002, neutron, t - timedelta(days=2, hours=-1))
        old1 = patchset(1, old, 1, t - timedelta(days=40))
        ps1 = patchset(2, c1, 1, t - timedelta(days=3), superseded_at=t - timedelta(days=2))
        ps2 = patchset(3, c1, 2, t - timedelta(days=2))
        ps3 = patchset(4, c2, 1, t - timedelta(days=2, hours=-1))
        session.flush()

        minutes = timedelta(minutes=1)
        both = [("pep8", "SUCCESS", 60, True), ("tempest", "SUCCESS", 3600, True)]
        _report(session, 1, 103, old, old1, old1.created + 10 * minutes, "SUCCESS")
        _report(session, 2, 101, c1, ps1, ps1.created + 20 * minutes, "SUCCESS", both, vote=1)
        _report(session, 3, 104, c1, ps1, ps1.created + 25 * minutes, "SUCCESS", vote=1)
        _report(session, 4, 102, c1, ps1, ps1.created + 30 * minutes, "FAILURE", vote=-1)
        _report(session, 5, 102, c1, ps1, ps1.created + 90 * minutes, "SUCCESS", vote=1)
        nonvoting = [("pep8", "SUCCESS", 62, True), ("tempest", "FAILURE", 3000, False)]
        _report(session, 6, 101, c1, ps2, ps2.created + 20 * minutes, "SUCCESS", nonvoting)
        _report(session, 7, 101, c2, ps3, ps3.created + 20 * minutes, "SUCCESS", both[:1])
        _report(session, 8, 102, c1, ps2, ps2.created + 30 * minutes, "FAILURE", vote=-1)
        session.flush()
        session.add(
            models.Recheck(
                change_id=c1.id,
                patchset_id=ps1.id,
                patchset_number=1,
                message_id="r1",
                account_id=1000,
                date=ps1.created + 40 * minutes,
            )
        )
        session.add(
            models.PollState(
                query="status:open",
                watermark=t - 5 * minutes,
                last_success_at=t - 10 * minutes,
            )
        )
        for pid, started, outcome, message in [
            (1, t - 10 * minutes, "ok", None),
            (2, t - 5 * minutes, "error", "Gerrit answered HTTP 500"),
        ]:
            session.add(
                models.PollLog(
                    id=pid,
                    query="status:open",
                    started_at=started,
                    finished_at=started + minutes,
                    outcome=outcome,
                    requests=2,
                    errors=int(outcome == "error"),
                    message=message,
                )
            )


ENGINE = EngineSettings(history_days=2)
SETTINGS = Settings(ENGINE, gerrit_url=GERRIT)


def make_client(radar, **kwargs) -> webtest.TestApp:
    options = {"poll_interval": 120, "default_limit": 20, "max_limit": MAX_LIMIT, **kwargs}
    return webtest.TestApp(make_app(radar, **options))


@pytest.fixture
def radar(engine):
    insert_scenario(engine)
    run_engine(engine, ENGINE, NOW)
    return Radar(engine, SETTINGS, clock=lambda: NOW)


@pytest.fixture
def client(radar):
    return make_client(radar)


def get(client, url, status=200, **headers):
    response = client.get(url, headers={**ANGULAR, **headers}, status=status)
    assert response.content_type == "application/json", url
    return response.json


def fault(client, url, status, method="GET"):
    """The fault body of an error, checked for its exact shape."""
    response = client.request(url, method=method, headers=ANGULAR, status=status)
    assert response.content_type == "application/json", url
    body = response.json
    assert set(body) == FAULT_KEYS, body
    assert body["faultcode"] == ("Client" if status < 500 else "Server")
    return body["faultstring"]


def with_window(path, **params):
    return f"{path}?{urlencode({**WINDOW, **params})}"


# --- /v1/systems ---------------------------------------------------------------------------------


def test_systems_shape_and_values(client):
    body = get(client, with_window("/v1/systems"))
    assert set(body) == {"window", "systems", "next"}
    assert body["window"] == WINDOW
    assert body["next"] is None
    by_name = {system["username"]: system for system in body["systems"]}
    assert set(by_name) == {"healthy-ci", "flaky-ci", "silent-ci", "dead-ci"}
    for system in body["systems"]:
        assert set(system) == SYSTEM_KEYS
        assert set(system["health"]) == HEALTH_KEYS
        assert set(system["stats"]) == STATS_KEYS

    # The engine opened an alert for each failing or silent system (no silence in this world).
    assert {name for name, s in by_name.items() if s["alert_open"]} == {
        name for name, s in by_name.items() if s["health"]["status"] in ("failing", "silent")}
    assert not any(s["silenced"] for s in body["systems"])
    healthy = by_name["healthy-ci"]
    assert (healthy["id"], healthy["name"]) == (101, "Healthy CI")
    assert healthy["health"]["status"] == "healthy"
    assert healthy["health"]["score"] == 100
    assert healthy["health"]["coverage"] == 1.0
    assert healthy["stats"]["reports"] == healthy["stats"]["success"] == 3
    assert healthy["stats"]["latency_p50_s"] == 1200.0
    assert healthy["stats"]["last_report_at"] == iso(NOW - timedelta(days=2, hours=-1, minutes=-20))

    flaky = by_name["flaky-ci"]["stats"]
    assert (flaky["failure"], flaky["success"], flaky["flaky_patchsets"]) == (2, 1, 1)
    assert flaky["rechecks"] == 1
    assert by_name["flaky-ci"]["health"]["status"] == "degraded"
    assert by_name["silent-ci"]["health"]["status"] == "silent"
    dead = by_name["dead-ci"]
    assert dead["health"]["status"] == "silent"
    assert dead["health"]["score"] == 0  # coverage 0 over the nova patchsets it missed
    assert dead["stats"]["last_report_at"] == iso(NOW - timedelta(days=40, minutes=-10))
    # The hourly history says since when (the engine evaluated the last two days).
    assert healthy["health"]["status_since"] == iso(NOW - timedelta(days=2))


def test_systems_default_window_is_seven_days_ending_now(client):
    body = get(client, "/v1/systems")
    since = datetime.fromisoformat(body["window"]["since"].removesuffix("Z"))
    until = datetime.fromisoformat(body["window"]["until"].removesuffix("Z"))
    assert until - since == timedelta(days=7)
    assert abs(until - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=1)
    assert body["window"]["until"].endswith("Z")


def test_systems_sorting(client):
    def usernames(sort):
        params = {} if sort is None else {"sort": sort}
        body = get(client, with_window("/v1/systems", **params))
        return [system["username"] for system in body["systems"]]

    # Default: by severity, the worst first (silent, lowest score first), healthy last.
    assert usernames(None) == ["dead-ci", "silent-ci", "flaky-ci", "healthy-ci"]
    assert usernames("severity") == usernames(None)
    assert usernames("-severity") == ["healthy-ci", "flaky-ci", "silent-ci", "dead-ci"]
    assert usernames("-score") == ["healthy-ci", "flaky-ci", "silent-ci", "dead-ci"]
    assert usernames("score") == ["dead-ci", "silent-ci", "flaky-ci", "healthy-ci"]
    assert usernames("name") == ["dead-ci", "flaky-ci", "healthy-ci", "silent-ci"]
    assert usernames("-name") == ["silent-ci", "healthy-ci", "flaky-ci", "dead-ci"]
    assert usernames("-reports")[:2] == ["healthy-ci", "flaky-ci"]
    assert usernames("latency_p50_s")[-1] == usernames("-latency_p50_s")[-1] == "dead-ci"
    assert usernames("-last_report_at") == ["healthy-ci", "flaky-ci", "silent-ci", "dead-ci"]


def test_systems_status_filter(client):
    def usernames(status):
        body = get(client, with_window("/v1/systems", status=status))
        return {system["username"] for system in body["systems"]}

    assert usernames("healthy") == {"healthy-ci"}
    assert usernames("silent,unknown") == {"silent-ci", "dead-ci"}
    assert usernames("unknown") == set()
    assert usernames("degraded,failing") == {"flaky-ci"}
    assert usernames("failing") == set()


def test_systems_paging_follows_next(client):
    everything = get(client, with_window("/v1/systems", sort="name"))["systems"]
    first = get(client, with_window("/v1/systems", sort="name", limit=3))
    assert [s["id"] for s in first["systems"]] == [s["id"] for s in everything[:3]]
    expected = with_window("/v1/systems", sort="name", limit=3, marker=everything[2]["id"])
    assert first["next"] == expected
    second = get(client, first["next"])
    assert second["systems"] == everything[3:]
    assert second["next"] is None
    assert get(client, with_window("/v1/systems", limit=4))["next"] is None


def test_systems_project_filter(client):
    body = get(client, with_window("/v1/systems", project="openstack/neutron"))
    by_name = {system["username"]: system for system in body["systems"]}
    assert by_name["healthy-ci"]["stats"]["reports"] == 1
    assert by_name["flaky-ci"]["stats"]["reports"] == 0


# --- /v1/systems/{id or username} and below ------------------------------------------------------


def test_system_by_username_or_id(client):
    body = get(client, with_window("/v1/systems/healthy-ci"))
    assert set(body) == SYSTEM_KEYS | {"contacts", "reasons", "window"}
    assert body["contacts"] == {
        "name": "CI team",
        "email": "ci@example.org",
        "info_url": "https://wiki.example.org/ci",
        "recheck_keyword": "healthy",
    }
    assert body["reasons"] == []
    assert body["window"] == WINDOW
    assert get(client, with_window("/v1/systems/101")) == body

    silent = get(client, with_window("/v1/systems/silent-ci"))
    assert silent["health"]["status"] == "silent"
    assert silent["reasons"] and all(isinstance(reason, str) for reason in silent["reasons"])
    assert set(silent["contacts"].values()) == {None}


def test_system_jobs(client):
    body = get(client, with_window("/v1/systems/healthy-ci/jobs"))
    assert set(body) == {"window", "system", "jobs"}
    assert body["system"] == {"id": 101, "name": "Healthy CI", "username": "healthy-ci"}
    jobs = {job["name"]: job for job in body["jobs"]}
    assert [job["name"] for job in body["jobs"]] == ["pep8", "tempest"]  # most runs first
    assert set(jobs["pep8"]) == {
        "name",
        "runs",
        "success",
        "failure",
        "error",
        "skipped",
        "success_rate",
        "duration_p50_s",
        "last_success_at",
        "voting",
    }
    assert (jobs["pep8"]["runs"], jobs["pep8"]["success_rate"]) == (3, 1.0)
    assert (jobs["tempest"]["success"], jobs["tempest"]["failure"]) == (1, 1)
    assert jobs["tempest"]["voting"] is False  # its latest run was non-voting


def test_system_reports_newest_first_with_paging(client):
    body = get(client, with_window("/v1/systems/healthy-ci/reports"))
    assert set(body) == {"window", "system", "reports", "next"}
    assert [report["id"] for report in body["reports"]] == [7, 6, 2]
    assert body["next"] is None
    newest = body["reports"][0]
    assert set(newest) == {
        "id",
        "date",
        "result",
        "result_class",
        "vote",
        "pipeline",
        "project",
        "change",
        "patchset",
        "gerrit_url",
        "jobs",
        "jobs_dropped",
        "sanitised",
    }
    assert (newest["jobs_dropped"], newest["sanitised"]) == (0, False)
    assert (newest["project"], newest["change"], newest["patchset"]) == (
        "openstack/neutron",
        1002,
        1,
    )
    assert newest["gerrit_url"] == f"{GERRIT}/c/openstack/neutron/+/1002/1"
    assert set(newest["jobs"][0]) == JOB_RUN_KEYS
    assert newest["jobs"][0]["duration_s"] == 60.0

    page = get(client, with_window("/v1/systems/101/reports", limit=2))
    assert [report["id"] for report in page["reports"]] == [7, 6]
    assert page["next"] == with_window("/v1/systems/101/reports", limit=2, marker=6)
    rest = get(client, page["next"])
    assert [report["id"] for report in rest["reports"]] == [2]
    assert rest["next"] is None


def test_system_trend(client):
    body = get(client, with_window("/v1/systems/healthy-ci/trend"))
    assert set(body) == {"window", "system", "bucket", "points"}
    assert body["bucket"] == "day"
    points = body["points"]
    assert [p["since"] for p in points] == [WINDOW["since"], *map(iso, MIDNIGHTS)]
    assert points[-1]["until"] == WINDOW["until"]
    trend_keys = HEALTH_KEYS - {"status_since"} | {"since", "until", "reports", "latency_p50_s"}
    assert set(points[0]) == trend_keys
    assert sum(point["reports"] for point in points) == 3

    weeks = get(client, with_window("/v1/systems/healthy-ci/trend", bucket="week"))
    mondays = [m for m in MIDNIGHTS if m.weekday() == 0]
    assert weeks["bucket"] == "week"
    assert [p["since"] for p in weeks["points"]] == [WINDOW["since"], *map(iso, mondays)]


def test_trends_of_every_system_equal_each_trend(client):
    body = get(client, with_window("/v1/trends"))
    assert set(body) == {"window", "bucket", "trends", "next"}
    assert body["window"] == WINDOW and body["bucket"] == "day" and body["next"] is None
    assert [t["system"]["id"] for t in body["trends"]] == [101, 102, 103, 104]
    for trend in body["trends"]:
        one = get(client, with_window(f"/v1/systems/{trend['system']['id']}/trend"))
        assert trend["system"] == one["system"]
        assert trend["points"] == one["points"]
    weeks = get(client, with_window("/v1/trends", bucket="week", project="openstack/nova"))
    nova = get(client, with_window("/v1/systems/102/trend", bucket="week",
                                   project="openstack/nova"))
    assert weeks["trends"][1]["points"] == nova["points"]


def test_trends_are_paged_by_system_id(client):
    page = get(client, with_window("/v1/trends", limit=3))
    assert [t["system"]["id"] for t in page["trends"]] == [101, 102, 103]
    assert page["next"] == with_window("/v1/trends", limit=3, marker=103)
    rest = get(client, page["next"])
    assert [t["system"]["id"] for t in rest["trends"]] == [104] and rest["next"] is None
    assert "marker" in fault(client, with_window("/v1/trends", marker=999), 400)
    assert "bucket" in fault(client, with_window("/v1/trends", bucket="month"), 400)
    assert "limit" in fault(client, "/v1/trends?limit=0", 400)
    fault(client, "/v1/trends?project=no/such", 404)


def test_reports_filters(client):
    def ids(system, **params):
        return [r["id"] for r in get(client, with_window(f"/v1/systems/{system}/reports",
                                                         **params))["reports"]]

    assert ids("flaky-ci", result="FAILURE") == [8, 4]
    assert ids("flaky-ci", result="SUCCESS", change=1001) == [5]
    assert ids("healthy-ci", job="tempest") == [6, 2]
    assert ids("healthy-ci", job="tempest", pipeline="check", project="openstack/nova") == [6, 2]
    assert ids("healthy-ci", pipeline="gate") == [] and ids("healthy-ci", change=1002) == [7]
    page = get(client, with_window("/v1/systems/healthy-ci/reports", job="pep8", limit=2))
    assert [r["id"] for r in page["reports"]] == [7, 6]
    assert page["next"] == with_window("/v1/systems/healthy-ci/reports", job="pep8", limit=2,
                                       marker=6)
    assert [r["id"] for r in get(client, page["next"])["reports"]] == [2]
    # A marker outside the filtered list is refused like any unknown marker.
    assert "marker" in fault(client, with_window("/v1/systems/healthy-ci/reports", job="pep8",
                                                 marker=5), 400)
    assert "change" in fault(client, with_window("/v1/systems/101/reports", change="x1"), 400)
    assert "result" in fault(client, with_window("/v1/systems/101/reports", result=""), 400)


def test_failures_by_result_job_and_reason(client, engine):
    with transaction(engine) as session:
        session.add(models.JobResult(report_id=8, position=0, name="tempest",
                                     result="NODE_FAILURE", result_class="error",
                                     detail="Node lost <b>", voting=True))
    body = get(client, with_window("/v1/systems/flaky-ci/failures"))
    assert set(body) == {"window", "system", "days", "by_result", "by_job", "reasons"}
    assert body["days"] == [WINDOW["since"], *map(iso, MIDNIGHTS)]
    assert [(r["result"], r["reports"]) for r in body["by_result"]] == [("FAILURE", 2),
                                                                        ("SUCCESS", 1)]
    (job,) = body["by_job"]
    assert (job["name"], job["failures"], job["voting"]) == ("tempest", 1, True)
    assert job["results"] == [{"result": "NODE_FAILURE", "runs": 1}]
    assert sum(job["per_day"]) == 1 and len(job["per_day"]) == len(MIDNIGHTS) + 1
    assert body["reasons"] == [{"result": "NODE_FAILURE", "detail": "Node lost <b>", "runs": 1,
                                "jobs": ["tempest"], "last_at": job["last_failure_at"]}]
    healthy = get(client, with_window("/v1/systems/healthy-ci/failures"))
    assert [(j["name"], j["results"]) for j in healthy["by_job"]] == [
        ("tempest", [{"result": "FAILURE", "runs": 1}])]
    assert healthy["reasons"] == []
    fault(client, with_window("/v1/systems/no-such-ci/failures"), 404)


def test_missed_patchsets_are_the_coverage_gap(client):
    systems = {s["username"]: s for s in get(client, with_window("/v1/systems"))["systems"]}
    for username, system in systems.items():
        missed = get(client, with_window(f"/v1/systems/{username}/missed"))
        gap = system["stats"]["patchsets_eligible"] - system["stats"]["patchsets_reported"]
        assert len(missed["patchsets"]) == gap, username
    dead = get(client, with_window("/v1/systems/dead-ci/missed"))["patchsets"]
    assert [(p["change"], p["patchset"]) for p in dead] == [(1001, 2), (1001, 1)]
    assert dead[0]["gerrit_url"] == f"{GERRIT}/c/openstack/nova/+/1001/2"
    assert dead[0]["project"] == "openstack/nova" and dead[0]["subject"] == "Change 1001 🚀"
    page = get(client, with_window("/v1/systems/dead-ci/missed", limit=1))
    assert page["next"] == with_window("/v1/systems/dead-ci/missed", limit=1, marker=3)
    assert [p["id"] for p in get(client, page["next"])["patchsets"]] == [2]
    assert "marker" in fault(client, with_window("/v1/systems/dead-ci/missed", marker=4), 400)
    assert get(client, with_window("/v1/systems/healthy-ci/missed"))["patchsets"] == []


# --- changes, projects, status -------------------------------------------------------------------


def test_change_grid(client):
    body = get(client, "/v1/changes/1001")
    assert set(body) == {
        "number",
        "project",
        "branch",
        "subject",
        "status",
        "gerrit_url",
        "systems",
        "patchsets",
    }
    assert (body["number"], body["project"], body["subject"]) == (
        1001,
        "openstack/nova",
        "Change 1001 🚀",
    )
    assert body["gerrit_url"] == f"{GERRIT}/c/openstack/nova/+/1001"
    assert {system["id"] for system in body["systems"]} == {101, 102, 104}
    first, second = body["patchsets"]
    assert set(first) == {"number", "created", "gerrit_url", "results"}
    assert (first["number"], second["number"]) == (1, 2)
    assert first["created"] == iso(NOW - timedelta(days=3))
    results = {result["system_id"]: result for result in first["results"]}
    assert set(results) == {101, 102, 104}
    flaky = results[102]
    assert set(flaky) == {
        "system_id",
        "result",
        "result_class",
        "date",
        "report_id",
        "reports",
        "jobs",
    }
    assert (flaky["result"], flaky["report_id"], flaky["reports"]) == ("SUCCESS", 5, 2)
    assert {result["system_id"] for result in second["results"]} == {101, 102}


def test_projects(client):
    body = get(client, "/v1/projects")
    assert body == {
        "projects": [
            {"name": "openstack/neutron", "changes": 1, "patchsets": 1, "systems": 1},
            {"name": "openstack/nova", "changes": 2, "patchsets": 3, "systems": 4},
        ]
    }


def test_status(client):
    body = get(client, "/v1/status")
    assert set(body) == {"poll_interval", "now", "collector", "totals", "alerts",
                         "quota"}
    assert body["alerts"]["open"] == 2 and body["alerts"]["deliveries"] == {}  # failing, silent
    assert body["poll_interval"] == 120
    assert body["now"] == iso(NOW)
    collector = body["collector"]
    assert set(collector) == {
        "last_poll_at",
        "last_success_at",
        "outcome",
        "lag_s",
        "queries",
        "polls",
    }
    assert [poll["id"] for poll in collector["polls"]] == [2, 1]
    assert collector["outcome"] == "error"
    assert collector["lag_s"] == 600.0
    assert collector["queries"][0]["query"] == "status:open"
    assert body["totals"] == {
        "systems": 4,
        "changes": 3,
        "patchsets": 4,
        "reports": 8,
        "rechecks": 1,
    }
    # The quota monitor: what the polls of the last hour asked of Gerrit (no stream here).
    hour_ago = iso(NOW - timedelta(hours=1))
    recent = [poll for poll in collector["polls"] if poll["started_at"] >= hour_ago]
    quota = body["quota"]
    assert quota["window_s"] == 3600 and quota["streams"] == []
    assert quota["polls"] == len(recent) > 0
    assert quota["requests"] == sum(poll["requests"] for poll in recent)
    assert quota["rate_limited"] == sum(poll["rate_limited"] for poll in recent)
    assert quota["retry_wait_s"] == 0


# --- errors --------------------------------------------------------------------------------------


def test_unknown_routes_are_json_404(client):
    for url in [
        "/v1",
        "/v1/",
        "/v1/nope",
        "/v1/changes",
        "/v1/projects/openstack",
        "/v1/status/now",
        "/v1/systems/healthy-ci/nope",
        "/v1/systems/healthy-ci/jobs/pep8",
        "/v1/changes/1001/patchsets",
        "/v1/systems/__class__/x",
        "/v1/openapi",
        "/metrics/x",
    ]:
        assert "not found" in fault(client, url, 404), url


def test_wrong_methods_are_json_405(client):
    for url in [
        "/v1/systems",
        "/v1/systems/healthy-ci",
        "/v1/systems/101/reports",
        "/v1/changes/1001",
        "/v1/projects",
        "/v1/status",
        "/v1/openapi.json",
        "/metrics",
        "/",
    ]:
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            if (url, method) == ("/v1/systems/healthy-ci", "PATCH"):
                continue  # a write: tests/functional/test_writes.py
            response = client.request(url, method=method, headers=ANGULAR, status=405)
            assert set(response.json) == FAULT_KEYS
            assert method in response.json["faultstring"], (method, url)
            assert "GET" in response.headers["Allow"]


BAD_LIST_PARAMETERS = [
    ({"window": "banana"}, "window"),
    ({"window": "0d"}, "window"),
    ({"window": "400d"}, "window"),
    ({"window": "7d", "since": "2026-11-01"}, "window"),
    ({"since": "2026-11-10", "until": "2026-11-10"}, "since"),
    ({"since": "2026-11-10", "until": "2026-11-01T00:00:00Z"}, "since"),
    ({"since": "2024-01-01", "until": "2026-01-01"}, "since"),
    ({"since": "yesterday"}, "since"),
    ({"until": "2026-13-01"}, "until"),
    ({"limit": "0"}, "limit"),
    ({"limit": "-1"}, "limit"),
    ({"limit": str(MAX_LIMIT + 1)}, "limit"),
    ({"limit": "abc"}, "limit"),
    ({"marker": "999"}, "marker"),
    ({"marker": "abc"}, "marker"),
    ({"sort": "colour"}, "sort"),
    ({"sort": "--score"}, "sort"),
    ({"status": "healthy,grumpy"}, "status"),
    ({"colour": "red"}, "colour"),
]


def test_bad_system_list_parameters_are_400(client):
    # One database for every case: MariaDB databases are slow to create.
    for query, parameter in BAD_LIST_PARAMETERS:
        assert parameter in fault(client, f"/v1/systems?{urlencode(query)}", 400), query


def test_good_window_forms(client):
    for query in [
        {"since": (datetime.now(UTC) - timedelta(days=3)).date().isoformat()},  # until: now
        {"since": iso(SINCE), "until": iso(UNTIL)},
        {"since": SINCE.isoformat(), "until": UNTIL.isoformat() + "+00:00"},
        {"since": SINCE.date().isoformat(), "until": UNTIL.isoformat()},
        {"window": "24h", "until": iso(UNTIL)},
        {"window": "2w"},
        {"limit": str(MAX_LIMIT)},
    ]:
        body = get(client, f"/v1/systems?{urlencode(query)}")
        assert body["window"]["since"].endswith("Z"), query
    body = get(client, f"/v1/systems?{urlencode({'window': '24h', 'until': iso(UNTIL)})}")
    assert body["window"] == {"since": iso(UNTIL - timedelta(hours=24)), "until": iso(UNTIL)}


def test_bad_parameters_of_system_resources(client):
    cases = [
        (with_window("/v1/systems/101/reports", marker="999999"), "marker"),
        (with_window("/v1/systems/101/reports", limit="0"), "limit"),
        (with_window("/v1/systems/101/trend", bucket="month"), "bucket"),
        ("/v1/systems/101/jobs?window=banana", "window"),
        ("/v1/systems/101?since=2026-11-10&window=7d", "window"),
        ("/v1/changes/abc", "number"),
        ("/v1/changes/0", "number"),
    ]
    for url, parameter in cases:
        assert parameter in fault(client, url, 400), url


def test_unknown_resources_are_404(client):
    cases = [
        ("/v1/systems/no-such-ci", "no-such-ci"),
        ("/v1/systems/9999/jobs", "9999"),
        ("/v1/systems/no-such-ci/reports", "no-such-ci"),
        ("/v1/systems/no-such-ci/trend", "no-such-ci"),
        ("/v1/changes/4242", "4242"),
        ("/v1/systems?project=openstack/nope", "openstack/nope"),
        ("/v1/systems/101/jobs?project=openstack/nope", "openstack/nope"),
    ]
    for url, name in cases:
        assert name in fault(client, url, 404), url


class BrokenRadar(Radar):
    def systems(self, window, project=None):
        raise RuntimeError("secret detail: password=hunter2")

    def change(self, number):
        raise KeyError("hunter2")


def test_internal_errors_are_500_without_details(engine, caplog):
    client = make_client(BrokenRadar(engine, SETTINGS))
    with caplog.at_level(logging.ERROR, logger="radar_api"):
        for url in ["/v1/systems", "/v1/changes/1", "/metrics"]:
            response = client.get(url, headers=ANGULAR, status=500)
            assert response.json == {"faultcode": "Server", "faultstring": "internal error"}
            assert "hunter2" not in response.text
    # The details stay on the server, with the traceback.
    logged = [record for record in caplog.records if record.exc_info]
    assert len(logged) == 3
    assert "hunter2" in str(logged[0].exc_info[1])


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////nonexistent-radar-dir/missing/radar.sqlite",
        "mysql+pymysql://root@127.0.0.1:1/radar?connect_timeout=2",
    ],
    ids=["sqlite-missing-dir", "mariadb-port-closed"],
)
def test_database_down_is_503(url):
    engine = make_engine(url)
    client = make_client(Radar(engine, SETTINGS))
    try:
        for path in [
            "/v1/systems",
            "/v1/systems?project=openstack/nova",
            "/v1/systems/101/reports",
            "/v1/changes/1001",
            "/v1/status",
            "/metrics",
        ]:
            response = client.get(path, headers=ANGULAR, status=503)
            assert response.json == {"faultcode": "Server", "faultstring": "database unavailable"}
    finally:
        engine.dispose()
