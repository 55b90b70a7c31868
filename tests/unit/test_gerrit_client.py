"""Tests of the Gerrit REST client against a real local HTTP server with scripted replies."""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

from radar_collector.gerrit import GerritClient, GerritError

USER = "radar-bot"
PASSWORD = "s3cr3t-Pa55w0rd"
BASIC = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    path: str
    params: list
    headers: dict

    @property
    def query(self) -> dict:
        return dict(self.params)


def ok(data) -> Reply:
    return Reply(body=")]}'\n" + json.dumps(data))


def change(number: int, more: bool = False) -> dict:
    info = {"_number": number, "project": "demo", "messages": [], "revisions": {}}
    if more:
        info["_more_changes"] = True
    return info


class FakeGerrit:
    """Serves the scripted replies in order; records every request it gets."""

    def __init__(self):
        self.replies: list[Reply] = []
        self.seen: list[Seen] = []
        self.require_auth = False
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.clients: list[GerritClient] = []
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def next_reply(self, path: str, headers: dict) -> Reply:
        with self.lock:
            split = urlsplit(path)
            self.seen.append(Seen(split.path, parse_qsl(split.query), headers))
            if self.require_auth and not self._authorized(split.path, headers):
                return Reply(401, "Unauthorized")
            if not self.replies:
                return Reply(599, "script exhausted")
            return self.replies.pop(0)

    @staticmethod
    def _authorized(path: str, headers: dict) -> bool:
        return path.startswith("/a/") and headers.get("Authorization") == BASIC

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server naming
                reply = fake.next_reply(self.path, dict(self.headers))
                time.sleep(reply.delay)
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (timeout test)

            def log_message(self, *args):
                pass

        return Handler


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in (
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def gerrit():
    fake = FakeGerrit()
    fake.thread.start()
    yield fake
    for client in fake.clients:
        client.close()
    fake.server.shutdown()
    fake.server.server_close()


class Sleeps(list):
    """Records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


def make_client(gerrit, sleeps, **kwargs) -> GerritClient:
    kwargs.setdefault("jitter", 0.0)
    kwargs.setdefault("timeout", 5.0)
    client = GerritClient(gerrit.url, sleep=sleeps, **kwargs)
    gerrit.clients.append(client)
    return client


def authed_client(gerrit, sleeps, **kwargs) -> GerritClient:
    return make_client(gerrit, sleeps, username=USER, password=PASSWORD, **kwargs)


# -- replies and authentication ----------------------------------------------------------------


def test_strips_prefix_and_parses(gerrit, sleeps):
    gerrit.script(Reply(body=')]}\'\n{"name": "Caf\u00e9 \U0001f680"}'))
    client = make_client(gerrit, sleeps)
    assert client.get_json("/accounts/self") == {"name": "Caf\u00e9 \U0001f680"}
    assert gerrit.seen[0].path == "/accounts/self"
    assert "Authorization" not in gerrit.seen[0].headers
    assert (client.requests_made, client.errors, sleeps) == (1, 0, [])


@pytest.mark.parametrize(
    "body",
    [
        b')]}\'\n{"a": "x\\u0000y", "b": {"c": "ok"}}',  # escaped NUL
        b')]}\'\n{"a": "x\\uD800y", "b": {"c": "ok"}}',  # escaped lone surrogate
        b')]}\'\n{"a": "x\xffy", "b": {"c": "ok"}}',  # a byte that is not UTF-8
    ],
)
def test_unstorable_text_is_replaced_and_flagged(gerrit, sleeps, body):
    gerrit.script(Reply(body=body))
    data = make_client(gerrit, sleeps).get_json("/x")
    assert data == {"a": "x\ufffdy", "b": {"c": "ok"}, "_radar_sanitised": True}


def test_text_after_the_json_value_is_malformed(gerrit, sleeps):
    gerrit.script(Reply(body=")]}'\n [1] \n"), Reply(body=")]}'\n[1] [2]"))
    client = make_client(gerrit, sleeps, retries=0)
    assert client.get_json("/x") == [1]
    with pytest.raises(GerritError, match="not valid JSON"):
        client.get_json("/x")


def test_basic_auth_and_a_prefix(gerrit, sleeps):
    gerrit.require_auth = True
    gerrit.script(ok([]))
    client = authed_client(gerrit, sleeps)
    assert list(client.query_changes("status:open")) == []
    assert gerrit.seen[0].path == "/a/changes/"
    assert gerrit.seen[0].headers["Authorization"] == BASIC


def test_base_url_with_path_and_trailing_slash(gerrit, sleeps):
    gerrit.script(ok({"ok": True}))
    client = GerritClient(gerrit.url + "/r/", sleep=sleeps)
    gerrit.clients.append(client)
    client.get_json("config/server/version")
    assert gerrit.seen[0].path == "/r/config/server/version"


# -- change queries ----------------------------------------------------------------------------


def test_query_pages_follow_more_changes(gerrit, sleeps):
    gerrit.script(
        ok([change(9), change(8, more=True)]),
        ok([change(7), change(6, more=True)]),
        ok([change(5)]),
    )
    client = make_client(gerrit, sleeps)
    numbers = [c["_number"] for c in client.query_changes('after:"2024-05-01 00:00:00"', 2)]
    assert numbers == [9, 8, 7, 6, 5]
    assert [s.query["S"] for s in gerrit.seen] == ["0", "2", "4"]
    first = gerrit.seen[0]
    assert first.path == "/changes/"
    assert first.query["q"] == 'after:"2024-05-01 00:00:00"'
    assert first.query["n"] == "2"
    assert [v for k, v in first.params if k == "o"] == [
        "MESSAGES",
        "DETAILED_ACCOUNTS",
        "ALL_REVISIONS",
    ]
    assert client.requests_made == 3


def test_query_dedupes_changes_shifted_to_the_next_page(gerrit, sleeps):
    gerrit.script(
        ok([change(9), change(8), change(7, more=True)]),
        ok([change(7), change(6), change(5, more=True)]),  # a new change pushed 7 down
        ok([change(5), change(4)]),
    )
    client = make_client(gerrit, sleeps)
    numbers = [c["_number"] for c in client.query_changes("status:open", 3, options=())]
    assert numbers == [9, 8, 7, 6, 5, 4]
    assert [s.query["S"] for s in gerrit.seen] == ["0", "3", "6"]
    assert "o" not in gerrit.seen[0].query


def test_query_reply_of_the_wrong_shape(gerrit, sleeps):
    gerrit.script(ok({"oops": 1}), ok({"oops": 1}))
    client = make_client(gerrit, sleeps, retries=1)
    with pytest.raises(GerritError, match=r"/changes/ is a JSON object, expected a JSON array"):
        list(client.query_changes("status:open"))
    assert client.requests_made == 2


def test_query_items_of_the_wrong_shape(gerrit, sleeps):
    gerrit.script(ok([{"id": "no number"}]))
    client = make_client(gerrit, sleeps)
    with pytest.raises(GerritError, match=r"/changes/ is not a list of changes"):
        list(client.query_changes("status:open"))


# -- group members -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "path"),
    [
        ("Third Party CI", "/a/groups/Third%20Party%20CI/members/"),
        ("ci/admins+ops", "/a/groups/ci%2Fadmins%2Bops/members/"),
    ],
)
def test_group_members_quotes_the_name(gerrit, sleeps, group, path):
    members = [{"_account_id": 1000, "name": "Zuul", "username": "zuul"}]
    gerrit.script(ok(members))
    client = authed_client(gerrit, sleeps)
    assert client.group_members(group) == members
    assert gerrit.seen[0].path == path


# -- retries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503])
def test_retry_then_success_on_5xx(gerrit, sleeps, status):
    gerrit.script(Reply(status, "oops"), Reply(status, "oops"), ok([change(1)]))
    client = make_client(gerrit, sleeps, backoff=0.5)
    assert [c["_number"] for c in client.query_changes("x")] == [1]
    assert sleeps == [0.5, 1.0]
    assert (client.requests_made, client.errors, client.rate_limited) == (3, 2, 0)


def test_backoff_grows_exponentially_and_is_capped(gerrit, sleeps):
    gerrit.script(*[Reply(503) for _ in range(5)], ok({}))
    client = make_client(gerrit, sleeps, retries=5, backoff=1.0, max_backoff=5.0)
    assert client.get_json("/x") == {}
    assert sleeps == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_jitter_stays_small(gerrit, sleeps):
    gerrit.script(Reply(500), Reply(500), ok({}))
    client = make_client(gerrit, sleeps, jitter=0.1, backoff=1.0)
    client.get_json("/x")
    assert 1.0 <= sleeps[0] <= 1.1
    assert 2.0 <= sleeps[1] <= 2.2


def test_429_honours_retry_after_seconds(gerrit, sleeps):
    gerrit.script(Reply(429, "slow down", {"Retry-After": "7"}), ok([]))
    client = make_client(gerrit, sleeps)
    assert client.get_json("/changes/") == []
    assert sleeps == [7.0]
    assert (client.rate_limited, client.errors, client.requests_made) == (1, 1, 2)


def test_429_honours_retry_after_http_date_capped(gerrit, sleeps):
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    late = email.utils.formatdate(time.time() + 3600, usegmt=True)
    gerrit.script(
        Reply(429, headers={"Retry-After": soon}),
        Reply(429, headers={"Retry-After": late}),
        Reply(429, headers={"Retry-After": "9999"}),
        Reply(429),  # no Retry-After: ordinary backoff
        ok([]),
    )
    client = make_client(gerrit, sleeps, max_backoff=60.0)
    client.get_json("/changes/")
    assert 25 <= sleeps[0] <= 30
    assert sleeps[1:] == [60.0, 60.0, 8.0]
    assert client.rate_limited == 4


def test_timeout_then_success(gerrit, sleeps):
    gerrit.script(Reply(delay=1.0, body=")]}'\n[]"), ok([change(3)]))
    client = make_client(gerrit, sleeps, timeout=0.3)
    started = time.monotonic()
    assert [c["_number"] for c in client.query_changes("x")] == [3]
    assert time.monotonic() - started < 1.0
    assert sleeps == [1.0]
    assert (client.requests_made, client.errors) == (2, 1)


def test_timeout_gives_up_with_clear_message(gerrit, sleeps):
    gerrit.script(*[Reply(delay=0.8, body=")]}'\n[]") for _ in range(2)])
    client = make_client(gerrit, sleeps, timeout=0.3, retries=1)
    with pytest.raises(GerritError) as info:
        client.get_json("/changes/")
    assert str(info.value) == (
        "Gerrit request to /changes/ timed out after 0.3s; gave up after 2 attempts"
    )


def test_connection_refused(sleeps):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = GerritClient(
        f"http://127.0.0.1:{port}", USER, PASSWORD, retries=2, sleep=sleeps, jitter=0.0
    )
    with pytest.raises(GerritError) as info:
        client.get_json("/changes/")
    message = str(info.value)
    assert message.startswith("Could not reach Gerrit for /a/changes/ (")
    assert message.endswith("; gave up after 3 attempts")
    assert "\n" not in message
    assert (client.requests_made, client.errors, sleeps) == (3, 3, [1.0, 2.0])
    client.close()


@pytest.mark.parametrize("url", ["review.example.org", "ftp://review.example.org", "http://"])
def test_bad_url(url):
    with pytest.raises(GerritError, match="Gerrit URL must look like"):
        GerritClient(url)


def test_gives_up_after_retries(gerrit, sleeps, caplog):
    gerrit.script(*[Reply(503, "maintenance") for _ in range(5)])
    client = authed_client(gerrit, sleeps)
    with caplog.at_level(logging.WARNING, logger="radar_collector.gerrit"):
        with pytest.raises(GerritError) as info:
            list(client.query_changes("status:open"))
    assert str(info.value) == "Gerrit answered HTTP 503 for /a/changes/; gave up after 5 attempts"
    assert info.value.__cause__ is None
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    assert (client.requests_made, client.errors) == (5, 5)
    retries = [r for r in caplog.records if r.name == "radar_collector.gerrit"]
    assert [r.levelno for r in retries] == [logging.WARNING] * 4
    assert retries[0].getMessage() == (
        "Gerrit answered HTTP 503 for /a/changes/; retry 1 of 4 in 1.0s"
    )


# -- malformed replies -------------------------------------------------------------------------


def test_missing_prefix_is_retried(gerrit, sleeps):
    gerrit.script(Reply(body="[]"), ok([1]))
    client = make_client(gerrit, sleeps)
    assert client.get_json("/changes/") == [1]
    assert client.errors == 1


def test_missing_prefix_gives_up(gerrit, sleeps):
    gerrit.script(Reply(body='[{"_number": 1}]'), Reply(body='[{"_number": 1}]'))
    client = authed_client(gerrit, sleeps, retries=1)
    with pytest.raises(GerritError) as info:
        client.get_json("/changes/")
    assert str(info.value) == (
        "Gerrit reply to /a/changes/ lacks the )]}' prefix; gave up after 2 attempts"
    )


def test_truncated_json(gerrit, sleeps):
    body = ")]}'\n" + json.dumps([change(1), change(2)])[:-7]
    gerrit.script(Reply(body=body), Reply(body=body), Reply(body=body))
    client = authed_client(gerrit, sleeps, retries=2)
    with pytest.raises(GerritError) as info:
        list(client.query_changes("x"))
    assert str(info.value) == (
        "Gerrit reply to /a/changes/ was not valid JSON (truncated?); gave up after 3 attempts"
    )
    assert client.requests_made == 3


def test_html_page(gerrit, sleeps):
    html = "<!DOCTYPE html>\n<html><body>Sign in</body></html>"
    gerrit.script(*[Reply(body=html, headers={"Content-Type": "text/html"}) for _ in range(2)])
    client = make_client(gerrit, sleeps, retries=1)
    with pytest.raises(GerritError, match=r"/changes/ lacks the \)\]\}' prefix \(an HTML page"):
        client.get_json("/changes/")


def test_empty_body(gerrit, sleeps):
    gerrit.script(Reply(body=""))
    client = make_client(gerrit, sleeps, retries=0)
    with pytest.raises(GerritError, match=r"prefix \(empty body\); gave up after 1 attempt"):
        client.get_json("/changes/")


# -- client errors are not retried -------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "authed", "expected"),
    [
        (401, "Unauthorized", True, "Gerrit refused the credentials (HTTP 401) for /a/changes/"),
        (401, "Unauthorized", False, "Gerrit requires authentication (HTTP 401) for /changes/"),
        (403, "Forbidden", True, "Gerrit denied access (HTTP 403) to /a/changes/"),
        (404, "Not found", True, "Gerrit found no such resource (HTTP 404): /a/changes/"),
        (
            400,
            "Invalid query: line 1:7\n  no viable alternative",
            True,
            "Gerrit rejected the request (HTTP 400) for /a/changes/: "
            "Invalid query: line 1:7 no viable alternative",
        ),
        (409, "", False, "Gerrit refused the request (HTTP 409) for /changes/"),
    ],
)
def test_client_errors_are_not_retried(gerrit, sleeps, status, body, authed, expected):
    gerrit.script(Reply(status, body), ok([]))
    client = authed_client(gerrit, sleeps) if authed else make_client(gerrit, sleeps)
    with pytest.raises(GerritError) as info:
        list(client.query_changes("status:open"))
    assert str(info.value) == expected
    assert (client.requests_made, client.errors, sleeps) == (1, 1, [])


def test_400_body_is_shortened(gerrit, sleeps):
    gerrit.script(Reply(400, "bad " * 500))
    client = make_client(gerrit, sleeps)
    with pytest.raises(GerritError) as info:
        client.get_json("/changes/")
    assert len(str(info.value)) < 300
    assert str(info.value).endswith("...")


# -- secrets -----------------------------------------------------------------------------------


def test_password_never_in_errors_or_logs(gerrit, sleeps, caplog):
    gerrit.script(
        Reply(503),
        Reply(429),
        Reply(body="<html>login</html>"),
        Reply(body=")]}'\n[1,"),
        Reply(401, "Unauthorized"),
        Reply(503),
        Reply(503),
        Reply(503),
        Reply(503),
        Reply(503),
        Reply(400, f"echoing {PASSWORD} back"),
    )
    client = authed_client(gerrit, sleeps)
    messages = []
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            with pytest.raises(GerritError) as info:
                client.get_json("/changes/")
            messages.append(str(info.value))
    assert len(messages) == 3
    assert "echoing *** back" in messages[2]
    logged = [record.getMessage() for record in caplog.records]
    assert any("retry" in text for text in logged)
    secret_forms = (PASSWORD, BASIC.split()[1])
    for text in messages + logged:
        for secret in secret_forms:
            assert secret not in text
