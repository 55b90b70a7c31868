"""Moves this Python process's wall clock when RADAR_TEST_CLOCK_SHIFT says so (e.g. ``365d``).

scripts/test puts this folder on PYTHONPATH when the variable is set, so the test run and every
Python process it starts see the same shifted calendar (``datetime.now``, ``time.time``...),
while ``time.monotonic`` and sleeps stay real. The guard: no test may depend on today's date.
"""

import os
import re
from datetime import UTC, datetime, timedelta

_SHIFT = os.environ.get("RADAR_TEST_CLOCK_SHIFT", "")
_MATCH = re.fullmatch(r"(-?\d+)d", _SHIFT)

if _MATCH:
    try:
        import time_machine
    except ImportError:  # a Python without the test dependencies (a fresh venv): real clock
        time_machine = None
    if time_machine is not None:
        _TRAVEL = time_machine.travel(
            datetime.now(UTC) + timedelta(days=int(_MATCH.group(1))), tick=True
        )
        _TRAVEL.start()
