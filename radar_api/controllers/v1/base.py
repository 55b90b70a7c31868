"""The base of every v1 REST controller."""

import pecan
from pecan import rest


class Resource(rest.RestController):
    """A read-only RestController with Pecan's routing gaps closed.

    - ``GET /v1/projects/x`` is a 404, not Pecan's 405: the path does not exist, whereas 405
      would tell the client to try another method;
    - HEAD is answered like GET;
    - path segments never reach private attributes (``/v1/systems/__class__/x`` made Pecan
      route into a Python object and fail with a 500).
    """

    def _lookup_child(self, remainder):
        if remainder.startswith("_"):
            return None
        return super()._lookup_child(remainder)

    def _handle_get(self, method, remainder, request=None):
        parts = [part for part in remainder if part]
        handler = {0: "get_all", 1: "get_one"}.get(len(parts), "_lookup")
        if not hasattr(self, handler):
            pecan.abort(404)
        return super()._handle_get(method, remainder, request)

    def _handle_head(self, method, remainder, request=None):
        return self._handle_get(method, remainder, request)
