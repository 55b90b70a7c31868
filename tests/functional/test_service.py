"""radar_core.service.Radar on a small hand-made world, on SQLite and MariaDB.

The world (window W = [Nov 16, Nov 23), default [health] options):

- nova change 1001: patchset 1 at 17th 10:00 (superseded after 2 h: never eligible),
  patchset 2 at 17th 12:00; nova 1002/1 at 18th 08:00; swift 1003/1 at 19th 09:00; nova 1004/1
  at 22nd 22:00 (after until - 4 h: never eligible); nova 1005/1 on the 10th; nova 1006/1 on
  Oct 14th.
- Good CI (101): reports on everything before the deadline, one failure then success on 1003/1
  (flaky, with a recheck between), two successes on 1002/1 (a duplicate), one report on an
  unknown patchset (1002/7, counted, never eligible), a start notice (never counted).
- Flaky CI (102): late (8 h) failure then success on 1001/2, an error on 1002/1 rechecked with
  'recheck flaky-ci', a failure on 1004/1.
- Silent CI (103): last report on the 10th while nova patchsets waited.
- Zuul (104): the reference account.
- Old CI (105): last report on Oct 14th, before the watch lookback.
"""

import dataclasses
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from radar_core import models, stats
from radar_core.db import transaction
from radar_core.engine import refresh
from radar_core.engine.settings import EngineSettings
from radar_core.errors import DatabaseUnavailable, InvalidParameter, NotFound
from radar_core.service import Radar, Settings
from tests.engine_run import run_engine

SINCE = datetime(2026, 11, 16)
UNTIL = datetime(2026, 11, 23)
W = stats.Window(SINCE, UNTIL)
CFG = stats.HealthConfig()
GERRIT = "https://review.example.org/"
H = timedelta(hours=1)
NOVA, SWIFT, GLANCE = "openstack/nova", "openstack/swift", "openstack/glance"
GOOD, FLAKY, SILENT, ZUUL, OLD, HUMAN = 101, 102, 103, 104, 105, 1000


def d(day, hour=0, minute=0, month=11):
    return datetime(2026, month, day, hour, minute)


class World:
    """Inserts rows through the models; keeps the ids tests refer to."""

    def __init__(self, session: Session):
        self.session = session
        self.projects: dict[str, models.Project] = {}
        self.changes: dict[int, models.Change] = {}
        self.patchsets: dict[tuple[int, int], models.Patchset] = {}
        self.report_ids: dict[str, int] = {}
        self._messages = 0

    def project(self, name):
        self.projects[name] = models.Project(name=name)
        self.session.add(self.projects[name])

    def system(self, account_id, name, username, **contacts):
        self.session.add(models.Account(id=account_id, name=name, username=username))
        self.session.add(
            models.CISystem(
                id=account_id,
                name=name,
                username=username,
                source="config",
                first_seen_at=d(1, month=10),
                **contacts,
            )
        )

    def change(self, number, project, *created):
        """A change whose patchsets 1, 2... were created at ``created``."""
        change = models.Change(
            number=number,
            project=self.projects[project],
            branch="master",
            subject=f"Change {number}",
            status="NEW",
            created=created[0],
            updated=created[-1],
        )
        self.session.add(change)
        self.session.flush()
        self.changes[number] = change
        for index, when in enumerate(created):
            following = created[index + 1] if index + 1 < len(created) else None
            patchset = models.Patchset(
                change_id=change.id,
                project_id=change.project_id,
                number=index + 1,
                created=when,
                superseded_at=following,
            )
            self.session.add(patchset)
            self.patchsets[(number, index + 1)] = patchset
        self.session.flush()

    def report(self, name, system, change, ps, date, result_class, *jobs, kind="report", **kw):
        """A report; ``jobs`` are (name, result_class, duration_s, voting) tuples."""
        known = self.patchsets.get((change, ps))
        result = {"skipped": "ABORTED"}.get(result_class, result_class.upper())
        report = models.Report(
            change_id=self.changes[change].id,
            patchset_id=known.id if known else None,
            patchset_number=ps,
            system_id=system,
            message_id=self._message_id(),
            date=date,
            kind=kind,
            result=result,
            result_class=result_class,
            vote=kw.get("vote"),
            pipeline="check",
            message="...",
        )
        for position, (job, job_class, duration, voting) in enumerate(jobs):
            report.jobs.append(
                models.JobResult(
                    position=position,
                    name=job,
                    url=f"https://logs.example.org/{name}/{job}",
                    result=job_class.upper(),
                    result_class=job_class,
                    duration_s=duration,
                    voting=voting,
                    detail=None,
                )
            )
        self.session.add(report)
        self.session.flush()
        self.report_ids[name] = report.id

    def recheck(self, change, ps, date, target=None):
        self.session.add(
            models.Recheck(
                change_id=self.changes[change].id,
                patchset_id=self.patchsets[(change, ps)].id,
                patchset_number=ps,
                message_id=self._message_id(),
                account_id=HUMAN,
                date=date,
                target=target,
            )
        )

    def _message_id(self):
        self._messages += 1
        return f"m{self._messages}"


