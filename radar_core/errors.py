"""Exceptions of the database contract; the API maps them to HTTP statuses (404, 400, 503)."""


class NotFound(Exception):
    """Something asked for does not exist; the message says what, e.g. "no CI system 'foo'"."""


class InvalidParameter(ValueError):
    """A parameter is wrong; the message names it and says why."""


class DatabaseUnavailable(Exception):
    """The database cannot be reached."""


class Unauthorized(Exception):
    """A write without a valid token (missing, unknown or revoked); the API answers 401."""
