"""HTTP method checks for the plain (non-REST) Pecan controllers."""

import pecan

READ_ONLY = "GET, HEAD"


def require_get():
    """Plain Pecan controllers take any method; the resources they serve are read-only."""
    if pecan.request.method not in ("GET", "HEAD"):
        pecan.abort(405, headers={"Allow": READ_ONLY})