def build(session) -> World:
    w = World(session)
    for name in (NOVA, SWIFT, GLANCE):
        w.project(name)
    session.add(models.Account(id=HUMAN, name="Ana", username="ana"))
    w.system(
        GOOD,
        "Good CI",
        "good-ci",
        recheck_keyword="good",
        contact_name="Gita",
        contact_email="gita@example.org",
        info_url="https://wiki.example.org/GoodCI",
    )
    w.system(FLAKY, "Flaky CI", "flaky-ci")
    w.system(SILENT, "Silent CI", "silent-ci")
    w.system(ZUUL, "Zuul", "zuul")
    w.system(OLD, "Old CI", "old-ci")
    session.flush()
    w.change(1001, NOVA, d(17, 10), d(17, 12))
    w.change(1002, NOVA, d(18, 8))
    w.change(1003, SWIFT, d(19, 9))
    w.change(1004, NOVA, d(22, 22))
    w.change(1005, NOVA, d(10))
    w.change(1006, NOVA, d(14, month=10))

    # Good CI
    w.report("g0", GOOD, 1005, 1, d(10, 1), "success", ("legacy", "success", None, True))
    w.report(
        "g1", GOOD, 1001, 1, d(17, 11), "success", ("pep8", "success", 60, True),
        ("tempest", "success", 600, True),
    )  # fmt: skip
    w.report(
        "g2", GOOD, 1001, 2, d(17, 13), "success", ("pep8", "success", 120, True),
        ("tempest", "success", 900, True),
    )  # fmt: skip
    w.report(
        "g3", GOOD, 1002, 1, d(18, 10), "success", ("pep8", "success", 90, True),
        ("tempest", "failure", 1200, False),
    )  # fmt: skip
    w.report(
        "g4", GOOD, 1002, 1, d(18, 11), "success", ("pep8", "success", 100, True),
        ("tempest", "success", 1000, False),
    )  # fmt: skip
    w.report(
        "g5", GOOD, 1003, 1, d(19, 12), "failure", ("pep8", "failure", 30, True),
        ("tempest", "error", None, True), ("legacy", "failure", None, True),
    )  # fmt: skip
    w.report(
        "g6", GOOD, 1003, 1, d(19, 14), "success", ("pep8", "success", 80, True),
        ("tempest", "skipped", None, False),
    )  # fmt: skip
    w.report("g7", GOOD, 1002, 7, d(20, 10), "skipped")  # unknown patchset
    w.report("g-notice", GOOD, 1003, 1, d(21, 10), "unknown", kind="notice")
    w.recheck(1003, 1, d(19, 13))  # applies to all
    w.recheck(1002, 1, d(18, 11, 30), target="good")  # Good's keyword: Good only

    # Flaky CI
    w.report("f1", FLAKY, 1001, 2, d(17, 20), "failure")
    w.report("f2", FLAKY, 1001, 2, d(17, 21), "success")
    w.report("f3", FLAKY, 1002, 1, d(18, 9), "error")
    w.report("f4", FLAKY, 1004, 1, d(22, 23), "failure")
    w.recheck(1002, 1, d(18, 10), target="Flaky-CI")

    # Silent CI, Old CI
    w.report("s1", SILENT, 1005, 1, d(10, 2), "success")
    w.report("o1", OLD, 1006, 1, d(14, 1, month=10), "failure")

    # Zuul, the reference
    w.report("z1", ZUUL, 1001, 2, d(17, 12, 30), "success")
    w.report("z2", ZUUL, 1002, 1, d(18, 8, 30), "success")
    w.report("z3", ZUUL, 1003, 1, d(19, 10), "failure")
    w.report("z4", ZUUL, 1004, 1, d(22, 23, 30), "success")
    return w


