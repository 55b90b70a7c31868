"""The API's contract beyond single endpoints: the OpenAPI document against the real routes and
responses, /metrics, JSON-only content negotiation, CORS and the web client's files."""

import json
import os
import pathlib
import re
import shutil
import subprocess
from datetime import UTC, timedelta

import pytest
import webtest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import validate as validate_spec
from pecan import rest
from pecan.util import iscontroller
from prometheus_client.parser import text_string_to_metric_families
from wsme.rest.json import tojson

from radar_api import openapi, static
from radar_api.app import make_app
from radar_api.controllers.root import RootController
from radar_api.controllers.v1 import types
from radar_api.expose import FaultBody
from radar_core.service import Radar
from tests.engine_run import run_engine
from tests.functional.test_api import (
    ANGULAR,
    MAX_LIMIT,
    NOW,
    SETTINGS,
    get,
    insert_scenario,
    make_client,
    with_window,
)

ALLOWED = "https://radar.example.org"
# Concrete values of the path parameters, for requests.
EXAMPLES = {"system": "healthy-ci", "number": "1001", "silence": "1"}


@pytest.fixture
def client(engine):
    """The API on the scenario of test_api, letting one web origin in."""
    insert_scenario(engine)
    run_engine(engine, SETTINGS.engine, NOW)
    return make_client(Radar(engine, SETTINGS, clock=lambda: NOW), cors_origins=[ALLOWED])


def api_routes(node, path="") -> set[str]:
    """Every route of the Pecan controller tree below ``node``; path parameters are ``{}``."""
    if isinstance(node, rest.RestController):
        routes = set()
        if iscontroller(getattr(node, "get_all", None)):
            routes.add(path)
        if iscontroller(getattr(node, "get_one", None)) or iscontroller(
                getattr(node, "delete", None)):
            routes.add(f"{path}/{{}}")
        for name, resource in getattr(node, "_subresources", {}).items():
            routes |= api_routes(resource("key"), f"{path}/{{}}/{name}")
        return routes
    routes = set()
    for name, value in vars(type(node)).items():
        if name.startswith("_") or name == "files":  # files: the web client, not the API
            continue
        if iscontroller(value):
            routes.add(f"{path}/{getattr(value, 'custom_route', None) or name}")
        elif not callable(value):
            routes |= api_routes(value, f"{path}/{name}")
    return routes


def template(path: str) -> str:
    """``/v1/systems/{system}`` as ``/v1/systems/{}``."""
    return "/".join("{}" if part.startswith("{") else part for part in path.split("/"))


def concrete(path: str) -> str:
    return path.format(**EXAMPLES)


def validate(instance, schema_name: str):
    schema = {"$ref": f"#/components/schemas/{schema_name}", **openapi.document()}
    OAS30Validator(schema, format_checker=oas30_format_checker).validate(instance)


def response_schema(path: str) -> str | None:
    content = openapi.document()["paths"][path]["get"]["responses"]["200"]["content"]
    ref = content.get("application/json", {}).get("schema", {}).get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


# --- OpenAPI -------------------------------------------------------------------------------------


def test_openapi_document_is_valid_and_served(client):
    served = openapi.document(MAX_LIMIT)
    validate_spec(served)
    assert get(client, "/v1/openapi.json") == served


def test_openapi_paths_are_exactly_the_routes():
    routes = api_routes(RootController(static.DEFAULT_ROOT))
    documented = {template(path) for path in openapi.document()["paths"]}
    assert routes == documented
    assert "/v1/systems/{}/reports" in routes and "/metrics" in routes  # the walk went deep


def test_every_documented_path_answers_and_matches_its_schema(client):
    for path in openapi.document()["paths"]:
        if path == "/v1/stream":
            continue  # a stream lasts: tests/functional/test_stream.py
        if "get" not in openapi.document()["paths"][path]:
            continue  # writes: tests/functional/test_writes.py
        response = client.get(concrete(path), headers=ANGULAR, status=200)
        name = response_schema(path)
        if name:
            validate(response.json, name)
    # Pages with a next link, and every kind of fault.
    validate(get(client, with_window("/v1/systems", limit=1)), "SystemCollection")
    validate(get(client, with_window("/v1/systems/101/reports", limit=1)), "ReportCollection")
    for url, status in [("/v1/nope", 404), ("/v1/systems?limit=0", 400), ("/v1/changes/7", 404)]:
        validate(client.get(url, headers=ANGULAR, status=status).json, "Fault")


def _response_types(cls=types.Base):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _response_types(subclass)


