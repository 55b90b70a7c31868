"""Gerrit's REST API over a Scenario, with faults a robust client must survive.

Gerrit endpoints (also under ``/a/``, where HTTP basic auth is checked when credentials are set):
``/changes/``, ``/changes/{id}``, ``/changes/{id}/detail``, ``/changes/{id}/messages``,
``/groups/{id}``, ``/groups/{id}/members/``, ``/accounts/{id}``, ``/accounts/?q=``,
``/config/server/version``. Control endpoints (not Gerrit, no fault, no auth, plain JSON):
``GET /_sim/truth?since=&until=``, ``GET /_sim/totals``, ``GET /_sim/systems``,
``POST /_sim/advance?hours=``, ``POST /_sim/fault?kind=&count=``.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

from radar_demo import query as gerrit_query
from radar_demo.truth import expected_figures, expected_totals

FAULT_KINDS = ("http500", "http429", "slow", "truncated", "no_prefix", "shift", "not_json")
XSSI_PREFIX = b")]}'\n"
MAX_PAGE = 500
GERRIT_TIME = "%Y-%m-%d %H:%M:%S.000000000"
_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def gerrit_time(moment: datetime) -> str:
    return moment.strftime(GERRIT_TIME)


def _iso(value):
    """JSON-friendly values for the control endpoints (datetimes as ISO 8601 with Z)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dict):
        return {
            (k if isinstance(k, str | int) else "/".join(map(str, k))): _iso(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_iso(v) for v in value]
    return value


def _parse_iso(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


# --- Gerrit JSON entities ---------------------------------------------------------------------


def account_info(account, detailed: bool = True) -> dict:
    if not detailed:
        return {"_account_id": account.id}
    return {
        "_account_id": account.id,
        "name": account.name,
        "email": account.email,
        "username": account.username,
    }


def change_info(scenario, change, options: set[str]) -> dict:
    detailed = "DETAILED_ACCOUNTS" in options

    def account(account_id):
        return account_info(scenario.accounts[account_id], detailed)

    info = {
        "id": f"{quote(change.project, safe='')}~{quote(change.branch, safe='')}~"
        f"{change.change_id}",
        "project": change.project,
        "branch": change.branch,
        "change_id": change.change_id,
        "subject": change.subject,
        "status": change.status,
        "created": gerrit_time(change.created),
        "updated": gerrit_time(change.updated),
        "_number": change.number,
        "owner": account(change.owner_id),
    }
    if "MESSAGES" in options:
        info["messages"] = [message_info(m, account) for m in change.messages]
    revisions = change.patchsets
    if "CURRENT_REVISION" in options and "ALL_REVISIONS" not in options:
        revisions = [change.current]
    if "ALL_REVISIONS" in options or "CURRENT_REVISION" in options:
        info["current_revision"] = change.current.sha
        info["revisions"] = {
            ps.sha: {
                "_number": ps.number,
                "created": gerrit_time(ps.created),
                "uploader": account(ps.uploader_id),
                "ref": f"refs/changes/{change.number % 100:02d}/{change.number}/{ps.number}",
                "kind": "REWORK",
            }
            for ps in revisions
        }
    return info


def message_info(message, account) -> dict:
    info = {"id": message.id}
    if message.author_id is not None:  # Gerrit's own messages have no author
        info["author"] = account(message.author_id)
        info["real_author"] = account(message.author_id)
    info["date"] = gerrit_time(message.date)
    info["message"] = message.text
    if message.tag:
        info["tag"] = message.tag
    info["_revision_number"] = message.patchset
    return info


# --- the server -------------------------------------------------------------------------------


class GerritSimulator:
    """Serves ``scenario`` on ``host:port`` (0: any free port) until ``stop()``.

    ``username``/``password`` protect ``/a/``; ``require_auth`` also refuses anonymous access.
    ``inject(kind, count)`` queues faults (FAULT_KINDS) for the next Gerrit requests, in order.
    ``requests`` and ``request_log`` cover Gerrit requests only, not ``/_sim/`` ones.
    """

    def __init__(
        self,
        scenario,
        host: str = "127.0.0.1",
        port: int = 0,
        username: str | None = None,
        password: str | None = None,
        require_auth: bool = False,
    ):
        self.scenario = scenario
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.require_auth = require_auth
        self.slow_seconds = 3.0
        self.requests = 0
        self.request_log: list[tuple[str, str]] = []
        self._faults: list[list] = []  # [kind, remaining], first in first out
        # Changes the REST side does not show yet (their stream events flow: radar_demo/ssh.py).
        self.hidden_changes: set[int] = set()
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> GerritSimulator:
        handler = type("Handler", (_Handler,), {"sim": self})
        self._httpd = _QuietServer((self.host, self.port), handler)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},  # so that stop() returns promptly
            daemon=True,
            name="gerrit-simulator",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = self._thread = None

    def __enter__(self) -> GerritSimulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- faults ------------------------------------------------------------------------------

    def inject(self, kind: str, count: int = 1) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {', '.join(FAULT_KINDS)}")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults.append([kind, count])

    def pending_faults(self) -> list[tuple[str, int]]:
        with self._lock:
            return [(kind, count) for kind, count in self._faults]

    def _take_fault(self, shift: bool = False) -> str | None:
        """The next queued fault: a reply fault, or (``shift=True``) a queued shift."""
        with self._lock:
            for entry in self._faults:
                if (entry[0] == "shift") == shift:
                    entry[1] -= 1
                    if not entry[1]:
                        self._faults.remove(entry)
                    return entry[0]
        return None

    def _record(self, method: str, path: str) -> None:
        with self._lock:
            self.requests += 1
            self.request_log.append((method, path))


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        pass  # clients that time out (the "slow" fault) hang up: not worth a traceback


class _Handler(BaseHTTPRequestHandler):
    sim: GerritSimulator
    protocol_version = "HTTP/1.1"
    server_version = "GerritSimulator/1.0"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    # -- plumbing ----------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        parts = urlsplit(self.path)
        params = parse_qs(parts.query, keep_blank_values=True)
        try:
            if parts.path.startswith("/_sim/"):
                self._send_json(self._control(method, parts.path, params), prefix=False)
                return
            self.sim._record(method, self.path)
            fault = self.sim._take_fault()
            if fault == "slow":
                time.sleep(self.sim.slow_seconds)
            elif fault in ("http500", "http429", "not_json"):
                self._send_fault(fault)
                return
            path = self._authorize(parts.path)
            if method != "GET":
                raise HttpError(405, "Method Not Allowed")
            body = self._gerrit(path, params)
            self._send_json(body, fault=fault)
        except HttpError as error:
            self._send_text(error.status, error.message, error.headers)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _authorize(self, path: str) -> str:
        """Strips ``/a``; checks basic auth there (when configured) or refuses anonymity."""
        sim = self.sim
        if path == "/a" or path.startswith("/a/"):
            if sim.username is not None and not self._credentials_ok():
                raise HttpError(
                    401, "Unauthorized", {"WWW-Authenticate": 'Basic realm="Gerrit Code Review"'}
                )
            return path[2:] or "/"
        if sim.require_auth:
            raise HttpError(
                401, "Unauthorized", {"WWW-Authenticate": 'Basic realm="Gerrit Code Review"'}
            )
        return path

    def _credentials_ok(self) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.lower().startswith("basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return (user, password) == (self.sim.username, self.sim.password)

    def _send(self, status: int, body: bytes, content_type: str, headers=None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_text(self, status: int, message: str, headers=None) -> None:
        self._send(status, (message + "\n").encode(), "text/plain; charset=UTF-8", headers)

    def _send_json(self, obj, prefix: bool = True, fault: str | None = None) -> None:
        body = _encode(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
        if fault == "truncated":
            body = body[: len(body) // 2]
        if prefix and fault != "no_prefix":
            body = XSSI_PREFIX + body
        self._send(200, body, "application/json; charset=UTF-8")

    def _send_fault(self, fault: str) -> None:
        if fault == "http429":
            self._send_text(429, "Too Many Requests", {"Retry-After": "1"})
        elif fault == "not_json":
            page = b"<!DOCTYPE html><html><body><h1>Gerrit is down</h1></body></html>"
            self._send(200, page, "text/html; charset=UTF-8")
        else:
            with self.sim._lock:
                status = (500, 502, 503)[self.sim.requests % 3]
            self._send_text(status, _REASONS[status])

    # -- Gerrit routes -----------------------------------------------------------------------

    def _gerrit(self, path: str, params: dict):
        scenario = self.sim.scenario
        segments = [unquote(s) for s in path.strip("/").split("/")]
        with scenario.lock:
            if segments == ["changes"]:
                return self._query_changes(params)
            if segments[0] == "changes" and len(segments) in (2, 3):
                return self._one_change(segments[1:], params)
            if segments[0] == "groups" and len(segments) in (2, 3):
                return self._group(segments[1], segments[2:])
            if segments == ["accounts"]:
                return self._query_accounts(params)
            if segments[0] == "accounts" and len(segments) == 2:
                account = scenario.account(segments[1])
                if account is None:
                    raise HttpError(404, "Not found: " + segments[1])
                return account_info(account)
            if segments == ["config", "server", "version"]:
                return "3.9.1"
        raise HttpError(404, "Not found")

    def _query_changes(self, params: dict) -> list:
        sim, scenario = self.sim, self.sim.scenario
        try:
            predicate = gerrit_query.parse(params.get("q", [""])[0])
        except gerrit_query.QueryError as error:
            raise HttpError(400, str(error)) from None
        limit = _int_param(params, ("n", "limit"), MAX_PAGE)
        start = _int_param(params, ("S", "start"), 0)
        limit = min(max(limit, 1), MAX_PAGE)
        options = set(params.get("o", []))
        matched = [
            c for c in scenario.changes
            if c.number not in sim.hidden_changes and predicate(c, scenario)
        ]
        matched.sort(key=lambda c: (c.updated, c.number), reverse=True)
        page = matched[start : start + limit]
        body = [change_info(scenario, c, options) for c in page]
        if len(matched) > start + limit:
            body[-1]["_more_changes"] = True
            if sim._take_fault(shift=True):
                # Someone comments on the oldest unread change: it jumps to the front and every
                # later page starts one change earlier than the client expects.
                scenario.touch(matched[-1])
        return body

    def _one_change(self, segments: list[str], params: dict):
        scenario = self.sim.scenario
        key = segments[0]
        change = next(
            (
                c
                for c in scenario.changes
                if key in (str(c.number), c.change_id)
                or key.endswith("~" + c.change_id)
                or key.endswith("~" + str(c.number))
            ),
            None,
        )
        if change is None:
            raise HttpError(404, "Not found: " + key)
        options = set(params.get("o", []))
        if segments[1:] == ["detail"]:
            options |= {"MESSAGES", "DETAILED_ACCOUNTS"}
        elif segments[1:] == ["messages"]:
            info = change_info(scenario, change, {"MESSAGES", "DETAILED_ACCOUNTS"})
            return info["messages"]
        elif segments[1:]:
            raise HttpError(404, "Not found")
        return change_info(scenario, change, options)

    def _group(self, key: str, rest: list[str]):
        group = self.sim.scenario.group
        if key not in (group["name"], str(group["id"]), group["uuid"]):
            raise HttpError(404, "Not found: " + key)
        accounts = self.sim.scenario.accounts
        if rest in (["members"], ["members", ""]):
            return [account_info(accounts[i]) for i in group["members"]]
        if rest:
            raise HttpError(404, "Not found")
        return {
            "id": group["uuid"],
            "name": group["name"],
            "group_id": group["id"],
            "description": "Third-party CI accounts",
            "visible_to_all": True,
        }

    def _query_accounts(self, params: dict) -> list:
        text = params.get("q", [""])[0]
        operator, _, value = text.partition(":")
        if not value:
            operator, value = "", text
        if operator not in ("", "username", "email", "name"):
            raise HttpError(400, f"Unsupported operator {operator}:{value}")
        accounts = self.sim.scenario.accounts.values()
        return [
            account_info(a)
            for a in accounts
            if value in ((a.username, a.email, a.name) if not operator else (getattr(a, operator),))
        ]

    # -- control routes ----------------------------------------------------------------------

    def _control(self, method: str, path: str, params: dict):
        sim, scenario = self.sim, self.sim.scenario
        route = (method, path.rstrip("/"))
        try:
            if route == ("GET", "/_sim/truth"):
                until = _parse_iso(params["until"][0]) if "until" in params else scenario.end
                since = (
                    _parse_iso(params["since"][0])
                    if "since" in params
                    else until - timedelta(days=7)
                )
                figures = expected_figures(scenario, since, until)
                return _iso({"since": since, "until": until, "systems": figures})
            if route == ("GET", "/_sim/totals"):
                return _iso(expected_totals(scenario))
            if route == ("GET", "/_sim/systems"):
                return [
                    {
                        **account_info(s.account),
                        "behaviour": s.behaviour,
                        "style": s.style,
                        "intended_status": s.intended_status,
                        "projects": s.projects,
                    }
                    for s in scenario.systems
                ]
            if route == ("POST", "/_sim/advance"):
                return _iso(scenario.advance(float(params.get("hours", ["1"])[0])))
            if route == ("POST", "/_sim/fault"):
                kind, count = params.get("kind", [""])[0], int(params.get("count", ["1"])[0])
                sim.inject(kind, count)
                return {"kind": kind, "count": count, "pending": sim.pending_faults()}
        except (KeyError, ValueError) as error:
            raise HttpError(400, f"Bad request: {error}") from None
        raise HttpError(404, "Not found")


# Poison that tests put in messages: lone surrogates other than U+DC80..U+DCFF stay JSON escapes
# (valid JSON, text no database stores); U+DC80..U+DCFF are sent as the raw bytes 0x80..0xFF
# they stand for (Python's surrogateescape), so the reply is not UTF-8, as a broken Gerrit's.
_ESCAPED_SURROGATES = re.compile("[\ud800-\udc7f\udd00-\udfff]")


def _encode(text: str) -> bytes:
    text = _ESCAPED_SURROGATES.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return text.encode("utf-8", errors="surrogateescape")


def _int_param(params: dict, names: tuple[str, ...], default: int) -> int:
    for name in names:
        if name in params:
            try:
                return int(params[name][0])
            except ValueError:
                raise HttpError(400, f"Invalid value for {name}: {params[name][0]}") from None
    return default