@pytest.fixture
def world(engine):
    with Session(engine) as session, session.begin():
        built = build(session)
    run_engine(engine, engine_settings("zuul"), UNTIL)
    return built


def engine_settings(reference):
    # Two days of hourly history are enough here (status_since is tested end to end).
    return EngineSettings(CFG, reference, history_days=2)


def radar(engine, reference="zuul", **kw):
    settings = engine_settings(reference)
    if reference != "zuul":  # the engine's tables are built with one reference: rebuild
        run_engine(engine, settings, UNTIL)
    return Radar(engine, Settings(settings, gerrit_url=GERRIT), **kw)


def health(system):
    """The health without status_since (tested against the truth's hourly history)."""
    return {k: v for k, v in system["health"].items() if k != "status_since"}


def by_id(systems):
    return {s["id"]: s for s in systems}


# --- leaderboard -------------------------------------------------------------------------------


def test_systems_lists_every_system_with_exact_figures(engine, world):
    systems = by_id(radar(engine).systems(W))

    assert sorted(systems) == [GOOD, FLAKY, SILENT, ZUUL, OLD]
    good = systems[GOOD]
    assert (good["name"], good["username"]) == ("Good CI", "good-ci")
    assert good["stats"] == {
        "reports": 7,
        "success": 5,
        "failure": 1,
        "error": 0,
        "other": 1,
        "patchsets_eligible": 3,  # 1001/2, 1002/1, 1003/1
        "patchsets_reported": 3,
        "latency_p50_s": 7200.0,
        "latency_p90_s": 10080.0,  # 1 h, 2 h, 3 h
        "last_report_at": d(20, 10),
        "last_success_at": d(19, 14),
        "rechecks": 1,
        "flaky_patchsets": 1,
        "duplicate_reports": 1,
        "agreement": pytest.approx(2 / 3),
        "false_failure_rate": 0.0,
    }
    # 5 patchsets reported on (the unknown one too), 1 flaky; round(100 x 0.9283) = 93
    assert health(good) == {
        "score": 93,
        "status": "healthy",
        "coverage": 1.0,
        "timeliness": 1.0,
        "success_rate": pytest.approx(5 / 6),
        "stability": pytest.approx(0.8),
    }


def test_systems_degraded_silent_and_unknown(engine, world):
    systems = by_id(radar(engine).systems(W))

    flaky = systems[FLAKY]
    assert health(flaky) == {
        "score": 64,  # 0.35 + 0.25 x 0.5 + 0.25 x 0.25 + 0.15 x 2/3 = 0.6375
        "status": "degraded",
        "coverage": 1.0,
        "timeliness": 0.5,
        "success_rate": 0.25,
        "stability": pytest.approx(2 / 3),
    }
    assert flaky["stats"]["latency_p50_s"] == 16200.0  # 8 h and 1 h
    assert flaky["stats"]["latency_p90_s"] == 26280.0
    assert (flaky["stats"]["rechecks"], flaky["stats"]["duplicate_reports"]) == (1, 1)
    # Against Zuul on 1001/2 (same), 1002/1 (error) and 1004/1 (failure while Zuul succeeded).
    assert flaky["stats"]["agreement"] == pytest.approx(1 / 3)
    assert flaky["stats"]["false_failure_rate"] == pytest.approx(1 / 3)

    silent = systems[SILENT]
    assert silent["health"]["status"] == "silent"
    assert silent["health"]["score"] == 0
    assert silent["stats"]["reports"] == 0
    assert silent["stats"]["patchsets_eligible"] == 2  # watched nova from a report on the 10th
    assert silent["stats"]["last_report_at"] == d(10, 2)
    assert silent["stats"]["last_success_at"] == d(10, 2)

    # Old CI stopped in October: it still watches nova, where patchsets waited since.
    old = systems[OLD]
    assert health(old) == {
        "score": 0,
        "status": "silent",
        "coverage": 0.0,
        "timeliness": None,
        "success_rate": None,
        "stability": None,
    }
    assert old["stats"]["patchsets_eligible"] == 2
    assert old["stats"]["last_report_at"] == d(14, 1, month=10)
    assert old["stats"]["last_success_at"] is None

    zuul = systems[ZUUL]
    assert (zuul["health"]["score"], zuul["health"]["status"]) == (94, "healthy")
    assert zuul["stats"]["agreement"] == 1.0
    assert zuul["stats"]["rechecks"] == 1  # the untargeted recheck after its failure


