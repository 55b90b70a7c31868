"""What every failure looks like to a client: ``{"faultcode", "faultstring"}`` and a status.

One translation table for the whole API, used by the controllers' ``expose`` decorator and by
the JSON error hook. Server-side failures never show their exception text: a 500 says
"internal error" and is logged here with its traceback.
"""

import json
import logging
from dataclasses import dataclass

import webob
import webob.exc
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from wsme.exc import ClientSideError

from radar_core import errors

LOG = logging.getLogger(__name__)

INTERNAL_ERROR = "internal error"
DATABASE_UNAVAILABLE = "database unavailable"
DATABASE_ERRORS = (
    errors.DatabaseUnavailable,
    OperationalError,
    DisconnectionError,
    PoolTimeoutError,
)


class Refused(Exception):
    """A request the API declines with ``status`` (e.g. 503 while it is busy) and ``message``."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


MAX_FAULTSTRING = 300  # a message quoting a 100 kB parameter must not send it back


@dataclass(frozen=True)
class Fault:
    status: int
    faultstring: str

    def __post_init__(self):
        if len(self.faultstring) > MAX_FAULTSTRING:
            object.__setattr__(self, "faultstring", self.faultstring[: MAX_FAULTSTRING - 3] + "...")

    @property
    def faultcode(self) -> str:
        return "Client" if self.status < 500 else "Server"

    def body(self) -> dict:
        return {"faultcode": self.faultcode, "faultstring": self.faultstring}

    def write(self, response: webob.Response):
        """Make ``response`` this fault, keeping its other headers (CORS, Allow)."""
        response.status = self.status
        response.content_type = "application/json"
        response.charset = "utf-8"
        response.text = json.dumps(self.body())


def for_status(status: int, request: webob.Request, allow=()) -> Fault:
    """The fault of an error that carries nothing but its status (routing, method)."""
    if status == 404:
        return Fault(404, f"not found: {request.path}")
    if status == 405:
        allowed = f"; allowed: {', '.join(allow)}" if allow else ""
        return Fault(405, f"method {request.method} not allowed on {request.path}{allowed}")
    if status == 406:
        return Fault(406, "not acceptable: the API serves application/json (metrics: text/plain)")
    if status >= 500:
        return Fault(status, DATABASE_UNAVAILABLE if status == 503 else INTERNAL_ERROR)
    return Fault(status, webob.exc.status_map.get(status, webob.exc.HTTPError).title.lower())


def from_exception(exc: BaseException, request: webob.Request) -> Fault:
    """Translate any exception; logs the ones that are the server's fault."""
    if isinstance(exc, ClientSideError) and 400 <= exc.code < 500:
        return Fault(exc.code, exc.faultstring)
    if isinstance(exc, errors.NotFound):
        return Fault(404, str(exc))
    if isinstance(exc, errors.InvalidParameter):
        return Fault(400, str(exc))
    if isinstance(exc, errors.Unauthorized):
        return Fault(401, str(exc))
    if isinstance(exc, Refused):
        return Fault(exc.status, str(exc))
    if isinstance(exc, webob.exc.HTTPException) and exc.code < 500:
        return for_status(exc.code, request, allow=getattr(exc, "allow", None) or ())
    if isinstance(exc, DATABASE_ERRORS):
        LOG.warning("%s %s: database unavailable: %s", request.method, request.path, exc)
        return Fault(503, DATABASE_UNAVAILABLE)
    LOG.error("%s %s failed", request.method, request.path, exc_info=exc)
    return Fault(500, INTERNAL_ERROR)
