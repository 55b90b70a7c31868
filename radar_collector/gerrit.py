"""A small, careful client for the Gerrit REST API.

Only what the collector needs: JSON GETs with the ``)]}'`` prefix stripped, paged change
queries and group members.  Transient trouble (timeouts, connection errors, HTTP 5xx, HTTP 429
and malformed replies) is retried with exponential backoff; anything else, and a transient
failure that outlives the retries, raises :class:`GerritError` with a one-line message that names
the URL path and the cause.  Credentials only ever travel in the ``Authorization`` header: they
are never part of a URL, a log record or an error message.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import requests

from radar_collector import sanitise

LOG = logging.getLogger("radar_collector.gerrit")

XSSI_PREFIX = ")]}'"
DEFAULT_OPTIONS = ("MESSAGES", "DETAILED_ACCOUNTS", "ALL_REVISIONS")
BODY_EXCERPT_CHARS = 200

_ERRNO_RE = re.compile(r"\[Errno -?\d+\] [^'\")\]]+")


class GerritError(Exception):
    """Gerrit could not be used: the message is one line, safe to log and show."""


class _Transient(Exception):
    """A failed attempt that is worth retrying."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class GerritClient:
    """Talks to one Gerrit site over one ``requests.Session``.

    With both ``username`` and ``password`` set, every path is prefixed with ``/a/`` and HTTP
    basic authentication is used (Gerrit's HTTP password).  ``retries`` is the number of extra
    attempts after the first one; the wait before retry *n* (0-based) is
    ``backoff * 2**n`` plus up to ``jitter`` of it, capped by ``max_backoff``; a 429 reply's
    ``Retry-After`` (seconds or HTTP-date) is honoured instead, also capped.

    Counters for the poll log: ``requests_made`` (HTTP requests sent, retries included),
    ``rate_limited`` (429 replies) and ``errors`` (failed attempts of any kind, including a
    final 4xx) and ``retry_wait_s`` (seconds slept as Retry-After asked).
    """

    def __init__(
        self,
        url: str,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        sleep: Callable[[float], object] = time.sleep,
        jitter: float = 0.1,
    ):
        self.base_url = _check_url(url)
        self.authenticated = bool(username and password)
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.jitter = jitter
        self._sleep = sleep
        self._password = password or ""
        self.requests_made = 0
        self.rate_limited = 0
        self.errors = 0
        self.retry_wait_s = 0.0  # seconds slept because a 429 reply's Retry-After asked
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": "radar-collector"})
        if self.authenticated:
            self.session.auth = (username, password)

    # -- public API ---------------------------------------------------------------------------

    def get_json(
        self,
        path: str,
        params: list[tuple[str, str]] | None = None,
        expect: type | None = None,
    ):
        """GET ``path`` (e.g. ``/changes/``), strip the ``)]}'`` line and return the JSON.

        ``expect`` (``list`` or ``dict``) makes a reply of another top-level type count as
        malformed, so it is retried and then reported.
        """
        path = self._full_path(path)
        attempts = self.retries + 1
        for attempt in range(attempts):
            try:
                return self._attempt(path, params, expect)
            except _Transient as exc:
                self.errors += 1
                if attempt == attempts - 1:
                    tries = f"{attempts} attempts" if attempts > 1 else "1 attempt"
                    raise GerritError(f"{exc}; gave up after {tries}") from None
                delay = self._delay(attempt, exc.retry_after)
                if exc.retry_after is not None:
                    self.retry_wait_s += delay
                LOG.warning("%s; retry %d of %d in %.1fs", exc, attempt + 1, self.retries, delay)
                self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def query_changes(
        self, query: str, page_size: int = 100, options=DEFAULT_OPTIONS
    ) -> Iterator[dict]:
        """Yield every ChangeInfo matching ``query`` once, following ``_more_changes``.

        Offsets shift while Gerrit is updated, so a change may show up on two pages: it is
        yielded the first time only (by ``_number``).
        """
        seen: set[int] = set()
        offset = 0
        while True:
            params = [("q", query)] + [("o", option) for option in options]
            params += [("n", str(page_size)), ("S", str(offset))]
            page = self.get_json("/changes/", params, expect=list)
            self._check_changes(page)
            more = bool(page) and page[-1].get("_more_changes")
            offset += len(page)
            for change in page:
                if change["_number"] not in seen:
                    seen.add(change["_number"])
                    yield change
            page = change = None  # neither is held while the next page is read
            if not more:
                return

    def group_members(self, group: str) -> list[dict]:
        """Members (AccountInfo) of a group given by name, UUID or id."""
        path = f"/groups/{quote(group, safe='')}/members/"
        members = self.get_json(path, expect=list)
        if not all(isinstance(member, dict) for member in members):
            raise GerritError(f"Gerrit reply to {self._full_path(path)} is not a list of accounts")
        return members

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> GerritClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # -- one attempt ----------------------------------------------------------------------------

    def _full_path(self, path: str) -> str:
        path = "/" + path.lstrip("/")
        return "/a" + path if self.authenticated else path

    def _attempt(self, path: str, params, expect: type | None):
        self.requests_made += 1
        try:
            response = self.session.get(self.base_url + path, params=params, timeout=self.timeout)
        except requests.Timeout:
            message = f"Gerrit request to {path} timed out after {self.timeout:g}s"
            raise _Transient(message) from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise _Transient(f"Could not reach Gerrit for {path} ({self._reason(exc)})") from None
        except requests.RequestException as exc:
            self.errors += 1
            raise GerritError(
                f"Request to Gerrit for {path} failed ({type(exc).__name__})"
            ) from None
        self._check_status(response, path)
        # Bytes that are not UTF-8 become lone surrogates, which sanitise.clean replaces: one
        # bad byte in one comment must not make the whole reply (and every poll) fail.
        text = response.content.decode("utf-8", errors="surrogateescape")
        del response  # and its bytes: a page's reply is held once, as text, while it is parsed
        return self._parse(text, path, expect)

    def _check_status(self, response: requests.Response, path: str) -> None:
        status = response.status_code
        if status == 429:
            self.rate_limited += 1
            raise _Transient(
                f"Gerrit rate-limited {path} (HTTP 429)",
                retry_after=self._retry_after(response.headers.get("Retry-After")),
            )
        if status >= 500:
            raise _Transient(f"Gerrit answered HTTP {status} for {path}")
        if status >= 400:
            self.errors += 1
            raise GerritError(self._client_error(status, path, response))

    def _client_error(self, status: int, path: str, response: requests.Response) -> str:
        if status == 401 and self.authenticated:
            return f"Gerrit refused the credentials (HTTP 401) for {path}"
        if status == 401:
            return f"Gerrit requires authentication (HTTP 401) for {path}"
        if status == 403:
            return f"Gerrit denied access (HTTP 403) to {path}"
        if status == 404:
            return f"Gerrit found no such resource (HTTP 404): {path}"
        excerpt = self._excerpt(response.content)
        meaning = "rejected the request" if status == 400 else "refused the request"
        message = f"Gerrit {meaning} (HTTP {status}) for {path}"
        return f"{message}: {excerpt}" if excerpt else message

    def _parse(self, text: str, path: str, expect: type | None):
        if not text.startswith(XSSI_PREFIX):
            raise _Transient(f"Gerrit reply to {path} lacks the )]}}' prefix{_guess(text)}")
        try:
            data = _json_after(text, len(XSSI_PREFIX))
        except ValueError:
            raise _Transient(f"Gerrit reply to {path} was not valid JSON (truncated?)") from None
        if sanitise.may_hold_unstorable(text):  # else cleaning would copy the reply for nothing
            data = sanitise.clean(data)
        if expect is not None and not isinstance(data, expect):
            raise _Transient(
                f"Gerrit reply to {path} is a JSON {_json_name(type(data))}, "
                f"expected a JSON {_json_name(expect)}"
            )
        return data

    def _check_changes(self, page: list) -> None:
        for change in page:
            if not isinstance(change, dict) or not isinstance(change.get("_number"), int):
                raise GerritError(
                    f"Gerrit reply to {self._full_path('/changes/')} is not a list of changes"
                )

    # -- helpers --------------------------------------------------------------------------------

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_backoff)
        delay = self.backoff * 2**attempt
        delay += random.uniform(0, self.jitter * delay)
        return min(delay, self.max_backoff)

    @staticmethod
    def _retry_after(value: str | None) -> float | None:
        """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date)."""
        if not value:
            return None
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())

    def _reason(self, exc: Exception) -> str:
        match = _ERRNO_RE.search(str(exc))
        reason = match.group(0).strip() if match else type(exc).__name__
        return self._scrub(reason)

    def _excerpt(self, content: bytes) -> str:
        text = self._scrub(" ".join(content.decode("utf-8", errors="replace").split()))
        if len(text) > BODY_EXCERPT_CHARS:
            text = text[: BODY_EXCERPT_CHARS - 3] + "..."
        return text

    def _scrub(self, text: str) -> str:
        return text.replace(self._password, "***") if self._password else text


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GerritError("Gerrit URL must look like https://review.example.org (got a bad URL)")
    return url.rstrip("/")


_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")


def _json_after(text: str, start: int):
    """The one JSON value of ``text`` from ``start`` on, as json.loads(text[start:]) reads
    it, without copying the text (a page of changes is megabytes)."""
    value, end = _DECODER.raw_decode(text, _SPACE.match(text, start).end())
    if _SPACE.match(text, end).end() != len(text):
        raise ValueError("extra data after the JSON value")
    return value


def _guess(text: str) -> str:
    """A hint at what a reply without the prefix was."""
    start = text.lstrip()[:100].lower()
    if start.startswith("<"):
        return " (an HTML page: wrong URL, or a login page or proxy in the way?)"
    if not start:
        return " (empty body)"
    return ""


_JSON_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}


def _json_name(kind: type) -> str:
    return _JSON_NAMES.get(kind, "number")