def test_systems_project_filter(engine, world):
    systems = by_id(radar(engine).systems(W, project=SWIFT))

    good = systems[GOOD]
    assert good["stats"]["reports"] == 2
    assert (good["stats"]["success"], good["stats"]["failure"]) == (1, 1)
    assert good["stats"]["patchsets_eligible"] == 1
    assert good["stats"]["latency_p50_s"] == 10800.0
    assert good["health"]["stability"] == 0.0
    assert (good["health"]["score"], good["health"]["status"]) == (72, "degraded")  # 72.5
    # Flaky CI and Silent CI never reported on swift.
    assert systems[FLAKY]["health"]["status"] == "unknown"
    assert systems[FLAKY]["stats"]["last_report_at"] is None
    assert systems[SILENT]["stats"]["last_report_at"] is None


def test_unknown_project_is_not_found(engine, world):
    with pytest.raises(NotFound, match="no project 'openstack/nope'"):
        radar(engine).systems(W, project="openstack/nope")
    assert radar(engine).project_exists(SWIFT)
    assert not radar(engine).project_exists("openstack/nope")


def test_reference_account_by_id_username_or_absent(engine, world):
    def agreement(reference):
        return by_id(radar(engine, reference).systems(W))[FLAKY]["stats"]["agreement"]

    assert agreement("104") == pytest.approx(1 / 3)
    assert agreement("zuul") == pytest.approx(1 / 3)
    assert agreement("good-ci") == 0.5  # 1001/2 both success; 1002/1 error against success
    assert agreement(None) is None
    assert agreement("nobody") is None


def test_invalid_window(engine, world):
    with pytest.raises(InvalidParameter, match="since"):
        radar(engine).systems(stats.Window(UNTIL, SINCE))


# --- one system --------------------------------------------------------------------------------


def test_system_by_id_and_username(engine, world):
    service = radar(engine)
    good = service.system("101", W)

    assert good == service.system("good-ci", W)
    assert good["stats"]["reports"] == 7
    assert good["health"]["score"] == 93
    assert good["contacts"] == {
        "name": "Gita",
        "email": "gita@example.org",
        "info_url": "https://wiki.example.org/GoodCI",
        "recheck_keyword": "good",
    }
    assert good["reasons"] == []
    assert service.system("good-ci", W, project=SWIFT)["stats"]["reports"] == 2


def test_system_unknown_key(engine, world):
    with pytest.raises(NotFound, match="no CI system 'nobody'"):
        radar(engine).system("nobody", W)
    with pytest.raises(NotFound):
        radar(engine).system("999", W)


