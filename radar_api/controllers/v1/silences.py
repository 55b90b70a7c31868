"""``/v1/silences``: maintenance windows. Listing is a read; creating and ending need a token."""

from datetime import datetime, timedelta

import pecan
from wsme import types as wtypes

from radar_api.controllers.v1 import types, utils
from radar_api.controllers.v1.base import Resource
from radar_api.expose import expose
from radar_core.durations import parse_duration


class Silence(types.Base):
    """A silence: while active, no alert of the system (every system when null) opens."""

    id = int
    system_id = int
    """Gerrit account id of the system silenced; null for every system."""

    username = wtypes.text
    starts_at = types.utc_datetime
    ends_at = types.utc_datetime
    comment = wtypes.text
    author = wtypes.text
    """The name of the token that created it."""

    created_at = types.utc_datetime
    active = bool

    @classmethod
    def sample(cls):
        return cls(id=3, system_id=101, username="acme-ci", starts_at=datetime(2026, 11, 23, 9),
                   ends_at=datetime(2026, 11, 23, 12), comment="storage upgrade",
                   author="ops", created_at=datetime(2026, 11, 23, 8, 55), active=True)


class NewSilence(wtypes.Base):
    """What ``POST /v1/silences`` takes."""

    system = wtypes.text
    """Gerrit account id or username; omit it to silence every system."""

    starts_at = wtypes.text
    """ISO 8601 UTC; default now."""

    ends_at = wtypes.text
    """ISO 8601 UTC, in the future. Give it or ``duration``."""

    duration = wtypes.text
    """Instead of ends_at: a length from the start (30m, 2h, 1d)."""

    comment = wtypes.text
    """Why (required)."""

    @classmethod
    def sample(cls):
        return cls(system="acme-ci", duration="2h", comment="storage upgrade")


class SilenceCollection(types.Base):
    """Silences, latest first."""

    silences = [Silence]

    @classmethod
    def sample(cls):
        return cls(silences=[Silence.sample()])


def _given(value):
    return None if value is wtypes.Unset or value is None else value


class SilencesController(Resource):
    @expose(SilenceCollection, wtypes.text)
    def get_all(self, ended=None):
        """Silences that have not ended (``?ended=true``: all of them), latest first.

        Example: ``curl http://radar.example.org/v1/silences``
        """
        if ended not in (None, "true", "false"):
            raise utils.invalid("ended: give true or false")
        return SilenceCollection.from_dict(
            pecan.request.radar.silences(include_ended=ended == "true"))

    @expose(Silence, body=NewSilence, status_code=201)
    def post(self, silence):
        """Create a silence (needs ``Authorization: Bearer <token>``).

        Example: ``curl -X POST -H 'Authorization: Bearer TOKEN' -H 'Content-Type:
        application/json' -d '{"system": "acme-ci", "duration": "2h", "comment": "upgrade"}'
        http://radar.example.org/v1/silences``
        """
        radar = pecan.request.radar
        author = radar.authenticate(pecan.request.headers.get("Authorization"))
        starts = _given(silence.starts_at)
        starts_at = utils.parse_time("starts_at", starts) if starts else utils.utcnow()
        ends, duration = _given(silence.ends_at), _given(silence.duration)
        if bool(ends) == bool(duration):
            raise utils.invalid("give ends_at or duration (one of them)")
        if ends:
            ends_at = utils.parse_time("ends_at", ends)
        else:
            try:
                length = parse_duration(duration)
            except ValueError as exc:
                raise utils.invalid(f"duration: {exc}") from None
            if length <= timedelta(0):
                raise utils.invalid("duration: must be longer than 0")
            ends_at = starts_at + length
        created = radar.create_silence(_given(silence.system), starts_at, ends_at,
                                       _given(silence.comment) or "", author)
        pecan.response.headers["Location"] = f"/v1/silences/{created['id']}"
        return Silence.from_dict(created)

    @expose(Silence, wtypes.text)
    def delete(self, silence_id):
        """End a silence now (needs a token); it stays listed with ``?ended=true``.

        Example: ``curl -X DELETE -H 'Authorization: Bearer TOKEN'
        http://radar.example.org/v1/silences/3``
        """
        radar = pecan.request.radar
        radar.authenticate(pecan.request.headers.get("Authorization"))
        return Silence.from_dict(radar.end_silence(utils.validate_marker(silence_id)))
