"""The figures cache answers again only while the data has not changed."""

from datetime import datetime, timedelta

from radar_core import models, stats
from radar_core.cache import CachedRadar
from radar_core.db import transaction
from radar_core.service import Radar, Settings

UNTIL = datetime(2026, 11, 20, 12, 0)
WINDOW = stats.Window(UNTIL - timedelta(days=7), UNTIL)


def _seed(engine):
    with transaction(engine) as session:
        session.add(models.Account(id=100, name="CI", username="ci"))
        session.add(models.Project(id=1, name="p"))
        session.flush()
        session.add(models.CISystem(id=100, name="CI", username="ci", source="config",
                                    first_seen_at=UNTIL - timedelta(days=30)))
        session.add(models.Change(id=1, number=1, project_id=1, branch="master",
                                  created=UNTIL - timedelta(days=2),
                                  updated=UNTIL - timedelta(days=2)))
        session.flush()
        session.add(models.Patchset(id=1, change_id=1, project_id=1, number=1,
                                    created=UNTIL - timedelta(days=2)))


def _report(engine, message_id, result_class):
    with transaction(engine) as session:
        session.add(models.Report(
            change_id=1, patchset_id=1, patchset_number=1, system_id=100, message_id=message_id,
            date=UNTIL - timedelta(days=1), kind="report", result=result_class.upper(),
            result_class=result_class, message="Build finished."))


def test_answers_are_reused_until_the_data_changes(engine):
    _seed(engine)
    _report(engine, "a", "success")
    cached = CachedRadar(Radar(engine, Settings(health=stats.HealthConfig())))
    first = cached.systems(WINDOW)
    assert first[0]["stats"]["reports"] == 1
    assert cached.systems(WINDOW) is first
    assert (cached.hits, cached.misses) == (1, 1)

    _report(engine, "b", "failure")
    second = cached.systems(WINDOW)
    assert second[0]["stats"]["reports"] == 2 and second[0]["stats"]["failure"] == 1
    assert cached.misses == 2

    other_window = stats.Window(UNTIL - timedelta(days=1, hours=1), UNTIL)
    assert cached.systems(other_window) is not second
    assert cached.project_exists("p") and not cached.project_exists("q")  # passed through


def test_the_cache_is_bounded(engine):
    _seed(engine)
    cached = CachedRadar(Radar(engine, Settings(health=stats.HealthConfig())), max_entries=2)
    for hours in (1, 2, 3):
        cached.systems(stats.Window(UNTIL - timedelta(hours=hours), UNTIL))
    assert len(cached._entries) == 2
