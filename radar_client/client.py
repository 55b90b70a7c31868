"""A small typed client for the Radar REST API v1 (see docs/api.md).

It speaks HTTP only. Every method returns the API's JSON document as plain dicts and lists,
exactly as documented, except that paged lists are followed transparently::

    from radar_client import Client, ApiError

    client = Client("http://radar.example.org:8080")   # or RADAR_API_URL, or the default
    for system in client.systems(window="30d")["systems"]:
        print(system["username"], system["health"]["score"], system["health"]["status"])
    try:
        client.system("no-such-ci")
    except ApiError as exc:
        print(exc.status, exc.faultstring)          # 404 "no such system: no-such-ci"
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import requests

ENV_URL = "RADAR_API_URL"
ENV_TOKEN = "RADAR_API_TOKEN"
DEFAULT_URL = "http://127.0.0.1:8080"
DEFAULT_TIMEOUT = 10.0
STREAM_RETRY_S = 3.0  # until the server says (its ``retry:`` line)

Document = dict[str, Any]
TimeArg = str | date | datetime | None


class ApiError(Exception):
    """A request to the Radar API failed.

    ``faultstring`` is the API's own explanation when it sent one (``{"faultcode",
    "faultstring"}``), otherwise a description of what went wrong on the way (connection refused,
    timeout, a body that is not JSON). ``status`` is the HTTP status, ``None`` when no response
    arrived at all (then :attr:`unreachable` is true).
    """

    def __init__(
        self,
        faultstring: str,
        *,
        status: int | None = None,
        faultcode: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(faultstring)
        self.faultstring = faultstring
        self.status = status
        self.faultcode = faultcode
        self.url = url

    @property
    def unreachable(self) -> bool:
        """True when the API did not answer (connection refused, timeout, DNS failure)."""
        return self.status is None

    @property
    def not_found(self) -> bool:
        return self.status == 404

    def __str__(self) -> str:
        return self.faultstring


def resolve_base_url(base_url: str | None = None) -> str:
    """The API base URL: the argument, else ``$RADAR_API_URL``, else ``http://127.0.0.1:8080``."""
    url = (base_url or os.environ.get(ENV_URL) or DEFAULT_URL).strip()
    if "://" not in url:
        url = "http://" + url
    return url.rstrip("/")


def iso(value: TimeArg) -> str | None:
    """A ``since``/``until`` argument as the API expects it (ISO 8601, UTC)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.replace(microsecond=0).isoformat() + "Z"
    return value.isoformat()


class Client:
    """The Radar API v1, one method per resource.

    ``base_url``: e.g. ``http://radar.example.org:8080`` (no ``/v1``); defaults to
    ``$RADAR_API_URL`` then ``http://127.0.0.1:8080``. ``timeout``: seconds to wait for a
    connection and for each response. ``page_size``: items asked for per page when following a
    paged list (default: the server's own default page size).

    Windowed methods take ``window`` (``24h``, ``7d``, ``30d``, ``<N>h|d|w``) or ``since`` and
    ``until`` (ISO 8601 strings, dates or datetimes), and ``project``. Systems are named by id
    or username.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        page_size: int | None = None,
        session: requests.Session | None = None,
        token: str | None = None,
    ) -> None:
        self.base_url = resolve_base_url(base_url)
        # For writes: the token, else $RADAR_API_TOKEN (never printed, never in a URL).
        self.token = token or os.environ.get(ENV_TOKEN) or None
        self.timeout = timeout
        self.page_size = page_size
        self.session = session or requests.Session()
        self.session.headers.setdefault("Accept", "application/json")

    def __repr__(self) -> str:
        return f"Client({self.base_url!r})"

    # -- resources -------------------------------------------------------------------------

    def systems(
        self,
        *,
        window: str | None = None,
        since: TimeArg = None,
        until: TimeArg = None,
        project: str | None = None,
        sort: str | None = None,
        status: str | list[str] | None = None,
    ) -> Document:
        """``GET /v1/systems`` with every page joined: ``{"window", "systems", "next": None}``."""
        if isinstance(status, list):
            status = ",".join(status)
        params = _window_params(window, since, until, project) | {"sort": sort, "status": status}
        return self._collect("/v1/systems", params, "systems")

    def system(
        self,
        system: str | int,
        *,
        window: str | None = None,
        since: TimeArg = None,
        until: TimeArg = None,
        project: str | None = None,
    ) -> Document:
        """``GET /v1/systems/{id or username}``: health, stats, contacts, reasons, window."""
        return self.get(_system_path(system), _window_params(window, since, until, project))

    def jobs(
        self,
        system: str | int,
        *,
        window: str | None = None,
        since: TimeArg = None,
        until: TimeArg = None,
        project: str | None = None,
    ) -> Document:
        """``GET /v1/systems/{id}/jobs``: per-job figures, most runs first."""
        params = _window_params(window, since, until, project)
        return self.get(_system_path(system, "jobs"), params)

    def reports(
        self,
        system: str | int,
        *,
        limit: int | None = None,
        window: str | None = None,
        since: TimeArg = None,
        until: TimeArg = None,
        project: str | None = None,
    ) -> Document:
        """``GET /v1/systems/{id}/reports``, newest first, at most ``limit`` (``None``: all).

        Pages are followed as needed; the result has ``"next": None``.
        """
        params = _window_params(window, since, until, project)
        return self._collect(_system_path(system, "reports"), params, "reports", limit)

    def iter_reports(
        self,
        system: str | int,
        *,
        window: str | None = None,
        since: TimeArg = None,
        until: TimeArg = None,
        project: str | None = None,
    ) -> Iterator[Document]:
        """Every report of the window, newest first, fetched page by page as you iterate."""
        params = _window_params(window, since, until, project)
        query = params | {"limit": self.page_size}
        for page in self.pages(_system_path(system, "reports"), query):
            yield from page.get("reports") or []

    def trend(
        self,
        system: str | int,
        *,
        bucket: str = "day",
        window: str | None = None,
        since: TimeArg = None,
        until: TimeArg = None,
        project: str | None = None,
    ) -> Document:
        """``GET /v1/systems/{id}/trend``: score and components per day or week, oldest first."""
        params = _window_params(window, since, until, project) | {"bucket": bucket}
        return self.get(_system_path(system, "trend"), params)

    def change(self, number: int | str) -> Document:
        """``GET /v1/changes/{number}``: every patchset with every system's latest result."""
        return self.get(f"/v1/changes/{quote(str(number), safe='')}")

    def projects(self) -> Document:
        """``GET /v1/projects``: ``{"projects": [{"name", "changes", "patchsets", "systems"}]}``."""
        return self.get("/v1/projects")

    def status(self) -> Document:
        """``GET /v1/status``: collector health (last polls, outcome, lag) and totals."""
        return self.get("/v1/status")

    def events(self, limit: int | None = None) -> Document:
        """``GET /v1/events``: the latest events, newest first (one page)."""
        return self.get("/v1/events", {"limit": limit})

    def stream(
        self,
        after: int | None = None,
        *,
        reconnect: bool = True,
        on_reconnect: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Iterator[Document]:
        """``GET /v1/stream``: each event (as in :meth:`events`) as it happens, for ever.

        ``after``: resume after this event id (0: every stored event first); default: what
        comes from now on. The server ends each stream after a while, and an API may restart:
        with ``reconnect`` the stream is opened again after the server's ``retry`` delay (or a
        growing one while the API is away), resuming after the last event seen, so none is
        lost or given twice; ``on_reconnect(reason)`` is told each time. Without it, the end
        of the stream ends the iteration. An API that cannot be reached at first, or that
        refuses the stream (4xx), raises :class:`ApiError`.
        """
        last = after
        retry_s, failures, opened = STREAM_RETRY_S, 0, False
        while True:
            try:
                for kind, value in self._stream_once(last):
                    failures, opened = 0, True
                    if kind == "retry":
                        retry_s = value
                        continue
                    if kind == "id":  # where the stream starts: resume from there
                        last = value
                        continue
                    last = value["id"]
                    yield value
                reason = "the stream ended"
            except ApiError as exc:
                # An API that never answered is an error; one that goes away is waited for.
                retriable = exc.unreachable or (exc.status or 0) >= 500
                if not (reconnect and opened and retriable):
                    raise
                failures += 1
                reason = str(exc)
            if not reconnect:
                return
            if on_reconnect is not None:
                on_reconnect(reason)
            # The server's delay after a normal end; doubling (to a minute) while it is away.
            sleep(min(retry_s * 2 ** min(failures - 1, 5), 60.0) if failures else retry_s)

    def _stream_once(self, after: int | None) -> Iterator[tuple[str, Any]]:
        """One stream response, as ("retry", seconds) and ("event", event) items."""
        url = self.url("/v1/stream")
        headers = {"Accept": "text/event-stream"}
        if after is not None:
            headers["Last-Event-ID"] = str(after)
        try:
            # The read timeout outlasts the server's heartbeat (a comment every 15 s).
            response = self.session.get(url, headers=headers, stream=True,
                                        timeout=(self.timeout, max(self.timeout, 45.0)))
        except requests.RequestException as exc:
            raise ApiError(
                f"cannot reach the Radar API at {self.base_url}: {_reason(exc)}", url=url
            ) from exc
        with response:
            if not response.ok:
                _decode(response)  # raises the API's fault
            try:
                yield from _sse_items(response.iter_lines(decode_unicode=True))
            except requests.RequestException as exc:
                raise ApiError(f"the stream from {self.base_url} broke: {_reason(exc)}",
                               url=url) from exc

    # -- HTTP ------------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None) -> Document:
        """``GET`` a path (``/v1/...``) or a full URL; the decoded JSON, or :class:`ApiError`."""
        query = {k: v for k, v in (params or {}).items() if v is not None}
        return self._request("GET", self.url(path), params=query)

    # -- writes (need a token) --------------------------------------------------------------

    def silences(self, *, ended: bool = False) -> Document:
        """``GET /v1/silences``: ``{"silences": [...]}`` (with ``ended``: the ended ones too)."""
        return self.get("/v1/silences", {"ended": "true" if ended else None})

    def add_silence(self, system: str | None, *, comment: str, until: TimeArg = None,
                    duration: str | None = None, since: TimeArg = None) -> Document:
        """``POST /v1/silences``: silence ``system`` (None: every system) until ``until`` or
        for ``duration`` (30m, 2h, 1d)."""
        body = {"system": None if system is None else str(system), "comment": comment,
                "ends_at": iso(until), "duration": duration, "starts_at": iso(since)}
        return self.send("POST", "/v1/silences", {k: v for k, v in body.items() if v is not None})

    def end_silence(self, silence_id: int) -> Document:
        """``DELETE /v1/silences/{id}``: end it now."""
        return self.send("DELETE", f"/v1/silences/{int(silence_id)}")

    def set_contacts(self, system: str | int, **contacts: str | None) -> Document:
        """``PATCH /v1/systems/{id}``: set name, email, info_url or recheck_keyword."""
        return self.send("PATCH", _system_path(system), {"contacts": contacts})

    def send(self, method: str, path: str, body: dict | None = None) -> Document:
        """A write with ``Authorization: Bearer``; errors are ApiError as for reads."""
        if not self.token:
            raise ApiError(f"writes need a token: set ${ENV_TOKEN} (radar-db-manage token "
                           "create makes one)")
        return self._request(method, self.url(path), json=body,
                             headers={"Authorization": f"Bearer {self.token}"})

    def _request(self, method: str, url: str, **kwargs) -> Any:
        """One HTTP request; the decoded JSON, or ApiError (also when it cannot be sent)."""
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as exc:
            raise ApiError(
                f"the Radar API at {self.base_url} did not answer within {self.timeout:g}s",
                url=url,
            ) from exc
        except requests.RequestException as exc:
            raise ApiError(
                f"cannot reach the Radar API at {self.base_url}: {_reason(exc)}", url=url
            ) from exc
        return _decode(response)

    def pages(self, path: str, params: dict[str, Any]) -> Iterator[Document]:
        """Each page of a paged list, following ``next`` until it is null.

        When the server refuses the first page's ``limit`` (above its ``max_limit``), the list is
        asked for again with the server's default page size.
        """
        try:
            page = self.get(path, params)
        except ApiError as exc:
            if exc.status != 400 or params.get("limit") is None:
                raise
            page = self.get(path, {k: v for k, v in params.items() if k != "limit"})
        seen: set[str] = set()
        while True:
            yield page
            url = self._next_url(page.get("next"), seen)
            if url is None:
                return
            page = self.get(url)

    def url(self, path: str) -> str:
        """The absolute URL of an API path, or of a ``next`` link (relative or absolute)."""
        if "://" in path:
            return path
        parts = urlsplit(self.base_url)
        prefix = parts.path.rstrip("/")
        if not path.startswith("/"):
            return urljoin(self.base_url + "/v1/", path)
        if prefix and not path.startswith(prefix + "/"):
            path = prefix + path
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))

    def _next_url(self, link: str | None, seen: set[str]) -> str | None:
        if not link:
            return None
        if link in seen:
            raise ApiError(f"the API sent the same next page twice: {link}", url=link)
        seen.add(link)
        return link

    def _collect(
        self, path: str, params: dict[str, Any], key: str, limit: int | None = None
    ) -> Document:
        page_size = self.page_size if limit is None else min(limit, self.page_size or limit)
        query = params | {"limit": page_size}
        result: Document = {}
        items: list[Any] = []
        for page in self.pages(path, query):
            if not result:
                result = {k: v for k, v in page.items() if k not in (key, "next")}
            items.extend(page.get(key) or [])
            if limit is not None and len(items) >= limit:
                break
        result[key] = items if limit is None else items[:limit]
        result["next"] = None
        return result


def _sse_items(lines: Iterable[str]) -> Iterator[tuple[str, Any]]:
    """Server-Sent Events (the subset /v1/stream sends): ``retry:``, ``id:`` without data
    (where the stream starts) and events whose ``data:`` is a JSON event; comments and
    malformed events are skipped."""
    data: list[str] = []
    event_id: str | None = None
    for line in lines:
        if line is None:
            continue
        if line == "":
            if not data and event_id is not None and event_id.isdigit():
                yield "id", int(event_id)
            event_id = None
            if data:
                try:
                    event = json.loads("\n".join(data))
                except ValueError:
                    event = None
                if isinstance(event, dict) and isinstance(event.get("id"), int):
                    yield "event", event
            data = []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            data.append(value)
        elif name == "id":
            event_id = value
        elif name == "retry" and value.isdigit():
            yield "retry", int(value) / 1000


def _window_params(
    window: str | None, since: TimeArg, until: TimeArg, project: str | None
) -> dict[str, Any]:
    return {"window": window, "since": iso(since), "until": iso(until), "project": project}


def _system_path(system: str | int, resource: str = "") -> str:
    path = f"/v1/systems/{quote(str(system), safe='')}"
    return f"{path}/{resource}" if resource else path


def _decode(response: requests.Response) -> Document:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.ok and isinstance(body, dict):
        return body
    if isinstance(body, dict) and body.get("faultstring"):
        raise ApiError(
            str(body["faultstring"]),
            status=response.status_code,
            faultcode=body.get("faultcode"),
            url=response.url,
        )
    if response.ok:
        raise ApiError(
            f"the API at {response.url} answered something that is not a JSON object",
            status=response.status_code,
            url=response.url,
        )
    raise ApiError(
        f"HTTP {response.status_code} {response.reason or ''} from {response.url}".replace(
            "  ", " "
        ),
        status=response.status_code,
        url=response.url,
    )


def _reason(exc: requests.RequestException) -> str:
    """The innermost cause of a connection failure, e.g. ``Connection refused``."""
    text = str(exc)
    inner: BaseException | None = exc
    while inner is not None:
        if isinstance(inner, ConnectionRefusedError):
            return "connection refused"
        inner = inner.__cause__ or inner.__context__
    for marker in ("Connection refused", "Name or service not known", "No route to host"):
        if marker in text:
            return marker.lower()
    return text.splitlines()[0] if text else type(exc).__name__
