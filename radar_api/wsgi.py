"""``radar_api.wsgi:application`` for any WSGI server (gunicorn, uWSGI, mod_wsgi, waitress).

The configuration file is named by the RADAR_CONFIG_FILE environment variable; without it,
oslo.config looks in its default places (~/.radar/radar.conf, /etc/radar/radar.conf, ...).
"""

import os

from radar_api.app import app_from_conf, freeze_loaded_objects
from radar_core import config


def _conf():
    path = os.environ.get("RADAR_CONFIG_FILE")
    try:
        return config.load([path] if path else [])
    except config.ConfigError as exc:  # one line in the WSGI server's log, not a traceback
        raise SystemExit(f"radar_api.wsgi: {exc}") from None


application = app_from_conf(_conf())
freeze_loaded_objects()
