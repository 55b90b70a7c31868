"""``/v1/systems``: every CI system with its health, and one system in detail.

Per-system resources live below it (``/v1/systems/{id or username}/jobs``, ``/reports``,
``/trend``, ``/history``) in their own modules.
"""

import pecan
import webob.exc
from wsme import types as wtypes

from radar_api.controllers.v1 import types, utils
from radar_api.controllers.v1.base import Resource
from radar_api.controllers.v1.failures import FailuresController, MissedController
from radar_api.controllers.v1.figures_types import Health, Stats
from radar_api.controllers.v1.history import HistoryController
from radar_api.controllers.v1.jobs import JobsController
from radar_api.controllers.v1.reports import ReportsController
from radar_api.controllers.v1.trend import TrendController
from radar_api.expose import expose
from radar_core import catalogue, documents


class System(types.Base):
    """A CI system (a Gerrit account) with its health and statistics."""

    id = int
    """Gerrit account id."""

    name = wtypes.text
    username = wtypes.text
    health = Health
    stats = Stats
    silenced = bool
    """A silence covers the system now: no alert opens for it."""

    alert_open = bool
    """An alert about the system is open now (docs/alerts.md)."""

    @classmethod
    def sample(cls):
        return cls(
            id=101,
            name="Acme Storage CI",
            username="acme-ci",
            health=Health.sample(),
            stats=Stats.sample(),
            silenced=False,
            alert_open=False,
        )


class Contacts(types.Base):
    """How to reach a system's operators (set by Radar's administrators; each may be null)."""

    name = wtypes.text
    email = wtypes.text
    info_url = wtypes.text
    recheck_keyword = wtypes.text
    """The word after 'recheck' that asks this system alone to test again."""

    @classmethod
    def sample(cls):
        return cls(
            name="Acme CI team",
            email="ci@example.org",
            info_url="https://wiki.example.org/AcmeCI",
            recheck_keyword="acme-ci",
        )


class ContactsPatch(wtypes.Base):
    """What ``PATCH /v1/systems/{id}`` takes: the contact fields to set (null clears one,
    an omitted one is kept)."""

    contacts = Contacts


class SystemDetail(System):
    """One system: the list item plus its contacts, why it is not healthy, and the window."""

    contacts = Contacts
    reasons = [wtypes.text]
    """Why the status is not healthy, e.g. 'coverage 45% is low'; empty when healthy."""

    window = types.Window

    @classmethod
    def sample(cls):
        sample = super().sample()
        sample.contacts = Contacts.sample()
        sample.reasons = []
        sample.window = types.Window.sample()
        return sample


class SystemCollection(types.Base):
    """A page of systems, sorted and filtered as asked, with the URL of the next page."""

    window = types.Window
    systems = [System]
    next = wtypes.text
    """Relative URL of the next page, or null on the last page."""

    @classmethod
    def sample(cls):
        return cls(window=types.Window.sample(), systems=[System.sample()], next=None)


def _sort_value(system: dict, key: str):
    if key == "name":
        return (system.get("name") or "").casefold() or None
    if key == "severity":
        return documents.severity_key(system)
    group = "health" if catalogue.FIGURES[key].group == "health" else "stats"
    return system[group].get(key)


def sort_systems(systems: list[dict], key: str, descending: bool) -> list[dict]:
    """Sort on ``key``, nulls always last, ties by id so pages are stable."""
    by_id = sorted(systems, key=lambda system: system["id"])
    present = [system for system in by_id if _sort_value(system, key) is not None]
    missing = [system for system in by_id if _sort_value(system, key) is None]
    present.sort(key=lambda system: _sort_value(system, key), reverse=descending)
    return present + missing


