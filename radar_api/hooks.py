"""Pecan hooks, each doing one thing."""

import json

import webob
import webob.exc
from pecan import hooks

from radar_api import faults


class ConfigHook(hooks.PecanHook):
    """Attach the API settings (limits, poll interval) to the request."""

    def __init__(self, settings):
        super().__init__()
        self.settings = settings

    def before(self, state):
        state.request.api = self.settings


class RadarHook(hooks.PecanHook):
    """Attach the data layer to the request; the data layer itself never sees Pecan."""

    def __init__(self, radar):
        super().__init__()
        self.radar = radar

    def before(self, state):
        state.request.radar = self.radar


class PreflightAnswered(Exception):
    """Raised by CORSHook to end a CORS preflight request before routing."""


class CORSHook(hooks.PecanHook):
    """Let the configured origins call the API from a browser; answer their preflights.

    Put it after JSONErrorHook: Pecan runs on_error hooks in reverse order, and the preflight
    must be answered before JSONErrorHook makes it an error.
    """

    ALLOWED_METHODS = "GET, HEAD, OPTIONS"
    MAX_AGE = "3600"

    def __init__(self, origins):
        super().__init__()
        self.origins = frozenset(origin.rstrip("/") for origin in origins)

    def _allowed_origin(self, request) -> str | None:
        origin = request.headers.get("Origin")
        if origin and ("*" in self.origins or origin in self.origins):
            return origin
        return None

    @staticmethod
    def _is_preflight(request) -> bool:
        return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers

    def on_route(self, state):
        # No controller answers OPTIONS: an allowed preflight ends here, before routing, and
        # on_error answers it (Pecan offers hooks no other way to end a request early).
        if self._is_preflight(state.request) and self._allowed_origin(state.request):
            raise PreflightAnswered()

    def on_error(self, state, exc):
        if isinstance(exc, PreflightAnswered):
            return webob.Response(status=204)  # the headers come in 'after'
        return None

    def after(self, state):
        if not self.origins:
            return
        headers = state.response.headers
        headers.add("Vary", "Origin")  # a cache must not hand one origin's answer to another
        origin = self._allowed_origin(state.request)
        if origin is None:
            return
        headers["Access-Control-Allow-Origin"] = origin
        if self._is_preflight(state.request):
            requested = state.request.headers.get("Access-Control-Request-Headers")
            headers["Access-Control-Allow-Methods"] = self.ALLOWED_METHODS
            headers["Access-Control-Allow-Headers"] = requested or "Accept, Content-Type"
            headers["Access-Control-Max-Age"] = self.MAX_AGE


class JSONErrorHook(hooks.PecanHook):
    """Make every error a JSON fault: ``{"faultcode", "faultstring"}`` and nothing more.

    ``on_error`` answers exceptions raised outside the WSME controllers (routing, hooks, plain
    Pecan controllers); ``after`` rewrites every other error body (WSME's argument errors carry
    a ``debuginfo`` key, webob's are HTML) and guarantees a 500 never shows exception text.
    """

    def on_error(self, state, exc):
        response = webob.Response()
        if isinstance(exc, webob.exc.HTTPMethodNotAllowed) and exc.allow:
            response.allow = exc.allow
        faults.from_exception(exc, state.request).write(response)
        return response

    def after(self, state):
        response = state.response
        if response.status_int < 400:
            return
        faultstring = self._faultstring(response)
        status = response.status_int
        # A 500 never tells why; a 503 says what is unavailable (set by faults.py only).
        if faultstring is None or (status >= 500 and status != 503):
            fault = faults.for_status(status, state.request, allow=response.allow or ())
        else:
            fault = faults.Fault(status, faultstring)
        fault.write(response)
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="radar"'

    @staticmethod
    def _faultstring(response) -> str | None:
        if response.content_type != "application/json":
            return None
        try:
            body = json.loads(response.text)
        except ValueError:
            return None
        faultstring = body.get("faultstring") if isinstance(body, dict) else None
        return faultstring if isinstance(faultstring, str) else None
