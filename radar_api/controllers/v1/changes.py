"""``/v1/changes/{number}``: every patchset of a change with every system's results."""

from datetime import datetime

import pecan
from wsme import types as wtypes

from radar_api.controllers.v1 import types, utils
from radar_api.controllers.v1.base import Resource
from radar_api.expose import expose


class SystemResult(types.Base):
    """One system's latest report on a patchset, and how many it posted there."""

    system_id = int
    result = wtypes.text
    result_class = wtypes.text
    date = types.utc_datetime
    report_id = int
    reports = int
    """Reports the system posted on the patchset (rechecks and duplicates included)."""

    jobs = [types.JobRun]

    @classmethod
    def sample(cls):
        return cls(
            system_id=101,
            result="SUCCESS",
            result_class="success",
            date=datetime(2026, 11, 23, 9, 51),
            report_id=5001,
            reports=1,
            jobs=[types.JobRun.sample()],
        )


class Patchset(types.Base):
    """One patchset of the change and the results every system reported on it."""

    number = int
    created = types.utc_datetime
    gerrit_url = wtypes.text
    results = [SystemResult]

    @classmethod
    def sample(cls):
        return cls(
            number=3,
            created=datetime(2026, 11, 23, 9, 20),
            gerrit_url="https://review.example.org/c/openstack/nova/+/912345/3",
            results=[SystemResult.sample()],
        )


class Change(types.Base):
    """A Gerrit change: the grid of patchsets (oldest first) by CI systems."""

    number = int
    project = wtypes.text
    branch = wtypes.text
    subject = wtypes.text
    status = wtypes.text
    """Gerrit's status of the change: NEW, MERGED or ABANDONED."""

    gerrit_url = wtypes.text
    systems = [types.SystemRef]
    """Every system that reported on the change (the grid's columns)."""

    patchsets = [Patchset]

    @classmethod
    def sample(cls):
        return cls(
            number=912345,
            project="openstack/nova",
            branch="master",
            subject="Fix the frobnicator",
            status="NEW",
            gerrit_url="https://review.example.org/c/openstack/nova/+/912345",
            systems=[types.SystemRef.sample()],
            patchsets=[Patchset.sample()],
        )


class ChangesController(Resource):
    """``/v1/changes/{number}``; there is no list of changes."""

    @expose(Change, wtypes.text)
    def get_one(self, number):
        """Every patchset of change ``number`` with every system's results.

        Example: ``curl http://radar.example.org/v1/changes/912345``
        """
        return Change.from_dict(pecan.request.radar.change(utils.validate_change_number(number)))
