"""``/v1/systems/{id or username}/jobs``: per-job figures of one system."""

from datetime import datetime

import pecan
from wsme import types as wtypes

from radar_api.controllers.v1 import types, utils
from radar_api.controllers.v1.base import Resource
from radar_api.expose import expose


class Job(types.Base):
    """One job of a system: its runs in the window, by result class."""

    name = wtypes.text
    runs = int
    success = int
    failure = int
    error = int
    skipped = int
    success_rate = float
    """success / (success + failure + error); null without such runs."""

    duration_p50_s = float
    last_success_at = types.utc_datetime
    voting = bool
    """False when the job's latest run was non-voting."""

    @classmethod
    def sample(cls):
        return cls(
            name="tempest-full-py3",
            runs=40,
            success=36,
            failure=3,
            error=1,
            skipped=0,
            success_rate=0.9,
            duration_p50_s=3723.0,
            last_success_at=datetime(2026, 11, 23, 9, 51),
            voting=True,
        )


class JobCollection(types.Base):
    """Every job a system ran in the window, the most run first."""

    window = types.Window
    system = types.SystemRef
    jobs = [Job]

    @classmethod
    def sample(cls):
        return cls(
            window=types.Window.sample(), system=types.SystemRef.sample(), jobs=[Job.sample()]
        )


class JobsController(Resource):
    """The jobs of one system, created per request by SystemsController._lookup."""

    def __init__(self, system_key):
        self.system_key = system_key

    @expose(JobCollection, *[wtypes.text] * 4)
    def get_all(self, window=None, since=None, until=None, project=None):
        """Per-job runs and results of the system's reports dated in the window.

        Example: ``curl http://radar.example.org/v1/systems/acme-ci/jobs?window=24h``
        """
        radar = pecan.request.radar
        span = utils.validate_window(window, since, until)
        project = utils.validate_project(radar, project)
        data = radar.jobs(self.system_key, span, project=project)
        return JobCollection.from_dict({**data, "window": types.window_of(span)})
