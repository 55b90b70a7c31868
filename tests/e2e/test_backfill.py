"""A backfill day by day stores exactly what one poll reaching back as far stores, table by table.

Both collectors read the same simulated Gerrit into databases of their own; every table is then
compared by Gerrit's own keys (change numbers, message ids, account ids), never by Radar's
surrogate ids, which depend on the order of inserts.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from radar_collector.gerrit import GerritClient
from radar_collector.poller import Poller, PollSettings, utcnow
from radar_core import migration, models
from radar_core.db import make_engine, transaction
from radar_demo.scenario import Scenario
from radar_demo.server import GerritSimulator
from tests.conftest import create_database_url

DAYS = 6


@pytest.fixture(scope="module")
def simulator():
    # The world starts at a midnight, so that its first backfill day is a whole day whatever the
    # time of day the test runs at (started at 23:30, that day held half an hour).
    end = utcnow().replace(second=0, microsecond=0)
    start = (end - timedelta(days=DAYS)).replace(hour=0, minute=0)
    days = (end - start) / timedelta(days=1)
    with GerritSimulator(Scenario.generate(seed=42, days=days, end=end)) as sim:
        assert sim.scenario.start == start
        yield sim


@pytest.fixture
def two_engines(backend, tmp_path):
    engines, drops = [], []
    for name in ("poll", "backfill"):
        (tmp_path / name).mkdir()
        url, drop = create_database_url(backend, tmp_path / name)
        engine = make_engine(url)
        migration.upgrade(engine)
        engines.append(engine)
        drops.append(drop)
    yield engines
    for engine, drop in zip(engines, drops, strict=True):
        engine.dispose()
        drop()


def poller(engine, simulator, start, ci_group) -> Poller:
    client = GerritClient(simulator.url, timeout=10, retries=1, backoff=0.01)
    settings = PollSettings(
        projects=[],
        page_size=25,
        ci_group=ci_group,
        backfill_days=(utcnow() - start).days + 1,
    )
    return Poller(engine, client, settings, name="test")


def dump(engine) -> dict[str, list[tuple]]:
    """Every table's rows by natural keys, sorted (poll bookkeeping left out)."""
    m = models
    change_number = select(m.Change.number).where(m.Change.id == m.Report.change_id)
    with transaction(engine) as session:

        def rows(stmt):
            return sorted(tuple(row) for row in session.execute(stmt))

        return {
            "projects": rows(select(m.Project.name)),
            "accounts": rows(select(m.Account.id, m.Account.name, m.Account.email,
                                    m.Account.username)),
            "ci_systems": rows(select(m.CISystem.id, m.CISystem.name, m.CISystem.username,
                                      m.CISystem.source)),
            "changes": rows(
                select(m.Change.number, m.Project.name, m.Change.branch, m.Change.change_id,
                       m.Change.subject, m.Change.status, m.Change.owner_id, m.Change.created,
                       m.Change.updated).join(m.Project)
            ),
            "patchsets": rows(
                select(m.Change.number, m.Patchset.number, m.Patchset.created,
                       m.Patchset.superseded_at, m.Patchset.uploader_id, m.Patchset.revision)
                .join(m.Change, m.Change.id == m.Patchset.change_id)
            ),
            "reports": rows(
                select(change_number.scalar_subquery(), m.Report.message_id,
                       m.Report.patchset_number, m.Report.patchset_id.is_not(None),
                       m.Report.system_id, m.Report.date, m.Report.kind, m.Report.result,
                       m.Report.result_class, m.Report.vote, m.Report.pipeline, m.Report.tag,
                       m.Report.message)
            ),
            "job_results": rows(
                select(change_number.scalar_subquery(), m.Report.message_id,
                       m.JobResult.position, m.JobResult.name, m.JobResult.url,
                       m.JobResult.result, m.JobResult.result_class, m.JobResult.duration_s,
                       m.JobResult.voting, m.JobResult.detail)
                .join(m.Report, m.Report.id == m.JobResult.report_id)
            ),
            "rechecks": rows(
                select(m.Change.number, m.Recheck.message_id, m.Recheck.patchset_number,
                       m.Recheck.patchset_id.is_not(None), m.Recheck.account_id,
                       m.Recheck.date, m.Recheck.target)
                .join(m.Change, m.Change.id == m.Recheck.change_id)
            ),
            # The health engine's facts and counters, kept in the same transactions.
            "report_facts": rows(
                select(m.Change.number, m.Report.message_id, m.ReportFact.date,
                       m.ReportFact.result_class, m.ReportFact.prev_at, m.ReportFact.fail_at,
                       m.ReportFact.fail2_at, m.ReportFact.dup_prev_at, m.ReportFact.next_at)
                .join(m.Report, m.Report.id == m.ReportFact.report_id)
                .join(m.Change, m.Change.id == m.Report.change_id)
            ),
            "patchset_facts": rows(
                select(m.PatchsetFact.system_id, m.PatchsetFact.created,
                       m.PatchsetFact.first_at, m.PatchsetFact.latency_us)
            ),
            "system_hours": rows(
                select(m.SystemHour.system_id, m.SystemHour.hour, m.SystemHour.counts)
            ),
        }


# Detected: no CI list, so CI systems are recognised by their messages; the case that lost
# legacy-ci's first day (its MERGE_FAILED reports and notices reveal no CI on their own).
@pytest.mark.parametrize("ci_group", [None, "third-party-ci"], ids=["detected", "group"])
def test_backfill_stores_what_one_poll_stores(two_engines, simulator, ci_group):
    start = simulator.scenario.start
    polling, backfilling = (poller(e, simulator, start, ci_group) for e in two_engines)

    outcome = polling.poll("all")
    assert outcome.ok, outcome.message
    days = list(backfilling.backfill_days(start))
    assert len(days) >= DAYS and days[-1][1] is None  # the last day reaches now
    for since, before in days:
        outcome = backfilling.poll("all", since=since, before=before)
        assert outcome.ok, outcome.message

    polled, backfilled = dump(two_engines[0]), dump(two_engines[1])
    assert polled["reports"], "the poll stored nothing: the comparison would prove nothing"
    for table, rows in polled.items():
        assert backfilled[table] == rows, f"{table} differs between backfill and poll"
    # The rows the old backfill lost: legacy-ci's verdicts of its first simulated day.
    legacy = simulator.scenario.system("legacy-ci").id
    first_day = start + timedelta(days=1)
    assert any(r[4] == legacy and r[5] < first_day for r in backfilled["reports"])