def test_every_sample_matches_its_schema():
    checked = set()
    for cls in [*_response_types(), FaultBody]:
        name = "Fault" if cls is FaultBody else cls.__name__
        assert cls.__doc__, f"{name} has no docstring"
        validate(tojson(cls, cls.sample()), name)
        checked.add(name)
    requests = set(openapi.REQUEST_SCHEMAS)
    assert checked == set(openapi.document()["components"]["schemas"]) - requests
    validate({"system": "acme-ci", "duration": "2h", "comment": "upgrade"}, "NewSilence")
    validate({"contacts": {"email": "ci@example.org", "name": None}}, "ContactsPatch")


# --- /metrics ------------------------------------------------------------------------------------


def test_metrics(client):
    response = client.get("/metrics", headers={"Accept": "text/plain"}, status=200)
    assert response.content_type == "text/plain"
    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    assert {
        "radar_system_score",
        "radar_system_status",
        "radar_system_coverage",
        "radar_system_success_rate",
        "radar_system_latency_p50_seconds",
        "radar_system_reports",
        "radar_collector_last_success_timestamp_seconds",
        "radar_collector_lag_seconds",
        "radar_collector_polls",
        "radar_collector_poll_duration_seconds",
        "radar_system_silenced",
        "radar_system_alert_open",
        "radar_system_last_report_timestamp_seconds",
        "radar_engine_runs",
    } <= set(families)
    assert families["radar_collector_polls"].type == "counter"
    assert families["radar_collector_poll_duration_seconds"].type == "histogram"

    def samples(name):
        return {tuple(sorted(s.labels.items())): s.value for s in families[name].samples}

    healthy = (("name", "Healthy CI"), ("username", "healthy-ci"))
    assert samples("radar_system_score")[healthy] == 100
    assert samples("radar_system_reports")[healthy] == 3
    dead = (("name", "Dead CI"), ("username", "dead-ci"))
    assert samples("radar_system_score")[dead] == 0  # silent, coverage 0
    assert dead not in samples("radar_system_latency_p50_seconds")  # null: no sample, not 0
    statuses = {
        dict(labels)["status"]: value
        for labels, value in samples("radar_system_status").items()
        if dict(labels)["username"] == "healthy-ci"
    }
    assert statuses == {"healthy": 1, "degraded": 0, "failing": 0, "silent": 0, "unknown": 0}
    polls = {
        dict(labels)["outcome"]: value for labels, value in samples("radar_collector_polls").items()
    }
    assert samples("radar_system_silenced")[dead] == 0
    assert samples("radar_system_alert_open")[dead] == 1  # silent: an alert is open
    assert polls == {"ok": 1, "error": 1, "skipped": 0}
    assert samples("radar_collector_lag_seconds")[()] == 600
    last_success = samples("radar_collector_last_success_timestamp_seconds")[()]
    last_success_at = (NOW - timedelta(minutes=10)).replace(tzinfo=UTC)
    assert last_success == last_success_at.timestamp()
    assert samples("radar_engine_runs")[()] >= 1
    promtool_check_metrics(response.text)


def promtool_check_metrics(text: str):
    """``promtool check metrics`` (Debian's prometheus package) finds nothing to say."""
    promtool = shutil.which("promtool")
    if promtool is None:
        if os.environ.get("CI") == "true":
            pytest.fail("promtool is required in CI (.ci/run installs prometheus)")
        pytest.skip("promtool not installed (apt-get install prometheus)")
    checked = subprocess.run([promtool, "check", "metrics"], input=text, text=True,
                             capture_output=True, timeout=60)
    assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout + checked.stderr


# --- content negotiation -------------------------------------------------------------------------


def test_json_never_xml(client):
    not_json = {"/metrics", "/v1/stream"}  # Prometheus text; an event stream
    urls = [concrete(path) for path in openapi.document()["paths"] if path not in not_json]
    for url in [*urls, "/v1/nope", "/v1/systems?window=banana", "/v1/systems/nope"]:
        for accept in (ANGULAR["Accept"], "*/*", "text/html,application/xhtml+xml,*/*;q=0.8"):
            response = client.get(url, headers={"Accept": accept}, expect_errors=True)
            assert response.content_type == "application/json", (url, accept)
            assert response.text.lstrip().startswith("{"), (url, accept)
    response = client.get("/v1/systems", headers={"Accept": "application/xml"}, status=406)
    assert response.content_type == "application/json"
    assert set(response.json) == {"faultcode", "faultstring"}


def test_head_is_answered_like_get(client):
    for url in ["/v1/systems", "/v1/systems/healthy-ci/jobs", "/v1/status", "/metrics"]:
        response = client.head(url, headers=ANGULAR, status=200)
        assert response.body == b""


# --- CORS ----------------------------------------------------------------------------------------


