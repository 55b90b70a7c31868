"""``expose``: wsexpose for JSON only, with failures translated by radar_api.faults."""

import functools
import inspect

import pecan
import pecan.util
import wsme.api
from wsme import types as wtypes
from wsmeext.pecan import wsexpose

from radar_api import faults


class FaultBody(wtypes.Base):
    """An error: who is at fault (Client or Server) and what is wrong."""

    faultcode = wtypes.text
    """Client for a 4xx, Server for a 5xx."""

    faultstring = wtypes.text
    """What is wrong, in one sentence; never a traceback."""

    @classmethod
    def sample(cls):
        return cls(faultcode="Client", faultstring="window: 'banana' is not a duration")


def expose(*args, **kwargs):
    """Expose a controller method with WSME, answering JSON and nothing else.

    WSME would otherwise answer AngularJS's ``Accept: application/json, text/plain, */*`` with
    XML. Exceptions become a fault response here, so WSME never formats them itself (it would
    put the exception text of a 500 in the body).
    """
    kwargs.setdefault("rest_content_types", ("json",))

    def decorate(function):
        @functools.wraps(function)
        def translated(*f_args, **f_kwargs):
            try:
                return function(*f_args, **f_kwargs)
            except Exception as exc:
                fault = faults.from_exception(exc, pecan.request)
                body = FaultBody(faultcode=fault.faultcode, faultstring=fault.faultstring)
                return wsme.api.Response(body, status_code=fault.status, return_type=FaultBody)

        # translated takes (*args, **kwargs): show WSME and Pecan the real parameters.
        translated._wsme_original_func = function
        exposed = wsexpose(*args, **kwargs)(translated)
        pecan.util._cfg(exposed)["argspec"] = inspect.getfullargspec(function)
        return exposed

    return decorate