def test_system_reasons(engine, world):
    service = radar(engine)

    assert service.system("flaky-ci", W)["reasons"] == [
        "timeliness 50% is below what a healthy system reaches",
        "latency p50 4.5 h exceeds the 4 h deadline",
        "success rate 25% is below what a healthy system reaches",
        "stability 67% is below what a healthy system reaches",
    ]
    assert service.system("silent-ci", W)["reasons"] == [
        "no report for 12 days while 2 patchsets waited",
        "coverage 0% is below what a healthy system reaches",
    ]
    assert service.system("old-ci", W)["reasons"] == [
        "no report for 39 days while 3 patchsets waited",
        "no successful report in 14 days",
        "coverage 0% is below what a healthy system reaches",
    ]
    later = stats.Window(SINCE, d(26))  # no success for 14 days: 10th + 14 < 26th
    assert "no successful report in 14 days" in service.system("silent-ci", later)["reasons"]


# --- jobs ----------------------------------------------------------------------------------------


def test_jobs(engine, world):
    result = radar(engine).jobs("good-ci", W)

    assert result["system"] == {"id": GOOD, "name": "Good CI", "username": "good-ci"}
    assert [job["name"] for job in result["jobs"]] == ["pep8", "tempest", "legacy"]
    pep8, tempest, legacy = result["jobs"]
    assert pep8 == {
        "name": "pep8",
        "runs": 6,
        "success": 5,
        "failure": 1,
        "error": 0,
        "skipped": 0,
        "success_rate": pytest.approx(5 / 6),
        "duration_p50_s": 85.0,  # 30 60 80 | 90 100 120
        "last_success_at": d(19, 14),
        "voting": True,
    }
    assert (tempest["runs"], tempest["success"], tempest["failure"]) == (6, 3, 1)
    assert (tempest["error"], tempest["skipped"]) == (1, 1)
    assert tempest["success_rate"] == 0.6
    assert tempest["duration_p50_s"] == 950.0
    assert tempest["last_success_at"] == d(18, 11)
    assert tempest["voting"] is False  # its latest run was non-voting
    # legacy only failed in the window; its last success was before it.
    assert (legacy["runs"], legacy["success_rate"], legacy["duration_p50_s"]) == (1, 0.0, None)
    assert legacy["last_success_at"] == d(10, 1)


def test_jobs_project_filter_and_unknown_system(engine, world):
    result = radar(engine).jobs("101", W, project=NOVA)
    assert [(j["name"], j["runs"]) for j in result["jobs"]] == [("pep8", 4), ("tempest", 4)]
    with pytest.raises(NotFound):
        radar(engine).jobs("nobody", W)


# --- reports -------------------------------------------------------------------------------------


def test_reports_pages_newest_first(engine, world):
    service, ids = radar(engine), world.report_ids
    first = service.reports("good-ci", W, limit=3)

    assert [r["id"] for r in first["reports"]] == [ids["g7"], ids["g6"], ids["g5"]]
    assert first["next_marker"] == ids["g5"]
    unknown_patchset = first["reports"][0]
    assert unknown_patchset == {
        "id": ids["g7"],
        "date": d(20, 10),
        "result": "ABORTED",
        "result_class": "skipped",
        "vote": None,
        "pipeline": "check",
        "project": NOVA,
        "change": 1002,
        "patchset": 7,
        "gerrit_url": "https://review.example.org/c/openstack/nova/+/1002/7",
        "jobs": [],
        "jobs_dropped": 0,
        "sanitised": False,
    }
    assert first["reports"][1]["jobs"] == [
        {
            "name": "pep8",
            "url": "https://logs.example.org/g6/pep8",
            "result": "SUCCESS",
            "result_class": "success",
            "duration_s": 80,
            "voting": True,
            "detail": None,
        },
        {
            "name": "tempest",
            "url": "https://logs.example.org/g6/tempest",
            "result": "SKIPPED",
            "result_class": "skipped",
            "duration_s": None,
            "voting": False,
            "detail": None,
        },
    ]

    second = service.reports("good-ci", W, limit=3, marker=first["next_marker"])
    assert [r["id"] for r in second["reports"]] == [ids["g4"], ids["g3"], ids["g2"]]
    third = service.reports("good-ci", W, limit=3, marker=second["next_marker"])
    assert [r["id"] for r in third["reports"]] == [ids["g1"]]
    assert third["next_marker"] is None


