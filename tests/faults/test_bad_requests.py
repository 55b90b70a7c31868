"""Requests an attacker or a fuzzer makes: each is a 4xx with a JSON fault, never a 500, and
the OpenAPI document states the bounds."""

import pytest
import requests

from radar_api.controllers.v1 import utils
from radar_api.faults import MAX_FAULTSTRING

SYSTEM = "/v1/systems/{id}"
TIMES = ["0001-01-01", "9999-12-31", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
         "1969-12-31", "2026-11-01T00:00:00+99:00", "٢٠٢٦-١١-٠١", "2026-11-01\x00", "1" * 100_000]
KEYS = ["³¹", "١٢", "9" * 30, "1" * 100_000, "x" * 100_000, "a\x00b", "-1"]
REQUESTS = (
    [(path, {name: value}) for value in TIMES for name in ("since", "until")
     for path in ("/v1/systems", SYSTEM, SYSTEM + "/jobs", SYSTEM + "/reports", SYSTEM + "/trend",
                  SYSTEM + "/history")]
    + [(SYSTEM, {"since": value, "until": "2026-11-01"}) for value in TIMES]
    + [(f"/v1/systems/{key}", {}) for key in KEYS if not key.startswith("9")]
    + [(f"/v1/changes/{key}", {}) for key in KEYS]
    + [(path, {name: key}) for key in KEYS for path, name in (
        ("/v1/events", "marker"), ("/v1/events", "limit"), ("/v1/systems", "limit"),
        (SYSTEM + "/reports", "marker"), ("/v1/systems", "window"))]
    + [("/v1/systems", {"window": "7d", "since": "2026-11-01"})]
)


@pytest.fixture(scope="module")
def session():
    with requests.Session() as s:
        yield s


def test_no_request_is_a_server_error(live_api, session):
    system = live_api.scenario.systems[0].id
    statuses = {}
    for path, params in REQUESTS:
        response = session.get(live_api.url + path.format(id=system), params=params, timeout=30)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert 400 <= response.status_code < 500, (path, params, response.text[:200])
        body = response.json()
        assert body["faultcode"] == "Client" and len(body["faultstring"]) <= MAX_FAULTSTRING, body
    print(f"{len(REQUESTS)} hostile requests: {dict(sorted(statuses.items()))}")


def test_the_openapi_document_states_the_bounds(live_api, session):
    document = session.get(live_api.url + "/v1/openapi.json", timeout=30).json()
    parameters = document["components"]["parameters"]
    assert parameters["until"]["schema"]["maxLength"] == utils.MAX_TIME_LENGTH
    assert "1970-01-01" in parameters["since"]["description"]
    assert "exclude each other" in parameters["window"]["description"]
    assert parameters["number"]["schema"]["maximum"] == 10**utils.MAX_ID_DIGITS - 1
    assert parameters["system"]["schema"]["maxLength"] == utils.MAX_KEY_LENGTH
