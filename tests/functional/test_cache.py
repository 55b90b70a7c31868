"""The figures cache answers again only while the data has not changed."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import webtest

from radar_api.app import make_app
from radar_core import models, stats
from radar_core.cache import CachedRadar
from radar_core.db import transaction
from radar_core.errors import NotFound
from radar_core.service import Radar, Settings

UNTIL = datetime(2026, 11, 20, 12, 0)
WINDOW = stats.Window(UNTIL - timedelta(days=7), UNTIL)


def _seed(engine, until=UNTIL):
    """A system, a project and a change two days before ``until``."""
    with transaction(engine) as session:
        session.add(models.Account(id=100, name="CI", username="ci"))
        session.add(models.Project(id=1, name="p"))
        session.flush()
        session.add(models.CISystem(id=100, name="CI", username="ci", source="config",
                                    first_seen_at=until - timedelta(days=30)))
        session.add(models.Change(id=1, number=1, project_id=1, branch="master",
                                  created=until - timedelta(days=2),
                                  updated=until - timedelta(days=2)))
        session.flush()
        session.add(models.Patchset(id=1, change_id=1, project_id=1, number=1,
                                    created=until - timedelta(days=2)))


def _report(engine, message_id, result_class, until=UNTIL):
    with transaction(engine) as session:
        session.add(models.Report(
            change_id=1, patchset_id=1, patchset_number=1, system_id=100, message_id=message_id,
            date=until - timedelta(days=1), kind="report", result=result_class.upper(),
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


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def _ending_now(clock, length=timedelta(days=7)) -> stats.Window:
    """The window an API request "window=7d" makes at the clock's time."""
    minute = clock().replace(second=0, microsecond=0)
    return stats.Window(minute - length, minute, ends_now=True)


def _warming(engine, clock, **options):
    radar = Radar(engine, Settings(health=stats.HealthConfig()))
    return CachedRadar(radar, clock=clock, **options)


def test_without_warming_windows_ending_now_are_answered_as_asked(engine):
    _seed(engine)
    clock = Clock(UNTIL + timedelta(seconds=30))
    cached = _warming(engine, clock)
    window = _ending_now(clock)
    assert cached.anchored(window) is window
    cached.systems(window)
    clock.now += timedelta(minutes=1)
    cached.systems(cached.anchored(_ending_now(clock)))
    assert (cached.hits, cached.misses) == (0, 2)


def test_warming_answers_windows_ending_now_ahead(engine):
    _seed(engine)
    _report(engine, "a", "success")
    clock = Clock(UNTIL + timedelta(seconds=30))
    cached = _warming(engine, clock, max_age=timedelta(minutes=5))
    cached.systems(_ending_now(clock))  # asked once, computed on request
    clock.now += timedelta(minutes=1)
    assert cached.warm() == 1

    clock.now += timedelta(minutes=2)
    window = cached.anchored(_ending_now(clock))
    assert window.until == UNTIL + timedelta(minutes=1)  # the warmed answer's window
    assert window.until - window.since == timedelta(days=7) and window.ends_now
    misses = cached.misses
    assert cached.systems(window)[0]["stats"]["reports"] == 1
    assert cached.misses == misses  # answered ahead

    # Nothing changed and the anchor is young: the next pass computes nothing.
    assert cached.warm() == 0

    # New data: answers stay those of the anchor's data until the warmer has the new ones.
    _report(engine, "b", "failure")
    assert cached.systems(cached.anchored(_ending_now(clock)))[0]["stats"]["reports"] == 1
    assert cached.warm() == 1
    window = cached.anchored(_ending_now(clock))
    assert window.until == clock().replace(second=0)
    misses = cached.misses
    assert cached.systems(window)[0]["stats"]["reports"] == 2
    assert cached.misses == misses


def test_system_details_and_jobs_are_answered_ahead_too(engine):
    _seed(engine)
    _report(engine, "a", "success")
    clock = Clock(UNTIL)
    cached = _warming(engine, clock)
    cached.system("ci", _ending_now(clock))
    cached.jobs("ci", _ending_now(clock), project="p")
    clock.now += timedelta(minutes=3)
    assert cached.warm() == 2
    window = cached.anchored(_ending_now(clock))
    assert window.until == UNTIL + timedelta(minutes=3)
    misses = cached.misses
    assert cached.system("ci", window)["stats"]["reports"] == 1
    assert cached.jobs("ci", window, project="p") == cached.radar.jobs("ci", window, project="p")
    assert cached.misses == misses