def test_reports_same_date_ordered_by_id(engine, world):
    with Session(engine) as session, session.begin():
        change = session.query(models.Change).filter_by(number=1002).one()
        same_date = [
            models.Report(
                change_id=change.id,
                patchset_number=1,
                system_id=ZUUL,
                message_id=f"tie{n}",
                date=d(21, 9),
                kind="report",
                result="SUCCESS",
                result_class="success",
                message="",
            )
            for n in range(3)
        ]
        session.add_all(same_date)
        session.flush()
        t1, t2, t3 = sorted(r.id for r in same_date)
    service = radar(engine)

    first = service.reports("zuul", W, limit=2)
    assert [r["id"] for r in first["reports"]] == [world.report_ids["z4"], t3]
    second = service.reports("zuul", W, limit=2, marker=first["next_marker"])
    assert [r["id"] for r in second["reports"]] == [t2, t1]
    assert second["next_marker"] == t1


def test_reports_unknown_marker_limit_and_filters(engine, world):
    service, ids = radar(engine), world.report_ids
    with pytest.raises(InvalidParameter, match="marker"):
        service.reports("good-ci", W, marker=999999)
    with pytest.raises(InvalidParameter, match="marker"):  # another system's report
        service.reports("good-ci", W, marker=ids["f1"])
    with pytest.raises(InvalidParameter, match="limit"):
        service.reports("good-ci", W, limit=0)
    swift = service.reports("good-ci", W, project=SWIFT)
    assert [r["id"] for r in swift["reports"]] == [ids["g6"], ids["g5"]]
    no_gerrit = Radar(engine, Settings(engine_settings("zuul"))).reports("good-ci", W, limit=1)
    assert no_gerrit["reports"][0]["gerrit_url"] is None


# --- trend ---------------------------------------------------------------------------------------


def test_trend_days(engine, world):
    result = radar(engine).trend("good-ci", W, bucket="day")

    assert result["bucket"] == "day"
    assert result["system"]["id"] == GOOD
    points = result["points"]
    assert [(p["since"], p["until"]) for p in points] == [(d(n), d(n + 1)) for n in range(16, 23)]
    assert [p["reports"] for p in points] == [0, 2, 2, 2, 1, 0, 0]
    # The 19th: failure then success on 1003/1 (3 h after its creation).
    assert points[3] == {
        "since": d(19),
        "until": d(20),
        "score": 72,
        "status": "degraded",
        "coverage": 1.0,
        "timeliness": 1.0,
        "success_rate": 0.5,
        "stability": 0.0,
        "reports": 2,
        "latency_p50_s": 10800.0,
    }
    # The 16th: nothing to report on, last report (10th) recent enough: healthy, no score.
    assert (points[0]["score"], points[0]["status"]) == (None, "healthy")


def test_trend_weeks(engine, world):
    service = radar(engine)
    week = service.trend("good-ci", W, bucket="week")["points"]
    assert len(week) == 1
    figures = service.system("good-ci", W)
    assert week[0]["score"] == figures["health"]["score"] == 93
    assert week[0]["reports"] == 7

    ten_days = stats.Window(d(13), UNTIL)
    points = service.trend("101", ten_days, bucket="week")["points"]
    assert [(p["since"], p["until"]) for p in points] == [(d(13), d(16)), (d(16), d(23))]
    assert [p["reports"] for p in points] == [0, 7]


def test_trend_buckets_are_calendar_days_and_weeks_cut_at_the_window(engine, world):
    service = radar(engine)
    window = stats.Window(d(16, 6, 30), d(19, 20))
    days = service.trend("good-ci", window, bucket="day")["points"]
    assert [(p["since"], p["until"]) for p in days] == [
        (d(16, 6, 30), d(17)), (d(17), d(18)), (d(18), d(19)), (d(19), d(19, 20))]
    # A bucket's figures are those of the window it is: the 19th's failure and success came
    # before 20:00.
    assert days[3]["reports"] == service.system("good-ci", stats.Window(d(19), d(19, 20)))[
        "stats"]["reports"] == 2
    weeks = service.trend("good-ci", stats.Window(d(13, 5), d(25, 7)), bucket="week")["points"]
    assert [(p["since"], p["until"]) for p in weeks] == [
        (d(13, 5), d(16)), (d(16), d(23)), (d(23), d(25, 7))]  # the 16th and 23rd: Mondays
    aligned = service.trend("good-ci", stats.Window(d(16), d(17)), bucket="day")["points"]
    assert [(p["since"], p["until"]) for p in aligned] == [(d(16), d(17))]


