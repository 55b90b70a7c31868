"""Shared fixtures: real databases (SQLite files and MariaDB), migrated with alembic."""

import os
import shutil
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from radar_core import migration
from radar_core.db import make_engine

MYSQL_SERVER_URL = os.environ.get(
    "RADAR_TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/?charset=utf8mb4"
)
# In CI (and whenever asked) a missing MariaDB fails the run instead of skipping its tests.
MYSQL_REQUIRED = os.environ.get("CI") == "true" or os.environ.get("RADAR_REQUIRE_MYSQL") == "1"
BACKENDS = ["sqlite", "mysql"]


def pytest_report_header():
    shift = os.environ.get("RADAR_TEST_CLOCK_SHIFT")
    return [f"wall clock shifted by {shift} (tests/clock/sitecustomize.py)"] if shift else []


def _mysql_unavailable(reason):
    if MYSQL_REQUIRED:
        pytest.fail(f"MariaDB is required here but unavailable: {reason}")
    pytest.skip(f"MariaDB unavailable: {reason}")


def create_database_url(backend: str, tmp_path) -> tuple[str, object]:
    """A fresh empty database of ``backend``; returns its URL and a cleanup callable."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'radar.sqlite'}", lambda: None
    name = f"radar_test_{uuid.uuid4().hex[:12]}"
    server = create_engine(MYSQL_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(
                text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
            )
    except OperationalError as exc:
        server.dispose()
        _mysql_unavailable(str(exc.orig).splitlines()[0])

    def drop():
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        server.dispose()

    url = make_url(MYSQL_SERVER_URL).set(database=name)
    return url.render_as_string(hide_password=False), drop


@pytest.fixture(params=BACKENDS)
def backend(request):
    if request.param == "mysql":
        request.applymarker(pytest.mark.mysql)
    return request.param


@pytest.fixture
def empty_db_url(backend, tmp_path):
    url, drop = create_database_url(backend, tmp_path)
    yield url
    drop()


@pytest.fixture
def engine(empty_db_url):
    """An engine on a freshly migrated database of each backend."""
    engine = make_engine(empty_db_url)
    migration.upgrade(engine)
    yield engine
    engine.dispose()


class LiveApi:
    """A running Radar (simulator, collected database, API on a free port) for client tests."""

    def __init__(self, stack):
        self.stack = stack

    @property
    def url(self) -> str:
        return self.stack.api.url

    @property
    def scenario(self):
        return self.stack.scenario

    def stop_api(self):
        self.stack.api.stop()

    def start_api(self):
        self.stack.api.start()

    def truth(self, since, until, project=None):
        from radar_demo.truth import expected_figures

        return expected_figures(self.stack.scenario, since, until, project=project)


@pytest.fixture(scope="session")
def live_api(tmp_path_factory):
    """One live stack per test session: seed 42, 12 days of history, collected once."""
    from radar_demo.stack import Stack

    path = tmp_path_factory.mktemp("live") / "radar.sqlite"
    stack = Stack(f"sqlite:///{path}", seed=42, days=12, poll_interval=300)
    stack.start(serve_api=True)
    outcomes = stack.poll()
    assert all(outcome.ok for outcome in outcomes), outcomes
    yield LiveApi(stack)
    stack.stop()


# --- Chromium, for the browser tests and the installed wheel's ---------------------------------
# Debian's chromium, driven by Playwright (never ``playwright install``: its own browser
# download does not work offline). One fixture for the whole session: a second Playwright
# started while the first runs fails ("Sync API inside the asyncio loop").

CHROMIUM = os.environ.get("RADAR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which(CHROMIUM) or (CHROMIUM if os.access(CHROMIUM, os.X_OK) else None)
    if not path:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One Chromium for the whole session (starting it is the slow part)."""
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
