"""MariaDB joins a window's whole latency blocks per system (GROUP_CONCAT): the figures are those
of the blocks read one by one, also when the join comes back cut (on test_service's world)."""

import pytest
from sqlalchemy import text

from radar_core import stats
from radar_core.engine.read import Reader, SystemKey
from tests.functional import test_service
from tests.functional.test_service import GOOD, SILENT, UNTIL, ZUUL, H, d, engine_settings

world = test_service.world  # the fixture: its hand-made world, the engine run at UNTIL
KEYS = [SystemKey(system_id, None, None) for system_id in (GOOD, SILENT, ZUUL)]
# Windows of whole weeks and days (joined) with partial days at both ends (read as before); in
# the second, the 19th (1003/1 created at 09:00) is a whole day read with its creation times,
# for the patchsets first reported after the window.
WINDOWS = [stats.Window(d(2, 7), UNTIL - 3 * H), stats.Window(d(2, 7), d(20, 12))]


def figures(conn, windows):
    return Reader(conn, engine_settings("zuul")).series(KEYS, windows)


def test_a_cut_join_gives_the_figures_of_the_blocks_read_one_by_one(engine, world):
    if engine.dialect.name == "sqlite":
        pytest.skip("MariaDB's GROUP_CONCAT")
    with engine.connect() as conn:
        joined = [figures(conn, [window])[0] for window in WINDOWS]
        one_by_one = figures(conn, WINDOWS)  # two windows: each takes its own blocks
        conn.execute(text("SET SESSION group_concat_max_len = 8"))  # one latency: cut
        cut = [figures(conn, [window])[0] for window in WINDOWS]
    assert [f[GOOD].patchsets_reported for f in joined] == [4, 4]
    assert joined == one_by_one == cut
