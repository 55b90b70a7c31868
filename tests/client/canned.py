"""A tiny real HTTP server answering canned documents shaped like docs/api.md.

It lets the client's paging, error handling and every view be tested over real HTTP before (and
independently of) the real API. It implements just enough of the contract: paging by ``limit``
and ``marker`` with a ``next`` relative URL, ``status`` and ``sort`` on the system list, JSON
faults with the right status, and a record of every request it answered.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

WINDOW = {"since": "2026-11-16T10:00:00Z", "until": "2026-11-23T10:00:00Z"}
NOW = "2026-11-23T10:00:00Z"


def _system(sid, username, name, score, status, coverage, timeliness, success_rate, stability,
            reports, latency, last_report="2026-11-23T09:51:00Z"):  # fmt: skip
    success = int(reports * (success_rate or 0))
    return {
        "id": sid,
        "name": name,
        "username": username,
        "health": {
            "score": score,
            "status": status,
            "coverage": coverage,
            "timeliness": timeliness,
            "success_rate": success_rate,
            "stability": stability,
        },
        "stats": {
            "reports": reports,
            "success": success,
            "failure": reports - success,
            "error": 0,
            "other": 0,
            "patchsets_eligible": 118,
            "patchsets_reported": int(118 * (coverage or 0)),
            "latency_p50_s": latency,
            "latency_p90_s": None if latency is None else latency * 2 + 0.5,
            "last_report_at": last_report,
            "last_success_at": last_report if success else None,
            "rechecks": 3,
            "flaky_patchsets": 1,
            "duplicate_reports": 0,
            "agreement": 0.95,
            "false_failure_rate": 0.02,
        },
    }


SYSTEMS = [
    _system(101, "healthy-ci", "Healthy CI", 97, "healthy", 1.0, 0.98, 0.91, 1.0, 120, 1830.0),
    _system(102, "flaky-ci", "Flaky CI", 72, "degraded", 0.9, 0.8, 0.6, 0.5, 80, 2400.0),
    _system(103, "broken-ci", "Broken CI", 31, "failing", 0.4, 0.3, 0.1, 0.9, 50, 600.0),
    _system(
        104,
        "quiet-ci",
        "Quiet CI",
        88,
        "silent",
        0.7,
        0.9,
        0.95,
        1.0,
        10,
        900.0,
        last_report="2026-11-21T08:00:00Z",
    ),  # fmt: skip
    _system(
        105,
        "gone-ci",
        "Gone CI",
        None,
        "unknown",
        None,
        None,
        None,
        None,
        0,
        None,
        last_report=None,
    ),  # fmt: skip
]
REASONS = {
    "healthy": [],
    "degraded": ["success rate 60% is low", "stability 50% is low"],
    "failing": ["score 31 is below 50"],
    "silent": ["no report for 2 days while patchsets were created"],
    "unknown": ["no report in the last 30 days"],
}


def system_detail(system: dict) -> dict:
    return system | {
        "window": WINDOW,
        "contacts": {
            "name": f"{system['name']} operators",
            "email": f"{system['username']}@example.org",
            "info_url": None,
            "recheck_keyword": system["username"].split("-")[0],
        },
        "reasons": REASONS[system["health"]["status"]],
    }


def _ref(system: dict) -> dict:
    return {key: system[key] for key in ("id", "name", "username")}


JOBS = [
    {"name": "tempest-full", "runs": 100, "success": 90, "failure": 8, "error": 2, "skipped": 0,
     "success_rate": 0.9, "duration_p50_s": 3725.0, "last_success_at": "2026-11-23T07:00:00Z",
     "voting": True},
    {"name": "tox-pep8", "runs": 100, "success": 100, "failure": 0, "error": 0, "skipped": 0,
     "success_rate": 1.0, "duration_p50_s": 192.0, "last_success_at": "2026-11-23T09:51:00Z",
     "voting": False},
]  # fmt: skip


def _report(number: int) -> dict:
    ok = number % 3 != 0
    return {
        "id": 1000 + number,
        "date": f"2026-11-23T0{9 - number % 10}:00:00Z",
        "result": "SUCCESS" if ok else "FAILURE",
        "result_class": "success" if ok else "failure",
        "vote": 1 if ok else -1,
        "pipeline": "check",
        "project": "openstack/nova",
        "change": 5000 + number,
        "patchset": 2,
        "gerrit_url": f"https://review.example.org/c/openstack/nova/+/{5000 + number}/2",
        "jobs": [
            {"name": "tox-pep8", "url": "https://logs.example.org/1", "result": "SUCCESS",
             "result_class": "success", "duration_s": 192.0, "voting": True, "detail": None},
            {"name": "tempest-full", "url": None, "result": "SUCCESS" if ok else "FAILURE",
             "result_class": "success" if ok else "failure", "duration_s": 3725.0,
             "voting": True, "detail": None},
        ],
    }  # fmt: skip


REPORTS = [_report(n) for n in range(7)]  # newest first

TREND_POINTS = [
    {"since": f"2026-11-{16 + d}T10:00:00Z", "until": f"2026-11-{17 + d}T10:00:00Z",
     "score": s, "status": "healthy" if (s or 0) >= 80 else "degraded", "coverage": c,
     "timeliness": 0.9, "success_rate": 0.9, "stability": 1.0, "reports": r,
     "latency_p50_s": 1800.0}
    for d, (s, c, r) in enumerate([(90, 0.9, 10), (None, None, 0), (70, 0.7, 12), (100, 1.0, 20)])
]  # fmt: skip

CHANGE = {
    "number": 5001,
    "project": "openstack/nova",
    "branch": "master",
    "subject": "Fix the flux capacitor",
    "status": "NEW",
    "gerrit_url": "https://review.example.org/c/openstack/nova/+/5001",
    "systems": [_ref(SYSTEMS[0]), _ref(SYSTEMS[1])],
    "patchsets": [
        {"number": 1, "created": "2026-11-20T10:00:00Z", "gerrit_url": None,
         "results": [{"system_id": 101, "result": "FAILURE", "result_class": "failure",
                      "date": "2026-11-20T10:30:00Z", "report_id": 1, "reports": 2, "jobs": []}]},
        {"number": 2, "created": "2026-11-21T10:00:00Z", "gerrit_url": None,
         "results": [{"system_id": 101, "result": "SUCCESS", "result_class": "success",
                      "date": "2026-11-21T10:30:00Z", "report_id": 3, "reports": 1, "jobs": []},
                     {"system_id": 102, "result": "ERROR", "result_class": "error",
                      "date": "2026-11-21T10:40:00Z", "report_id": 4, "reports": 1,
                      "jobs": []}]},
    ],
}  # fmt: skip

PROJECTS = {
    "projects": [
        {"name": "openstack/cinder", "changes": 12, "patchsets": 30, "systems": 2},
        {"name": "openstack/nova", "changes": 40, "patchsets": 95, "systems": 5},
    ]
}

STATUS = {
    "poll_interval": 300,
    "now": NOW,
    "collector": {
        "last_poll_at": "2026-11-23T09:57:00Z",
        "last_success_at": "2026-11-23T09:57:00Z",
        "outcome": "ok",
        "lag_s": 180.0,
        "queries": [{"query": "status:open", "watermark": "2026-11-23T09:50:00Z",
                     "last_success_at": "2026-11-23T09:57:00Z", "locked_by": None}],
        "polls": [
            {"id": 2, "query": "status:open", "started_at": "2026-11-23T09:57:00Z",
             "finished_at": "2026-11-23T09:57:04Z", "outcome": "ok", "requests": 3, "errors": 0,
             "rate_limited": 0, "changes": 12, "reports_stored": 30, "rechecks_stored": 1,
             "message": None},
            {"id": 1, "query": "status:open", "started_at": "2026-11-23T09:52:00Z",
             "finished_at": "2026-11-23T09:52:09Z", "outcome": "error", "requests": 4,
             "errors": 4, "rate_limited": 2, "changes": 0, "reports_stored": 0,
             "rechecks_stored": 0, "message": "HTTP 429 Too Many Requests"},
        ],
    },
    "totals": {"systems": 5, "changes": 52, "patchsets": 125, "reports": 260, "rechecks": 9},
}  # fmt: skip


class Fault(Exception):
    def __init__(self, status: int, message: str, code: str = "Client"):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def _page(items: list[dict], query: dict[str, str], path: str) -> tuple[list[dict], str | None]:
    """``limit``/``marker`` paging with a ``next`` relative URL keeping every other parameter."""
    limit = int(query.get("limit", "2"))
    if limit < 1 or limit > 5:
        raise Fault(400, f"limit must be between 1 and 5, not {limit}")
    start = 0
    if "marker" in query:
        ids = [str(item["id"]) for item in items]
        if query["marker"] not in ids:
            raise Fault(400, f"unknown marker {query['marker']}")
        start = ids.index(query["marker"]) + 1
    chunk = items[start : start + limit]
    if start + limit >= len(items):
        return chunk, None
    return chunk, f"{path}?{urlencode(query | {'marker': chunk[-1]['id']})}"


def _find(name: str) -> dict:
    for system in SYSTEMS:
        if name in (str(system["id"]), system["username"]):
            return system
    raise Fault(404, f"no such system: {name}")


def _systems(query: dict[str, str], path: str) -> dict:
    items = list(SYSTEMS)
    if "status" in query:
        wanted = query["status"].split(",")
        items = [s for s in items if s["health"]["status"] in wanted]
    if query.get("sort", "-score") == "name":
        items.sort(key=lambda s: s["name"])
    chunk, following = _page(items, query, path)
    return {"window": WINDOW, "systems": chunk, "next": following}


def _check_window(query: dict[str, str]) -> None:
    if "window" in query and "since" in query:
        raise Fault(400, "window and since are mutually exclusive")
    if query.get("window", "7d") not in ("24h", "7d", "30d", "2d"):
        raise Fault(400, f"bad window {query['window']}")


def route(path: str, query: dict[str, str]) -> dict:
    """The canned document for one request, or a :class:`Fault`."""
    _check_window(query)
    parts = [unquote(p) for p in path.split("/") if p]
    if parts[:1] != ["v1"]:
        raise Fault(404, f"no such route: {path}")
    parts = parts[1:]
    if parts == ["systems"]:
        return _systems(query, path)
    if parts[:1] == ["systems"] and len(parts) in (2, 3):
        return _system_route(_find(parts[1]), parts[2:], query, path)
    if parts[:1] == ["changes"] and len(parts) == 2:
        if parts[1] != str(CHANGE["number"]):
            raise Fault(404, f"no such change: {parts[1]}")
        return CHANGE
    if parts == ["projects"]:
        return PROJECTS
    if parts == ["status"]:
        return STATUS
    raise Fault(404, f"no such route: {path}")


def _system_route(system: dict, rest: list[str], query: dict[str, str], path: str) -> dict:
    if not rest:
        return system_detail(system)
    head = {"window": WINDOW, "system": _ref(system)}
    if rest == ["jobs"]:
        return head | {"jobs": JOBS}
    if rest == ["reports"]:
        chunk, following = _page(REPORTS, query, path)
        return head | {"reports": chunk, "next": following}
    if rest == ["trend"]:
        return head | {"bucket": query.get("bucket", "day"), "points": TREND_POINTS}
    raise Fault(404, f"no such route: {path}")


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (the timeout test) is not an error worth printing."""


class CannedApi:
    """The canned API on 127.0.0.1:<free port>; ``requests`` records every answered request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.server = QuietServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> CannedApi:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                api.requests.append((parts.path, query))
                if parts.path == "/not-json":
                    self._send(200, b"<html>surprise</html>", "text/html")
                    return
                if parts.path == "/v1/boom":
                    self._send(502, b"Bad gateway", "text/plain")
                    return
                if parts.path == "/v1/slow":
                    threading.Event().wait(2)
                try:
                    status, body = 200, route(parts.path, query)
                except Fault as fault:
                    status, body = fault.status, {"faultcode": fault.code,
                                                  "faultstring": fault.message}  # fmt: skip
                self._send(status, json.dumps(body).encode(), "application/json")

            def _send(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler
