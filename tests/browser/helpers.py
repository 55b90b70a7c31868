"""Small helpers shared by the browser tests."""

from __future__ import annotations

import contextlib
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
# The simulator's job whose name is an HTML tag (radar_demo/scenario.py).
XSS_NAME = "<img src=x onerror=alert(1)>"


def eventually(check, timeout: float = 10.0):
    """Retry ``check`` (an assertion) until it passes: the page renders asynchronously."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def wait_until(predicate, message: str, timeout: float = 10.0) -> None:
    """Poll ``predicate`` from the test side (works while the page's clock is frozen)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


def hash_query(url: str) -> dict[str, str]:
    """The query of the client's route (after the #)."""
    fragment = urlsplit(url).fragment
    return dict(parse_qsl(fragment.partition("?")[2]))


def screenshot(page, view: str) -> None:
    """Save docs/screenshots/<view>-<desktop|phone>[-dark].png when RADAR_SCREENSHOTS=1."""
    if os.environ.get("RADAR_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)  # let charts finish their first layout
    suffix = "-dark" if page.scheme == "dark" else ""
    name = f"{view}-{page.viewport_name}{suffix}.png"
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


@contextlib.contextmanager
def own_stack(tmp_path_factory, name: str, ends_before_now: timedelta = timedelta(0)):
    """A stack of its own (simulator, collector, API; seed 7, 3 days ending
    ``ends_before_now`` before now), polled once, for tests that add data."""
    from radar_demo.stack import Stack

    path = tmp_path_factory.mktemp(name) / "radar.sqlite"
    end = datetime.now(UTC).replace(tzinfo=None, second=0, microsecond=0) - ends_before_now
    stack = Stack(f"sqlite:///{path}", seed=7, days=3, end=end)
    stack.start(serve_api=True)
    try:
        assert all(outcome.ok for outcome in stack.poll())
        yield stack
    finally:
        stack.stop()
