"""A poll streams its changes into the database in bounded batches: small batches store exactly
what one batch stores, and a poll failing half way leaves a state the next poll completes."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from radar_collector.gerrit import GerritError
from radar_collector.poller import utcnow
from radar_core import models
from radar_core.db import transaction
from tests.e2e.test_backfill import dump, poller, simulator, two_engines  # noqa: F401


def _start(simulator):  # noqa: F811 - the fixture, imported above
    return simulator.scenario.start.replace(hour=0, minute=0, second=0)


# Detected CI systems (no group): an account revealed by a later batch has messages in an
# earlier one, which the poll fetches again.
def test_small_batches_store_what_one_batch_stores(two_engines, simulator):  # noqa: F811
    whole, batched = (poller(e, simulator, _start(simulator), None) for e in two_engines)
    whole.settings.batch_size = 10_000
    batched.settings.batch_size = 9
    for each in (whole, batched):
        outcome = each.poll("all")
        assert outcome.ok, outcome.message
    one, many = dump(two_engines[0]), dump(two_engines[1])
    assert one["reports"] and len(one["changes"]) > 3 * batched.settings.batch_size
    for table, rows in one.items():
        assert many[table] == rows, f"{table} differs between one batch and many"


class FailingClient:
    """The simulator's client, failing once after ``after`` changes of a query."""

    def __init__(self, client, after):
        self.client, self.after = client, after

    def __getattr__(self, name):
        return getattr(self.client, name)

    def query_changes(self, query, page_size=100):
        for count, info in enumerate(self.client.query_changes(query, page_size)):
            if self.after is not None and count == self.after:
                self.after = None
                raise GerritError("Gerrit answered HTTP 503 for /changes/; gave up")
            yield info


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_poll_failing_half_way_keeps_its_watermark_and_the_next_one_completes(
    two_engines, simulator  # noqa: F811
):
    reference, failing = (poller(e, simulator, _start(simulator), None) for e in two_engines)
    assert reference.poll("all").ok
    failing.settings.batch_size = 5
    failing.client = FailingClient(failing.client, after=23)
    outcome = failing.poll("all")
    assert not outcome.ok and "HTTP 503" in outcome.message
    with transaction(two_engines[1]) as session:
        state = session.scalars(select(models.PollState)).one()
        stored = session.scalars(select(models.Change.number)).all()
    assert state.watermark is None and state.locked_by is None
    assert len(stored) == 20  # the whole batches before the failure, with their facts
    assert failing.poll("all").ok
    want, have = dump(two_engines[0]), dump(two_engines[1])
    for table, rows in want.items():
        assert have[table] == rows, f"{table} differs after the failed poll was redone"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_ci_revealed_by_a_later_batch_gets_its_earlier_messages(engine):
    """The newest change holds only legacy-ci's 'Merge Failed' (no job lines, no tag: nothing
    says a CI wrote it); an older change, in a later batch, holds its verdict with jobs."""
    from radar_demo.scenario import Scenario
    from radar_demo.server import GerritSimulator

    end = utcnow().replace(second=0)
    scenario = Scenario(end, start=end - timedelta(hours=6))
    legacy, human = scenario.system("legacy-ci"), scenario.humans[0]
    older = scenario.add_change("openstack/nova", "master", human.id, end - timedelta(hours=5))
    scenario.post(older, end - timedelta(hours=4), "report",
                  "Patch Set 1:\n\nBuild failed.\n\n- gate-nova-pep8 http://logs/1 : FAILURE in 3m",
                  1, legacy.id, result="FAILURE")
    newer = scenario.add_change("openstack/nova", "master", human.id, end - timedelta(hours=3))
    scenario.post(newer, end - timedelta(hours=1), "report", "Patch Set 1:\n\nMerge Failed.",
                  1, legacy.id, result="MERGE_FAILED")
    with GerritSimulator(scenario) as sim:
        polling = poller(engine, sim, end - timedelta(days=1), None)
        polling.settings.batch_size = 1
        assert polling.poll("all").ok
    with transaction(engine) as session:
        results = session.scalars(select(models.Report.result).order_by(models.Report.date))
        assert results.all() == ["FAILURE", "MERGE_FAILED"]