class SystemsController(Resource):
    """``/v1/systems`` and ``/v1/systems/{id or username}``."""

    _subresources = {
        "jobs": JobsController,
        "reports": ReportsController,
        "trend": TrendController,
        "history": HistoryController,
        "failures": FailuresController,
        "missed": MissedController,
    }

    @expose(SystemCollection, *[wtypes.text] * 8)
    def get_all(
        self,
        window=None,
        since=None,
        until=None,
        project=None,
        sort=None,
        status=None,
        limit=None,
        marker=None,
    ):
        """Every CI system with its health.

        Example: ``curl 'http://radar.example.org/v1/systems?window=7d&status=failing,silent'``

        :param window: window length ending now (24h, 7d, 30d); default 7d.
        :param since: start of the window (ISO 8601), instead of window.
        :param until: end of the window (ISO 8601); default now.
        :param project: only figures of this Gerrit project.
        :param sort: severity, name, score, coverage, ...; prefix - for descending; default
            severity (worst status first, then the lowest score).
        :param status: comma separated statuses to keep.
        :param limit: page size, at most [api] max_limit.
        :param marker: id of the last system of the previous page.
        """
        settings = pecan.request.api
        radar = pecan.request.radar
        span = utils.validate_window(window, since, until)
        sort_key, descending = utils.validate_sort(sort)
        statuses = utils.validate_statuses(status)
        limit = utils.validate_limit(limit, settings.default_limit, settings.max_limit)
        marker = utils.validate_marker(marker)
        project = utils.validate_project(radar, project)

        systems = radar.systems(span, project=project)
        if statuses:
            systems = [system for system in systems if system["health"]["status"] in statuses]
        page, more = utils.page_after(sort_systems(systems, sort_key, descending), marker, limit)
        return SystemCollection.from_dict(
            {
                "window": types.window_of(span),
                "systems": page,
                "next": utils.next_url(page[-1]["id"]) if more else None,
            }
        )

    @expose(SystemDetail, wtypes.text, *[wtypes.text] * 4)
    def get_one(self, key, window=None, since=None, until=None, project=None):
        """One CI system by Gerrit account id or username, with contacts and reasons.

        Example: ``curl http://radar.example.org/v1/systems/acme-ci?window=30d``
        """
        radar = pecan.request.radar
        key = utils.validate_key(key)
        span = utils.validate_window(window, since, until)
        project = utils.validate_project(radar, project)
        return SystemDetail.from_dict(
            {**radar.system(key, span, project=project), "window": types.window_of(span)}
        )

    @expose(SystemDetail, wtypes.text, body=ContactsPatch)
    def patch(self, key=None, change=None):
        """Set a system's operator contacts (needs ``Authorization: Bearer <token>``); answers
        the system as ``GET`` does.

        Example: ``curl -X PATCH -H 'Authorization: Bearer TOKEN' -H 'Content-Type:
        application/json' -d '{"contacts": {"email": "ci@example.org"}}'
        http://radar.example.org/v1/systems/acme-ci``
        """
        if key is None:  # PATCH /v1/systems: only one system is patched
            pecan.response.headers["Allow"] = "GET, HEAD"
            raise webob.exc.HTTPMethodNotAllowed(allow=("GET", "HEAD"))
        radar = pecan.request.radar
        radar.authenticate(pecan.request.headers.get("Authorization"))
        contacts = change.contacts if change is not None else None
        if contacts is wtypes.Unset or contacts is None:
            raise utils.invalid("contacts: give the contact fields to set")
        fields = {name: getattr(contacts, name) for name in
                  ("name", "email", "info_url", "recheck_keyword")
                  if getattr(contacts, name) is not wtypes.Unset}
        radar.update_contacts(key, fields)
        span = utils.validate_window(None, None, None)
        return SystemDetail.from_dict({**radar.system(key, span), "window": types.window_of(span)})

    @pecan.expose()
    def _lookup(self, key, *remainder):
        """Route ``/v1/systems/{key}/{jobs|reports|trend}`` to that resource of the system."""
        if not remainder:
            return None  # plain /v1/systems/{key}: get_one
        resource = self._subresources.get(remainder[0])
        if resource is None or any(remainder[1:]):
            pecan.abort(404)
        return resource(utils.validate_key(key)), []
