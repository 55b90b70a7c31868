"""Version 1 of the REST API (docs/api.md)."""

import pecan

from radar_api import openapi
from radar_api.controllers.methods import require_get
from radar_api.controllers.v1 import stream as event_stream
from radar_api.controllers.v1.changes import ChangesController
from radar_api.controllers.v1.events import EventsController
from radar_api.controllers.v1.figures import FiguresController
from radar_api.controllers.v1.projects import ProjectsController
from radar_api.controllers.v1.silences import SilencesController
from radar_api.controllers.v1.status import StatusController
from radar_api.controllers.v1.systems import SystemsController
from radar_api.controllers.v1.trends import TrendsController


class V1Controller:
    systems = SystemsController()
    changes = ChangesController()
    projects = ProjectsController()
    status = StatusController()
    events = EventsController()
    figures = FiguresController()
    silences = SilencesController()
    trends = TrendsController()

    # EventSource asks for text/event-stream; curl and scripts ask for anything.
    @pecan.expose(content_type="text/event-stream")
    @pecan.expose()
    def stream(self):
        """Server-Sent Events: status changes, new data after polls, alert deliveries.

        Example: ``curl -N http://radar.example.org/v1/stream``
        """
        return event_stream.respond(pecan.request)

    @pecan.expose("json", content_type="application/json", route="openapi.json")
    def openapi(self):
        """The OpenAPI 3.0 document of this API."""
        require_get()
        return openapi.document(pecan.request.api.max_limit)
