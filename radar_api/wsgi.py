"""``radar_api.wsgi:application`` for any WSGI server (gunicorn, uWSGI, mod_wsgi, waitress).

The configuration file is named by the RADAR_CONFIG_FILE environment variable; without it,
oslo.config looks in its default places (~/.radar/radar.conf, /etc/radar/radar.conf, ...).
"""

import os

from radar_api.app import app_from_conf
from radar_core import config


def _args():
    path = os.environ.get("RADAR_CONFIG_FILE")
    return ["--config-file", path] if path else []


application = app_from_conf(config.parse_args(_args()))
