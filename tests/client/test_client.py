"""radar_client.Client over real HTTP against the canned API (tests/client/canned.py)."""

import socket
from datetime import UTC, date, datetime

import pytest

from radar_client import ApiError, Client
from radar_client.client import iso, resolve_base_url
from tests.client import canned


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def requests_to(api, path):
    return [query for seen, query in api.requests if seen == path]


def test_base_url_from_argument_env_or_default(monkeypatch):
    monkeypatch.setenv("RADAR_API_URL", "http://radar.example.org:9000/")
    assert Client().base_url == "http://radar.example.org:9000"
    assert Client("http://other:1/").base_url == "http://other:1"
    monkeypatch.delenv("RADAR_API_URL")
    assert Client().base_url == "http://127.0.0.1:8080"
    assert resolve_base_url("localhost:8080") == "http://localhost:8080"


def test_urls_keep_a_path_prefix():
    client = Client("http://host/radar")
    assert client.url("/v1/systems") == "http://host/radar/v1/systems"
    assert client.url("/radar/v1/systems?marker=3") == "http://host/radar/v1/systems?marker=3"
    assert client.url("http://elsewhere/v1/x") == "http://elsewhere/v1/x"


def test_times_are_sent_as_iso_utc():
    assert iso(datetime(2026, 11, 16, 10, 0, 0, 5)) == "2026-11-16T10:00:00Z"
    assert iso(datetime(2026, 11, 16, 11, 0, tzinfo=UTC).astimezone()) == "2026-11-16T11:00:00Z"
    assert iso(date(2026, 11, 16)) == "2026-11-16"
    assert iso("2026-11-16") == "2026-11-16"


def test_systems_follows_every_page(canned_api):
    canned_api.requests.clear()
    doc = Client(canned_api.url).systems()
    assert [s["id"] for s in doc["systems"]] == [s["id"] for s in canned.SYSTEMS]
    assert doc["window"] == canned.WINDOW
    assert doc["next"] is None
    pages = requests_to(canned_api, "/v1/systems")
    assert len(pages) == 3  # 2 + 2 + 1 with the server's default page size
    assert [p.get("marker") for p in pages] == [None, "102", "104"]


def test_page_size_is_sent_and_other_parameters_kept(canned_api):
    canned_api.requests.clear()
    client = Client(canned_api.url, page_size=2)
    doc = client.systems(window="30d", status=["healthy", "degraded", "failing"], sort="-score")
    assert [s["username"] for s in doc["systems"]] == ["healthy-ci", "flaky-ci", "broken-ci"]
    first, second = requests_to(canned_api, "/v1/systems")
    assert first == {"limit": "2", "window": "30d", "sort": "-score",
                     "status": "healthy,degraded,failing"}  # fmt: skip
    assert second == first | {"marker": "102"}


def test_reports_limit_spans_pages(canned_api):
    doc = Client(canned_api.url).reports("healthy-ci", limit=3)
    assert [r["id"] for r in doc["reports"]] == [1000, 1001, 1002]
    assert doc["system"]["username"] == "healthy-ci"
    assert doc["next"] is None
    every = Client(canned_api.url).reports("healthy-ci")
    assert len(every["reports"]) == len(canned.REPORTS)


def test_a_limit_above_the_servers_maximum_falls_back_to_its_page_size(canned_api):
    canned_api.requests.clear()
    doc = Client(canned_api.url).reports(101, limit=6)
    assert [r["id"] for r in doc["reports"]] == [1000 + n for n in range(6)]
    first, retried = requests_to(canned_api, "/v1/systems/101/reports")[:2]
    assert first["limit"] == "6"
    assert "limit" not in retried


def test_iter_reports_is_lazy(canned_api):
    canned_api.requests.clear()
    reports = Client(canned_api.url).iter_reports("healthy-ci")
    assert next(reports)["id"] == 1000
    assert len(requests_to(canned_api, "/v1/systems/healthy-ci/reports")) == 1
    assert [r["id"] for r in reports][-1] == 1006


def test_every_resource(canned_api):
    client = Client(canned_api.url)
    assert client.system("flaky-ci")["reasons"] == canned.REASONS["degraded"]
    assert client.system(102, since="2026-11-01", until=date(2026, 11, 8))["id"] == 102
    assert client.jobs("healthy-ci")["jobs"] == canned.JOBS
    assert client.trend("healthy-ci", bucket="week")["bucket"] == "week"
    assert client.change(5001)["subject"] == canned.CHANGE["subject"]
    assert client.projects() == canned.PROJECTS
    assert client.status() == canned.STATUS


def test_faults_carry_the_faultstring(canned_api):
    with pytest.raises(ApiError) as caught:
        Client(canned_api.url).system("no-such-ci")
    error = caught.value
    assert str(error) == error.faultstring == "no such system: no-such-ci"
    assert (error.status, error.faultcode, error.not_found, error.unreachable) == (
        404, "Client", True, False
    )  # fmt: skip
    with pytest.raises(ApiError, match="bad window 9y") as caught:
        Client(canned_api.url).systems(window="9y")
    assert caught.value.status == 400


def test_names_are_quoted_into_the_path(canned_api):
    with pytest.raises(ApiError, match="no such system: a/b c"):
        Client(canned_api.url).system("a/b c")


def test_unreachable_api():
    url = closed_port_url()
    with pytest.raises(ApiError) as caught:
        Client(url, timeout=2).status()
    assert caught.value.unreachable
    assert str(caught.value) == f"cannot reach the Radar API at {url}: connection refused"


def test_timeout(canned_api):
    with pytest.raises(ApiError, match=r"did not answer within 0.3s") as caught:
        Client(canned_api.url, timeout=0.3).get("/v1/slow")
    assert caught.value.unreachable


def test_bodies_that_are_not_json(canned_api):
    client = Client(canned_api.url)
    with pytest.raises(ApiError, match="not a JSON object"):
        client.get("/not-json")
    with pytest.raises(ApiError, match=r"^HTTP 502 Bad Gateway from http") as caught:
        client.get("/v1/boom")
    assert caught.value.status == 502
