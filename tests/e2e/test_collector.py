"""The collector against the Gerrit simulator over HTTP: it stores exactly what Gerrit holds."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from radar_collector.gerrit import GerritClient
from radar_collector.poller import Poller, PollSettings, utcnow
from radar_core import models
from radar_core.db import transaction
from radar_demo.scenario import Scenario
from radar_demo.server import GerritSimulator
from radar_demo.truth import expected_totals

DAYS = 10


@pytest.fixture
def simulator():
    with GerritSimulator(Scenario.generate(seed=7, days=DAYS, changes_per_day=8)) as sim:
        sim.slow_seconds = 1.0
        yield sim


def make_poller(engine, simulator, **client_args):
    client = GerritClient(
        simulator.url,
        **{
            "timeout": 5,
            "retries": 2,
            "backoff": 0.01,
            "max_backoff": 0.05,
            "jitter": 0,
            **client_args,
        },
    )
    # A small page size forces paging through _more_changes.
    settings = PollSettings(
        projects=[],
        page_size=7,
        ci_group="third-party-ci",
        reference_account="zuul",
        backfill_days=DAYS + 1,
    )
    return Poller(engine, client, settings, name="test")


def stored(engine) -> dict:
    """What the database holds, in the shape of the simulator's totals."""
    with transaction(engine) as session:
        rows = session.execute(
            select(
                models.Report.system_id, models.Report.kind, models.Report.result, func.count()
            ).group_by(models.Report.system_id, models.Report.kind, models.Report.result)
        ).all()
        systems = set(session.scalars(select(models.CISystem.id)))
        return {
            "by_result": Counter({(s, r): n for s, k, r, n in rows if k == "report"}),
            "notices": Counter({s: n for s, k, _r, n in rows if k == "notice"}),
            "systems": systems,
            "rechecks": session.scalar(select(func.count()).select_from(models.Recheck)),
            "changes": session.scalar(select(func.count()).select_from(models.Change)),
            "patchsets": session.scalar(select(func.count()).select_from(models.Patchset)),
            "jobs": session.scalar(select(func.count()).select_from(models.JobResult)),
            "watermarks": dict(
                session.execute(select(models.PollState.query, models.PollState.watermark)).all()
            ),
        }


def truth(simulator) -> dict:
    totals = expected_totals(simulator.scenario)
    return {
        "by_result": Counter(
            {(s, r): n for s, t in totals["systems"].items() for r, n in t["by_result"].items()}
        ),
        "notices": Counter({s: t["notices"] for s, t in totals["systems"].items() if t["notices"]}),
        "systems": set(totals["systems"]),
        "rechecks": totals["rechecks"],
        "changes": totals["changes"],
        "patchsets": totals["patchsets"],
    }


def assert_matches_truth(engine, simulator):
    have, want = stored(engine), truth(simulator)
    for key in want:
        assert have[key] == want[key], key


def test_poll_stores_exactly_the_simulated_messages(engine, simulator):
    poller = make_poller(engine, simulator)
    [outcome] = poller.poll_all()
    assert outcome.ok, outcome.message
    assert outcome.requests > 10  # paged
    assert_matches_truth(engine, simulator)

    before = stored(engine)
    [again] = poller.poll_all()
    assert again.ok and again.counts.reports == 0 and again.counts.rechecks == 0
    assert stored(engine) == before

    added = simulator.scenario.advance(12)
    [later] = poller.poll_all()
    assert later.ok
    new_reports = sum(by.get("report", 0) for by in added["by_system"].values())
    assert new_reports > 0
    assert later.counts.reports == new_reports
    assert_matches_truth(engine, simulator)

    with transaction(engine) as session:
        logs = session.scalars(select(models.PollLog).order_by(models.PollLog.id)).all()
    assert [log.outcome for log in logs] == ["ok", "ok", "ok"]
    assert logs[0].reports_stored == sum(truth(simulator)["by_result"].values()) - new_reports
    assert logs[1].reports_stored == 0 and logs[2].reports_stored == new_reports


@pytest.fixture
def sqlite_engine(tmp_path):
    from radar_core import migration
    from radar_core.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'radar.sqlite'}")
    migration.upgrade(engine)
    yield engine
    engine.dispose()


RECOVERABLE = ["http500", "http429", "slow", "truncated", "no_prefix", "not_json", "shift"]


@pytest.mark.parametrize("fault", RECOVERABLE)
def test_poll_recovers_from_a_passing_fault(sqlite_engine, simulator, fault):
    poller = make_poller(sqlite_engine, simulator, timeout=0.5)
    simulator.inject(fault, count=1)
    [outcome] = poller.poll_all()
    assert outcome.ok, outcome.message
    if fault == "shift":
        # The change updated between two pages is caught by the next poll at the latest.
        [outcome] = poller.poll_all()
        assert outcome.ok
    assert_matches_truth(sqlite_engine, simulator)


@pytest.mark.parametrize(
    "fault,reason",
    [
        ("http500", "HTTP 5"),
        ("http429", "429"),
        ("slow", "timed out"),
        ("truncated", "JSON"),
        ("no_prefix", ")]}'"),
        ("not_json", ")]}'"),
    ],
)
def test_a_lasting_fault_fails_cleanly_and_leaves_the_database_alone(
    sqlite_engine, simulator, fault, reason
):
    poller = make_poller(sqlite_engine, simulator, timeout=0.5)
    [first] = poller.poll_all()
    assert first.ok
    simulator.scenario.advance(6)
    before = stored(sqlite_engine)

    simulator.inject(fault, count=3)  # the first try and both retries
    [outcome] = poller.poll_all()
    assert not outcome.ok
    assert reason.lower() in outcome.message.lower()
    assert "\n" not in outcome.message and "Traceback" not in outcome.message
    assert stored(sqlite_engine) == before
    with transaction(sqlite_engine) as session:
        last = session.scalars(select(models.PollLog).order_by(models.PollLog.id.desc())).first()
        state = session.scalars(select(models.PollState)).one()
    assert last.outcome == "error" and last.message == outcome.message
    assert state.locked_by is None  # the lock is released after a failure

    [clean] = poller.poll_all()
    assert clean.ok
    assert_matches_truth(sqlite_engine, simulator)


def test_second_collector_skips_a_locked_query(sqlite_engine, simulator):
    first = make_poller(sqlite_engine, simulator)
    second = make_poller(sqlite_engine, simulator)
    second.name = "other-collector"
    assert first._acquire("all", utcnow())
    [outcome] = second.poll_all()
    assert outcome.ok and outcome.skipped
    assert stored(sqlite_engine)["changes"] == 0
    first._release("all")
    [outcome] = second.poll_all()
    assert outcome.ok and not outcome.skipped
    assert_matches_truth(sqlite_engine, simulator)