def test_anchors_older_than_max_age_are_not_used(engine):
    _seed(engine)
    clock = Clock(UNTIL)
    cached = _warming(engine, clock, max_age=timedelta(minutes=5))
    cached.systems(_ending_now(clock))
    cached.warm()
    clock.now += timedelta(minutes=5)
    assert cached.anchored(_ending_now(clock)).until == UNTIL
    clock.now += timedelta(minutes=1)
    window = _ending_now(clock)
    assert cached.anchored(window) is window
    # Anchors are per window length; explicit windows are never moved.
    day = _ending_now(clock, timedelta(days=1))
    assert cached.anchored(day) is day
    explicit = stats.Window(UNTIL - timedelta(days=7), UNTIL)
    assert cached.anchored(explicit) is explicit


def test_the_warmer_refreshes_old_anchors_and_forgets_old_questions(engine):
    _seed(engine)
    clock = Clock(UNTIL)
    cached = _warming(engine, clock, max_age=timedelta(minutes=10),
                      forget_after=timedelta(minutes=30))  # fmt: skip
    cached.systems(_ending_now(clock))
    cached.trend("ci", _ending_now(clock))
    assert cached.warm() == 2
    clock.now += timedelta(minutes=4)
    assert cached.warm() == 0
    clock.now += timedelta(minutes=1)  # half max_age: move the window on
    assert cached.warm() == 2
    assert cached.anchored(_ending_now(clock)).until == UNTIL + timedelta(minutes=5)
    clock.now += timedelta(minutes=31)
    assert cached.warm() == 0  # not asked for 30 minutes


def test_a_question_that_fails_does_not_stop_the_warmer(engine):
    _seed(engine)
    clock = Clock(UNTIL)
    cached = _warming(engine, clock)
    cached.systems(_ending_now(clock))
    with pytest.raises(NotFound):  # not answered: not worth answering ahead
        cached.trend("no-such-ci", _ending_now(clock))
    cached.trend("ci", _ending_now(clock))
    with transaction(engine) as session:  # the system goes away after it was asked about
        session.delete(session.get(models.CISystem, 100))
    clock.now += timedelta(minutes=3)
    assert cached.warm() == 2
    window = cached.anchored(_ending_now(clock))
    assert window.until == UNTIL + timedelta(minutes=3)
    assert cached.systems(window) == []


def test_the_warming_thread_follows_new_data(engine):
    # The warmer answers for windows ending now on the real clock: date the data from now.
    now = datetime.now(UTC).replace(tzinfo=None)
    _seed(engine, until=now)
    cached = CachedRadar(Radar(engine, Settings(health=stats.HealthConfig())), warm_every=0.05)
    try:
        window = cached.anchored(_ending_now(lambda: now))  # starts the thread
        assert cached.systems(window)[0]["stats"]["reports"] == 0
        version = cached.data_version()
        _report(engine, "a", "success", until=now)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            anchor = cached._anchors.get(timedelta(days=7))
            if anchor is not None and anchor.version != version:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the warmer did not answer again after new data")
        window = cached.anchored(_ending_now(lambda: datetime.now(UTC).replace(tzinfo=None)))
        assert window.until == anchor.until
        misses = cached.misses
        assert cached.systems(window)[0]["stats"]["reports"] == 1
        assert cached.misses == misses
    finally:
        cached.close()


def test_the_api_tells_the_window_it_answers_for(engine):
    _seed(engine)
    _report(engine, "a", "success")
    # A warmer whose clock is two minutes late: its anchors are visibly not the current minute.
    late = Clock(datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=2))
    cached = _warming(engine, late, max_age=timedelta(minutes=5))
    api = webtest.TestApp(make_app(cached))
    asked = api.get("/v1/systems?window=7d").json
    assert cached.warm() == 1
    anchor = late.now.replace(second=0, microsecond=0).isoformat() + "Z"

    answer = api.get("/v1/systems?window=7d").json
    assert answer["window"]["until"] == anchor != asked["window"]["until"]
    assert answer["systems"] == asked["systems"]
    assert api.get("/v1/systems/ci?window=7d").json["window"]["until"] == anchor
    assert api.get("/v1/systems/ci/jobs?window=7d").json["window"]["until"] == anchor
    explicit = api.get("/v1/systems", {"since": "2026-11-01", "until": "2026-11-20"}).json
    assert explicit["window"]["until"] == "2026-11-20T00:00:00Z"
    assert api.get("/v1/systems?window=24h").json["window"]["until"] != anchor  # not warmed
