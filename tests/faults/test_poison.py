"""Messages no database can store as they are: each is stored sanitised, flagged, and never
stops the poll (nor the next ones); the figures still equal the simulator's truth."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from radar_collector.parser import MAX_JOBS
from radar_core import models
from radar_core.db import transaction
from radar_demo.scenario import Scenario
from radar_demo.server import GerritSimulator
from tests.e2e.test_collector import assert_matches_truth, make_poller

OK = "Patch Set 1: Verified+1\n\nBuild succeeded.\n\n- tox https://ci.example.org/1 : SUCCESS in 1m"
JOB_LINES = 10_000
POISON = {
    # name: (text, result, sanitised)
    "lone surrogate": (OK + "\nthe log said \ud800 and \udfff", "SUCCESS", True),
    # \udcff and \udcfe are sent as the bytes FF FE: the reply is not UTF-8.
    "invalid utf-8": ("Patch Set 1: Verified-1\n\nBuild failed. \udcff\udcfe", "FAILURE", True),
    "nul": (OK + "\nnul\x00here\x00", "SUCCESS", True),
    "1 MB": (OK + "\n" + "é" * 1_000_000, "SUCCESS", False),
    "10,000 jobs": (
        "Patch Set 1:\n\nBuild failed.\n\n"
        + "".join(f"- job{i} https://ci.example.org/{i} : SUCCESS\n" for i in range(JOB_LINES))
        + "- last https://ci.example.org/last : FAILURE in 1m\n",  # past the kept jobs
        "FAILURE",
        False,
    ),
}


@pytest.fixture
def simulator():
    with GerritSimulator(Scenario.generate(seed=5, days=2, changes_per_day=4)) as sim:
        yield sim


def post_poison(scenario):
    system = scenario.systems[0]
    change = scenario.changes[-1]
    when = scenario.end - timedelta(minutes=30)
    ids = {}
    for name, (text, result, _) in POISON.items():
        when += timedelta(seconds=1)
        ids[name] = scenario.post(change, when, "report", text, 1, system.id, result=result).id
    human = scenario._human(not_id=change.owner_id)
    scenario.post(change, when, "recheck", "Patch Set 1:\n\nrecheck \ud800", 1, human.id)
    change.subject = "a subject with \ud800 and \x00"
    return ids


def test_poison_messages_are_stored_sanitised_and_the_polls_go_on(engine, simulator):
    ids = post_poison(simulator.scenario)
    poller = make_poller(engine, simulator)
    [outcome] = poller.poll_all()
    assert outcome.ok, outcome.message
    assert_matches_truth(engine, simulator)
    with transaction(engine) as session:
        reports = {
            r.message_id: r
            for r in session.scalars(
                select(models.Report).where(models.Report.message_id.in_(ids.values()))
            )
        }
        job_rows = select(models.JobResult.report_id, func.count())
        jobs = dict(session.execute(job_rows.group_by(models.JobResult.report_id)).all())
        subjects = list(session.scalars(select(models.Change.subject)))
    assert len(reports) == len(POISON)
    for name, (text, result, sanitised) in POISON.items():
        report = reports[ids[name]]
        assert (report.result, report.sanitised) == (result, sanitised), name
        assert "\x00" not in report.message and len(report.message) == len(text), name
    assert "\ufffd" in reports[ids["lone surrogate"]].message
    assert reports[ids["1 MB"]].message == POISON["1 MB"][0]  # kept whole
    many = reports[ids["10,000 jobs"]]
    assert jobs[many.id] == MAX_JOBS and many.jobs_dropped == JOB_LINES + 1 - MAX_JOBS
    assert "a subject with \ufffd and \ufffd" in subjects

    # The next messages are stored too.
    simulator.scenario.advance(6)
    [later] = poller.poll_all()
    assert later.ok and later.counts.reports > 0
    assert_matches_truth(engine, simulator)
