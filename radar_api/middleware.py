"""WSGI middleware around the Pecan app: security headers and the access log.

They wrap the whole app, so every response has them: API answers, errors, the web client's
files and the event stream alike.
"""

import json
import logging
import time
from urllib.parse import unquote_to_bytes

from radar_api import faults

ACCESS_LOG = logging.getLogger("radar_api.access")

# The web client is one script and one stylesheet of our own (radar_api/webclient): nothing
# inline, nothing from elsewhere. AngularJS runs in its CSP mode (ng-csp in index.html) and
# adds its own small <style> element, hence 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
]


class SecurityHeaders:
    """Add SECURITY_HEADERS to every response (replacing any the app set)."""

    def __init__(self, app):
        self.app = app
        self._names = {name.lower() for name, _ in SECURITY_HEADERS}

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            kept = [(k, v) for k, v in headers if k.lower() not in self._names]
            return start_response(status, kept + SECURITY_HEADERS, exc_info)

        return self.app(environ, start)


class RejectUndecodableUrls:
    """A URL that is not UTF-8 (``/v1/systems/%FF``) is a 400 JSON fault here, before Pecan,
    which would answer 400 too but log a traceback for every such request."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        try:
            environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
            unquote_to_bytes(environ.get("QUERY_STRING", "")).decode("utf-8")
        except UnicodeError:
            body = json.dumps(faults.Fault(400, "bad request: the URL is not UTF-8").body())
            data = body.encode()
            headers = [
                ("Content-Type", "application/json; charset=utf-8"),
                ("Content-Length", str(len(data))),
            ]
            start_response("400 Bad Request", headers)
            return [data]
        return self.app(environ, start_response)


class AccessLog:
    """One line per request: client, method, path, status, bytes, milliseconds.

    Logged when the response has been sent (a stream's line comes when it closes). The query
    string is left out: it is the client's, and may be long; the path is cut at 200 characters.
    """

    def __init__(self, app, logger=ACCESS_LOG):
        self.app = app
        self.log = logger

    def __call__(self, environ, start_response):
        started = time.monotonic()
        status_line = ["-"]

        def start(status, headers, exc_info=None):
            status_line[0] = status.split(" ", 1)[0]
            return start_response(status, headers, exc_info)

        sent = 0
        body = self.app(environ, start)
        try:
            for chunk in body:
                sent += len(chunk)
                yield chunk
        finally:
            if hasattr(body, "close"):
                body.close()  # what WSGI promises the app (a stream frees its slot there)
            path = environ.get("PATH_INFO", "")
            path = path.encode("latin-1", "replace").decode("utf-8", "replace")
            self.log.info(
                "%s %s %s %s %d %.0fms",
                environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD", "-"),
                ascii(path[:200])[1:-1],
                status_line[0],
                sent,
                (time.monotonic() - started) * 1000,
            )
