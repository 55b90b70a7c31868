"""The API with its database frozen or down: 503 JSON in bounded time, and back by itself."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from radar_api.app import make_app
from radar_core.db import make_engine
from radar_core.service import Radar, Settings
from radar_demo.stack import ApiServer

pytestmark = pytest.mark.mysql
READ_TIMEOUT = 1.0
CONNECT_TIMEOUT = 1.0
RETRY_INTERVAL = 0.5  # of the API's breaker: how long it answers 503 without trying


@pytest.fixture
def api(proxy_db):
    proxy, url = proxy_db
    engine = make_engine(
        url, connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT, statement_timeout=0.5
    )
    radar = Radar(engine, Settings(retry_interval=RETRY_INTERVAL))
    server = ApiServer(make_app(radar), threads=4).start()
    yield proxy, server.url
    server.stop()
    engine.dispose()


def timed_get(url):
    started = time.monotonic()
    response = requests.get(url, timeout=30)
    return response, time.monotonic() - started


@pytest.mark.parametrize("fault", ["freeze", "down"])
def test_a_failed_database_gives_503_json_in_bounded_time(api, fault):
    proxy, base = api
    assert requests.get(f"{base}/v1/systems", timeout=10).status_code == 200
    getattr(proxy, fault)()
    # More requests at once than the server has threads: none may hold it.
    paths = ["/v1/systems", "/v1/status", "/v1/projects", "/v1/systems/1", "/metrics", "/v1/events"]
    with ThreadPoolExecutor(len(paths)) as pool:
        answers = list(pool.map(lambda path: timed_get(base + path), paths))
    print(f"\ndatabase {fault}: {len(paths)} requests at once answered 503 in at most "
          f"{max(took for _, took in answers):.2f}s (read_timeout {READ_TIMEOUT}s, "
          f"connect_timeout {CONNECT_TIMEOUT}s)")
    for path, (response, took) in zip(paths, answers, strict=True):
        assert response.status_code == 503, (path, response.text)
        assert response.json() == {"faultcode": "Server", "faultstring": "database unavailable"}
        # One wait for the database at most (a ping, or a new connection's handshake):
        # the requests queued behind the first round find the breaker open.
        assert took < READ_TIMEOUT + 1, (path, took)
    response, took = timed_get(base + "/v1/openapi.json")
    assert response.status_code == 200 and took < 1
    proxy.up()
    # Back without a restart, once the breaker lets a request try the database again.
    deadline = time.monotonic() + RETRY_INTERVAL + READ_TIMEOUT + 1
    while (status := requests.get(f"{base}/v1/systems", timeout=10).status_code) == 503:
        assert time.monotonic() < deadline, "the API did not recover"
        time.sleep(0.1)
    assert status == 200


def test_mariadb_ends_a_statement_past_its_time_limit(proxy_db):
    _proxy, url = proxy_db
    engine = make_engine(url, statement_timeout=0.5)
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    started = time.monotonic()
    with engine.connect() as connection, pytest.raises(OperationalError, match="max_statement"):
        connection.execute(text("SELECT SLEEP(5) FROM DUAL WHERE 1 = (SELECT 1)")).all()
    assert time.monotonic() - started < 3
    engine.dispose()