def test_cors_allowed_origin(client):
    response = client.get("/v1/systems", headers={**ANGULAR, "Origin": ALLOWED})
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Origin" in response.headers["Vary"]
    # Errors too, so the web page can read the faultstring.
    error = client.get("/v1/nope", headers={"Origin": ALLOWED}, status=404)
    assert error.headers["Access-Control-Allow-Origin"] == ALLOWED

    preflight = client.options(
        "/v1/systems/healthy-ci/reports",
        headers={
            **ANGULAR,
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "accept, x-requested-with",
        },
        status=204,
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Allow-Headers"] == "accept, x-requested-with"
    assert preflight.body == b""


def test_cors_refused_origin(client):
    evil = "https://evil.example.com"
    response = client.get("/v1/systems", headers={**ANGULAR, "Origin": evil})
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = client.options(
        "/v1/systems",
        headers={"Origin": evil, "Access-Control-Request-Method": "GET"},
        expect_errors=True,
    )
    assert preflight.status_int >= 400
    assert "Access-Control-Allow-Origin" not in preflight.headers


# --- the web client's files ----------------------------------------------------------------------


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "webclient"
    (root / "js").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>Radar test client</title>")
    (root / "js" / "app.js").write_text("angular.module('radar', []);")
    (root / ".env").write_text("SECRET=1")
    (tmp_path / "secret.txt").write_text("do not serve")
    # No database is needed to serve files.
    return webtest.TestApp(make_app(None, static_root=str(root)))


def test_static_index_and_files(site):
    index = site.get("/", status=200)
    assert "Radar test client" in index.text
    assert index.content_type == "text/html"
    assert site.get("/index.html").text == index.text
    script = site.get("/js/app.js", status=200)
    assert "javascript" in script.content_type
    assert script.text == "angular.module('radar', []);"
    # Validators let browsers revalidate cheaply.
    site.get("/js/app.js", headers={"If-None-Match": script.etag}, status=304)


def test_static_refuses_traversal_and_hidden_files(site):
    for url in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/js/../../secret.txt",
        "/js/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/.env",
        "/missing.js",
    ]:
        response = site.get(url, status=404)
        assert response.json["faultcode"] == "Client", url
        assert "do not serve" not in response.text and "SECRET" not in response.text


def test_static_root_default_and_missing(tmp_path, caplog):
    # The default is the built client inside the package (scripts/test builds it).
    assert static.DEFAULT_ROOT == pathlib.Path(static.__file__).resolve().parent / "webclient"
    default = webtest.TestApp(make_app(None))
    assert default.get("/").body == (static.DEFAULT_ROOT / "index.html").read_bytes()
    # The sources are not what is served: no build script, no package.json.
    default.get("/build.sh", status=404)
    default.get("/package.json", status=404)
    with caplog.at_level("WARNING", logger="radar_api.static"):
        missing = webtest.TestApp(make_app(None, static_root=str(tmp_path / "nowhere")))
    assert "no dashboard to serve" in caplog.text
    assert missing.get("/", status=404).json["faultcode"] == "Client"


# --- etc/: Prometheus rules and the Grafana dashboard --------------------------------------------

ETC = pathlib.Path(__file__).resolve().parents[2] / "etc"
METRIC_NAME = re.compile(r"\bradar_[a-z0-9_]+\b")


def _promtool():
    promtool = shutil.which("promtool")
    if promtool is None:
        if os.environ.get("CI") == "true":
            pytest.fail("promtool is required in CI (.ci/run installs prometheus)")
        pytest.skip("promtool not installed (apt-get install prometheus)")
    return promtool


def test_prometheus_rules_pass_their_unit_tests():
    checked = subprocess.run([_promtool(), "test", "rules", "radar-rules.test.yml"],
                             cwd=ETC / "prometheus", capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _exposed(client) -> set[str]:
    text = client.get("/metrics", headers={"Accept": "text/plain"}).text
    families = list(text_string_to_metric_families(text))
    # A gauge with no data has its HELP and TYPE but no sample: its name counts.
    return {family.name for family in families if family.type == "gauge"} | {
        sample.name for family in families for sample in family.samples}


def test_rules_and_dashboard_name_only_exposed_metrics(client):
    exposed = _exposed(client)
    rules = (ETC / "prometheus" / "radar-rules.yml").read_text()
    dashboard = json.loads((ETC / "grafana" / "radar-dashboard.json").read_text())
    expressions = [target["expr"] for panel in dashboard["panels"]
                   for target in panel.get("targets", [])]
    expressions += [v["query"]["query"] for v in dashboard["templating"]["list"]
                    if isinstance(v.get("query"), dict)]
    assert len(expressions) > 15
    named = set()
    for text in [rules, *expressions]:
        named |= set(METRIC_NAME.findall(text))
    assert named and named <= exposed, sorted(named - exposed)
