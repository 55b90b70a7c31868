"""The root of the URL space: ``/v1``, ``/metrics`` and the web client's files."""

import pecan
import webob
from pecan.routing import lookup_controller
from prometheus_client import CONTENT_TYPE_LATEST

from radar_api import metrics, static
from radar_api.controllers.methods import require_get
from radar_api.controllers.v1 import V1Controller, utils

METRICS_WINDOW = "7d"  # the health the metrics give is over the last 7 days


class RootController:
    v1 = V1Controller()

    def __init__(self, static_root):
        self.static_root = static_root

    @pecan.expose()
    def _route(self, args, request):
        """Route on the first path segment: /v1, /metrics, or a file of the web client.

        Pecan's default would turn any segment into an attribute lookup (``/_route``,
        ``/__init__``); here a path that is not the API is only ever a file name.
        """
        first, rest = (args[0], list(args[1:])) if args else ("", [])
        if first == "v1":
            return lookup_controller(self.v1, rest, request)
        if first == "metrics":
            return self.metrics, rest
        return self.files, list(args)

    @pecan.expose(content_type="text/plain")
    def metrics(self):
        """Prometheus text format: the systems' health over 7 days and the collector's."""
        require_get()
        radar = pecan.request.radar
        systems = radar.systems(utils.validate_window(METRICS_WINDOW))
        body = metrics.render(systems, radar.collector_state(), radar.metrics())
        return webob.Response(body=body, content_type=CONTENT_TYPE_LATEST, charset=None)

    @pecan.expose()
    def files(self, *parts):
        """The web client: ``/`` is its index.html."""
        require_get()
        return static.serve(self.static_root, parts or ["index.html"], pecan.request)