def test_trend_bad_bucket(engine, world):
    with pytest.raises(InvalidParameter, match="bucket"):
        radar(engine).trend("good-ci", W, bucket="month")


# --- changes, projects, status -------------------------------------------------------------------


def test_change_grid(engine, world):
    ids = world.report_ids
    change = radar(engine).change(1002)

    assert {k: change[k] for k in ("number", "project", "branch", "subject", "status")} == {
        "number": 1002,
        "project": NOVA,
        "branch": "master",
        "subject": "Change 1002",
        "status": "NEW",
    }
    assert change["gerrit_url"] == "https://review.example.org/c/openstack/nova/+/1002"
    assert [s["name"] for s in change["systems"]] == ["Flaky CI", "Good CI", "Zuul"]
    first, unknown = change["patchsets"]
    assert (first["number"], first["created"]) == (1, d(18, 8))
    assert first["gerrit_url"] == "https://review.example.org/c/openstack/nova/+/1002/1"
    assert [(r["system_id"], r["result_class"], r["reports"]) for r in first["results"]] == [
        (FLAKY, "error", 1),
        (GOOD, "success", 2),
        (ZUUL, "success", 1),
    ]
    good = first["results"][1]
    assert (good["report_id"], good["date"], good["result"]) == (ids["g4"], d(18, 11), "SUCCESS")
    assert [j["name"] for j in good["jobs"]] == ["pep8", "tempest"]
    # Reports on a patchset Radar does not know still show, without a creation time.
    assert (unknown["number"], unknown["created"]) == (7, None)
    assert [(r["system_id"], r["result_class"]) for r in unknown["results"]] == [(GOOD, "skipped")]


def test_change_not_found(engine, world):
    with pytest.raises(NotFound, match="no change 4242"):
        radar(engine).change(4242)


def test_projects(engine, world):
    assert radar(engine).projects() == {
        "projects": [
            {"name": GLANCE, "changes": 0, "patchsets": 0, "systems": 0},
            {"name": NOVA, "changes": 5, "patchsets": 6, "systems": 5},
            {"name": SWIFT, "changes": 1, "patchsets": 1, "systems": 2},
        ]
    }


def test_status(engine, world):
    with Session(engine) as session, session.begin():
        session.add_all(
            [
                models.PollState(
                    query="status:open", watermark=d(22, 23), last_success_at=d(22, 23, 55)
                ),
                models.PollState(
                    query="status:merged", last_success_at=d(22, 23, 50), locked_by="host-a"
                ),
            ]
        )
        for n in range(25):
            started = d(22, 22) + n * timedelta(minutes=5)
            session.add(
                models.PollLog(
                    query="status:open",
                    collector="host-a",
                    started_at=started,
                    finished_at=started + timedelta(seconds=30),
                    outcome="error" if n == 24 else "ok",
                    requests=n,
                    errors=1 if n == 24 else 0,
                    rate_limited=0,
                    changes=2,
                    reports_stored=3,
                    rechecks_stored=0,
                    message="boom" if n == 24 else None,
                )
            )
    now = d(23, 0, 10)
    status = radar(engine, clock=lambda: now).status(poll_interval=300)

    assert status["poll_interval"] == 300
    assert status["now"] == now
    collector = status["collector"]
    assert collector["last_poll_at"] == d(23, 0, 0) + timedelta(seconds=30)
    assert collector["outcome"] == "error"
    assert collector["last_success_at"] == d(22, 23, 55)
    assert collector["lag_s"] == 900.0
    assert collector["queries"] == [
        {
            "query": "status:merged",
            "watermark": None,
            "last_success_at": d(22, 23, 50),
            "locked_by": "host-a",
        },
        {
            "query": "status:open",
            "watermark": d(22, 23),
            "last_success_at": d(22, 23, 55),
            "locked_by": None,
        },
    ]
    polls = collector["polls"]
    assert len(polls) == 20
    assert [p["requests"] for p in polls] == list(range(24, 4, -1))
    assert polls[0]["message"] == "boom"
    assert set(polls[0]) == {
        "id",
        "query",
        "started_at",
        "finished_at",
        "outcome",
        "requests",
        "errors",
        "rate_limited",
        "changes",
        "reports_stored",
        "rechecks_stored",
        "message",
    }
    # 19 reports stored, 1 of them a start notice.
    assert status["totals"] == {
        "systems": 5,
        "changes": 6,
        "patchsets": 7,
        "reports": 18,
        "rechecks": 3,
    }


