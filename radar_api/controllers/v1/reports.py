"""``/v1/systems/{id or username}/reports``: one system's reports, newest first, paged."""

from datetime import datetime

import pecan
from wsme import types as wtypes

from radar_api.controllers.v1 import types, utils
from radar_api.controllers.v1.base import Resource
from radar_api.expose import expose


class Report(types.Base):
    """One verdict a CI system posted on a patchset, with its jobs."""

    id = int
    date = types.utc_datetime
    result = wtypes.text
    """Overall result: SUCCESS, FAILURE, ERROR, ... or UNKNOWN when unparseable."""

    result_class = wtypes.text
    vote = int
    """The Verified vote of the message (-2 to +2), null without one."""

    pipeline = wtypes.text
    project = wtypes.text
    change = int
    patchset = int
    gerrit_url = wtypes.text
    """Link to the patchset in Gerrit; null when no Gerrit URL is configured."""

    jobs = [types.JobRun]
    """The jobs, at most 1,000 (the parser's MAX_JOBS)."""

    jobs_dropped = int
    """Job lines of the message past the first 1,000: counted in the result, not listed."""

    sanitised = bool
    """True when the message held text no database can store (a lone surrogate, bytes that
    are not UTF-8, NUL), stored with U+FFFD in its place."""

    @classmethod
    def sample(cls):
        return cls(
            id=5001,
            date=datetime(2026, 11, 23, 9, 51),
            result="SUCCESS",
            result_class="success",
            vote=1,
            pipeline="check",
            project="openstack/nova",
            change=912345,
            patchset=3,
            gerrit_url="https://review.example.org/c/openstack/nova/+/912345/3",
            jobs=[types.JobRun.sample()],
            jobs_dropped=0,
            sanitised=False,
        )


class ReportCollection(types.Base):
    """A page of a system's reports, newest first, with the URL of the next page."""

    window = types.Window
    system = types.SystemRef
    reports = [Report]
    next = wtypes.text
    """Relative URL of the next page, or null on the last page."""

    @classmethod
    def sample(cls):
        return cls(
            window=types.Window.sample(),
            system=types.SystemRef.sample(),
            reports=[Report.sample()],
            next=None,
        )


class ReportsController(Resource):
    """The reports of one system, created per request by SystemsController._lookup."""

    def __init__(self, system_key):
        self.system_key = system_key

    @expose(ReportCollection, *[wtypes.text] * 10)
    def get_all(self, window=None, since=None, until=None, project=None, limit=None, marker=None,
                result=None, job=None, pipeline=None, change=None):
        """The system's reports dated in the window, newest first, optionally only those of
        one result word, with one job, of one pipeline or on one change.

        Example: ``curl 'http://radar.example.org/v1/systems/101/reports?result=NODE_FAILURE'``
        """
        settings = pecan.request.api
        span = utils.validate_window(window, since, until)
        limit = utils.validate_limit(limit, settings.default_limit, settings.max_limit)
        marker = utils.validate_marker(marker)
        filters = utils.validate_report_filter(result, job, pipeline, change)
        radar = pecan.request.radar
        project = utils.validate_project(radar, project)
        data = radar.reports(self.system_key, span, project=project, limit=limit, marker=marker,
                             filters=filters)
        return ReportCollection.from_dict(
            {
                "window": types.window_of(span),
                "system": data["system"],
                "reports": data["reports"],
                "next": utils.next_url(data.get("next_marker")),
            }
        )
