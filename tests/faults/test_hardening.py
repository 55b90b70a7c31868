"""What radar-api serves and how it holds up: security headers on every response, only the
built web client, an access log, and a server that 200 half-open connections do not block."""

import logging
import socket
import time

import pytest
import requests
import webob

from radar_api import middleware
from radar_api.app import make_app
from radar_api.cmd import server_options
from radar_core import config
from radar_demo.stack import ApiServer

PATHS = ["/", "/v1/systems", "/v1/nope", "/metrics", "/v1/openapi.json", "/nothing.js",
         "/v1/systems?window=banana"]


def test_every_response_has_the_security_headers(live_api):
    for path in PATHS:
        response = requests.get(live_api.url + path, timeout=30)
        for name, value in middleware.SECURITY_HEADERS:
            assert response.headers.get(name) == value, (path, name)
    csp = dict(middleware.SECURITY_HEADERS)["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


def test_only_the_built_web_client_is_served(live_api):
    """Nothing of the web client's sources: build scripts and npm files are not there."""
    for path in ["/build.sh", "/package.json", "/package-lock.json", "/build.mjs", "/main.js",
                 "/node_modules/angular/package.json", "/../setup.py", "/%2e%2e/setup.py"]:
        response = requests.get(live_api.url + path, timeout=30)
        assert response.status_code == 404, path
        assert response.json()["faultcode"] == "Client"
    index = requests.get(live_api.url + "/", timeout=30)
    assert index.status_code == 200 and 'ng-csp="no-unsafe-eval"' in index.text


def test_the_access_log_has_one_line_per_request(caplog):
    app = make_app(None, static_root="/nonexistent", access_log=True)
    with caplog.at_level(logging.INFO, logger="radar_api.access"):
        webob.Request.blank("/v1/nope\x1b[2J", remote_addr="192.0.2.1").get_response(app)
    [line] = [r.getMessage() for r in caplog.records if r.name == "radar_api.access"]
    assert line.startswith("192.0.2.1 GET /v1/nope\\x1b[2J 404 ")
    assert line.endswith("ms") and "\x1b" not in line


@pytest.fixture
def hardened_api(live_api):
    conf = config.load([])
    server = ApiServer(live_api.stack.make_app(), **server_options(conf)).start()
    yield server
    server.stop()


def test_slowloris_does_not_block_a_normal_request(hardened_api):
    """200 connections that send half a request and wait: a normal request still answers."""
    held = []
    try:
        for _ in range(200):
            sock = socket.create_connection(("127.0.0.1", hardened_api.port), timeout=5)
            sock.sendall(b"GET /v1/systems HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            held.append(sock)
        started = time.monotonic()
        response = requests.get(hardened_api.url + "/v1/status", timeout=10)
        took = time.monotonic() - started
        assert response.status_code == 200
        print(f"with {len(held)} half-open connections: /v1/status in {took:.2f}s")
        assert took < 2
    finally:
        for sock in held:
            sock.close()


@pytest.mark.parametrize("url", ["/v1/systems/%FF%FE", "/%FF", "/v1/systems?window=%FF",
                                 "/v1/changes/%C3", "/v1/systems?%FF=1"])
def test_a_url_that_is_not_utf8_is_a_quiet_400(url, caplog):
    app = make_app(None, static_root="/nonexistent")
    with caplog.at_level(logging.WARNING):
        response = webob.Request.blank(url).get_response(app)
    assert response.status_code == 400
    assert response.json["faultstring"] == "bad request: the URL is not UTF-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert not [r for r in caplog.records if r.name != "radar_api.static"]  # no traceback