def test_status_without_polls(engine, world):
    collector = radar(engine).status(poll_interval=60)["collector"]
    assert collector["last_poll_at"] is None
    assert collector["lag_s"] is None
    assert collector["polls"] == collector["queries"] == []


# --- failures ------------------------------------------------------------------------------------


def test_database_unavailable(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'radar.sqlite'}")
    with pytest.raises(DatabaseUnavailable, match="database unavailable"):
        Radar(engine, Settings(engine_settings("zuul"))).systems(W)
    with pytest.raises(DatabaseUnavailable):
        Radar(engine, Settings(engine_settings("zuul"))).status(300)


def test_once_the_database_failed_requests_answer_at_once_until_the_retry_interval(tmp_path):
    from radar_core import migration
    from radar_core.db import make_engine

    directory = tmp_path / "missing"
    engine = make_engine(f"sqlite:///{directory / 'radar.sqlite'}")
    waiting = Radar(engine, Settings(engine_settings("zuul"), retry_interval=3600))
    trying = Radar(engine, Settings(engine_settings("zuul"), retry_interval=0))
    for radar in (waiting, trying):
        with pytest.raises(DatabaseUnavailable, match="unable to open"):
            radar.status(300)
    directory.mkdir()
    migration.upgrade(engine)
    with pytest.raises(DatabaseUnavailable, match="not tried again within 3600 s"):
        waiting.status(300)
    assert trying.status(300)["collector"]["polls"] == []
    engine.dispose()


def test_settings_are_frozen():
    settings = Settings(engine_settings("zuul"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.gerrit_url = "x"


def test_a_quiet_poll_carries_the_hourly_counters_forward(engine, world):
    later = UNTIL + 5 * H
    window = stats.Window(SINCE + 5 * H, later)
    before = by_id(radar(engine).systems(window))
    with transaction(engine) as session:
        refresh.lock(session)
        refresh.refresh(session, set(), engine_settings("zuul"), later)  # nothing new stored
    with Session(engine) as session:
        newest = session.execute(
            select(models.SystemHour.system_id, func.max(models.SystemHour.hour))
            .group_by(models.SystemHour.system_id)
        ).all()
        assert {system: hour for system, hour in newest} == dict.fromkeys(
            [GOOD, FLAKY, SILENT, ZUUL, OLD], later
        )
        assert session.get(models.EngineState, refresh.STATE_ID).counted_until == later
    assert by_id(radar(engine).systems(window)) == before


def test_data_stored_during_an_evaluation_stays_to_evaluate(engine, world, monkeypatch):
    from radar_core.engine import status

    stored_meanwhile = UNTIL - 3 * H
    real = status._evaluate_dirty

    def evaluate_while_a_collector_stores(*args):
        real(*args)
        with transaction(engine) as session:  # another collector's refresh commits meanwhile
            refresh.lock(session)
            session.get(models.EngineState, refresh.STATE_ID).dirty_since = stored_meanwhile

    monkeypatch.setattr(status, "_evaluate_dirty", evaluate_while_a_collector_stores)
    status.evaluate(engine, engine_settings("zuul"), UNTIL, "test")
    with Session(engine) as session:
        state = session.get(models.EngineState, refresh.STATE_ID)
        assert state.dirty_since == stored_meanwhile  # left for the next run, not cleared unseen
