"""system_latest: a window ending after all of a system's facts takes its end from the system's
latest row, and gets the same figures as the look-ups (on test_service's world)."""

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from radar_core import models, stats
from radar_core.db import transaction
from radar_core.engine import latest, refresh
from tests.functional import test_service
from tests.functional.test_service import (
    FLAKY,
    GOOD,
    OLD,
    SILENT,
    UNTIL,
    ZUUL,
    H,
    by_id,
    engine_settings,
    radar,
)

world = test_service.world  # the fixture: its hand-made world, the engine run at UNTIL

SYSTEMS = [GOOD, FLAKY, SILENT, ZUUL, OLD]


def answers(engine, windows):
    """Every system's document over each window, and one system's trend over the first."""
    service = radar(engine)
    return ([by_id(service.systems(window)) for window in windows],
            service.trend(str(GOOD), windows[0], bucket="day"))


def looked_up(engine, windows):
    """The same answers with no latest row: every end looked up."""
    with transaction(engine) as session:
        session.execute(delete(models.SystemLatest))
    return answers(engine, windows)


def rows(engine) -> dict[int, latest.Latest]:
    with engine.connect() as conn:
        return latest.read(conn, SYSTEMS)


def test_the_engine_keeps_a_latest_row_per_system(engine, world):
    found = rows(engine)
    assert set(found) == set(SYSTEMS)
    good = found[GOOD]
    assert good.counted_from == UNTIL  # the hour the engine ran at
    assert good.newest_at is None  # no fact from then on
    assert (good.last_report_at, good.last_success_at) == (datetime(2026, 11, 20, 10),
                                                           datetime(2026, 11, 19, 14))
    assert good.covers(UNTIL) and not good.covers(UNTIL - H)


def test_windows_ending_after_every_fact_agree_with_the_look_ups(engine, world):
    windows = [stats.Window(UNTIL - 7 * 24 * H, UNTIL),
               stats.Window(UNTIL - 24 * H, UNTIL + 5 * H + 17 * H / 60)]
    assert all(row.covers(UNTIL) for row in rows(engine).values())
    assert answers(engine, windows) == looked_up(engine, windows)


def test_a_fact_after_the_end_sends_its_system_to_the_look_ups(engine, world):
    # Rows taken as if the engine had run at 22:00 on the last day: the 23:00 report of Flaky
    # CI, the 23:30 one of Zuul (which Flaky CI's agreement with it is dated by too) come after.
    with transaction(engine) as session:
        latest.rebuild(session, SYSTEMS, UNTIL - 2 * H)
    found = rows(engine)
    assert found[FLAKY].newest_at == found[ZUUL].newest_at == UNTIL - H / 2
    assert found[GOOD].newest_at is None
    before, after = UNTIL - 3 * H / 4, UNTIL - H / 4  # 23:15 and 23:45
    assert found[GOOD].covers(before) and not found[GOOD].covers(UNTIL - 3 * H)
    assert not found[FLAKY].covers(before) and found[FLAKY].covers(after)
    for end in (before, after):  # some systems looked up, then every one from its row
        windows = [stats.Window(UNTIL - 7 * 24 * H, end), stats.Window(UNTIL - 30 * H, end)]
        assert answers(engine, windows) == looked_up(engine, windows)
        with transaction(engine) as session:
            latest.rebuild(session, SYSTEMS, UNTIL - 2 * H)


def test_a_refresh_fills_in_the_rows_it_lacks(engine, world):
    with transaction(engine) as session:
        session.execute(delete(models.SystemLatest).where(models.SystemLatest.system_id == OLD))
    with Session(engine) as session, session.begin():
        refresh.lock(session)
        change = session.query(models.Change).first()
        refresh.refresh(session, {change.id}, engine_settings("zuul"), UNTIL)
    assert set(rows(engine)) == set(SYSTEMS)
