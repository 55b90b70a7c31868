"""``/v1/systems/{id}/failures`` and ``/missed``: why a system fails, and what it missed."""

from datetime import datetime

import pecan
from wsme import types as wtypes

from radar_api.controllers.v1 import types, utils
from radar_api.controllers.v1.base import Resource
from radar_api.expose import expose

SAMPLE_TIME = datetime(2026, 11, 23, 9, 51)


class ResultCount(types.Base):
    """Reports of one result word."""

    result = wtypes.text
    result_class = wtypes.text
    reports = int
    last_at = types.utc_datetime

    @classmethod
    def sample(cls):
        return cls(result="FAILURE", result_class="failure", reports=7, last_at=SAMPLE_TIME)


class JobResultCount(types.Base):
    """A job's failed runs of one result word."""

    result = wtypes.text
    runs = int

    @classmethod
    def sample(cls):
        return cls(result="NODE_FAILURE", runs=2)


class FailingJob(types.Base):
    """A job's failed runs (class failure or error) in the window."""

    name = wtypes.text
    failures = int
    results = [JobResultCount]
    last_failure_at = types.utc_datetime
    voting = bool
    per_day = [int]
    """Failures per day of ``days`` for the most failing jobs, else null."""

    @classmethod
    def sample(cls):
        return cls(name="tempest-full", failures=5, results=[JobResultCount.sample()],
                   last_failure_at=SAMPLE_TIME, voting=True, per_day=[0, 1, 0, 2, 0, 1, 1])


class FailureReason(types.Base):
    """A reason jobs gave: the text after the result word (``ERROR Node lost in 2m``)."""

    result = wtypes.text
    detail = wtypes.text
    runs = int
    jobs = [wtypes.text]
    last_at = types.utc_datetime

    @classmethod
    def sample(cls):
        return cls(result="ERROR", detail="Node lost", runs=3, jobs=["tempest-full"],
                   last_at=SAMPLE_TIME)


class Failures(types.Base):
    """Why a system fails in the window."""

    window = types.Window
    system = types.SystemRef
    days = [types.utc_datetime]
    """Start of each day of ``per_day``, oldest first."""

    by_result = [ResultCount]
    by_job = [FailingJob]
    reasons = [FailureReason]

    @classmethod
    def sample(cls):
        return cls(window=types.Window.sample(), system=types.SystemRef.sample(),
                   days=[SAMPLE_TIME], by_result=[ResultCount.sample()],
                   by_job=[FailingJob.sample()], reasons=[FailureReason.sample()])


class MissedPatchset(types.Base):
    """An eligible patchset the system did not report on."""

    id = int
    project = wtypes.text
    change = int
    patchset = int
    created = types.utc_datetime
    subject = wtypes.text
    gerrit_url = wtypes.text

    @classmethod
    def sample(cls):
        return cls(id=5012, project="openstack/nova", change=912345, patchset=3,
                   created=SAMPLE_TIME, subject="Fix the thing",
                   gerrit_url="https://review.example.org/c/openstack/nova/+/912345/3")


class MissedCollection(types.Base):
    """A page of missed patchsets, newest first."""

    window = types.Window
    system = types.SystemRef
    patchsets = [MissedPatchset]
    next = wtypes.text

    @classmethod
    def sample(cls):
        return cls(window=types.Window.sample(), system=types.SystemRef.sample(),
                   patchsets=[MissedPatchset.sample()], next=None)


class FailuresController(Resource):
    """The failures of one system, created per request by SystemsController._lookup."""

    def __init__(self, system_key):
        self.system_key = system_key

    @expose(Failures, *[wtypes.text] * 4)
    def get_all(self, window=None, since=None, until=None, project=None):
        """Reports per result word, failed runs per job, and the reasons jobs gave.

        Example: ``curl 'http://radar.example.org/v1/systems/101/failures?window=30d'``
        """
        radar = pecan.request.radar
        span = utils.validate_window(window, since, until)
        project = utils.validate_project(radar, project)
        data = radar.failures(self.system_key, span, project=project)
        return Failures.from_dict({**data, "window": types.window_of(span)})


class MissedController(Resource):
    """The missed patchsets of one system, created per request by SystemsController._lookup."""

    def __init__(self, system_key):
        self.system_key = system_key

    @expose(MissedCollection, *[wtypes.text] * 6)
    def get_all(self, window=None, since=None, until=None, project=None, limit=None,
                marker=None):
        """Eligible patchsets of the window without a report of the system, newest first.

        Example: ``curl 'http://radar.example.org/v1/systems/101/missed?limit=20'``
        """
        settings = pecan.request.api
        radar = pecan.request.radar
        span = utils.validate_window(window, since, until)
        project = utils.validate_project(radar, project)
        limit = utils.validate_limit(limit, settings.default_limit, settings.max_limit)
        marker = utils.validate_marker(marker)
        data = radar.missed(self.system_key, span, project=project, limit=limit, marker=marker)
        return MissedCollection.from_dict({
            "window": types.window_of(span),
            "system": data["system"],
            "patchsets": data["patchsets"],
            "next": utils.next_url(data["next_marker"]),
        })
