"""The WSGI application: Pecan with the root controller and the hooks."""

import gc
import pathlib
from dataclasses import dataclass, field

import pecan

from radar_api import hooks, middleware, static
from radar_api.controllers.root import RootController
from radar_api.controllers.v1.stream import StreamLimiter


@dataclass(frozen=True)
class ApiSettings:
    """What controllers need besides the data layer (on ``pecan.request.api``)."""

    poll_interval: int = 300
    default_limit: int = 100
    max_limit: int = 1000
    gerrit_url: str | None = None
    stream_seconds: float = 60.0
    streams: StreamLimiter = field(default_factory=lambda: StreamLimiter(4))


def make_app(
    radar,
    *,
    poll_interval=300,
    default_limit=100,
    max_limit=1000,
    cors_origins=(),
    static_root=None,
    gerrit_url=None,
    stream_seconds=60.0,
    max_streams=4,
    access_log=False,
):
    """The WSGI app serving ``radar`` (a radar_core.service.Radar) at /v1 and /metrics.

    ``static_root`` is the web client's directory (default: the one built into the package);
    a warning is logged when it holds no dashboard. ``access_log`` logs one line per request
    (radar-api turns it on with [api] access_log).
    """
    settings = ApiSettings(
        poll_interval=poll_interval,
        default_limit=min(default_limit, max_limit),
        max_limit=max_limit,
        gerrit_url=gerrit_url,
        stream_seconds=stream_seconds,
        streams=StreamLimiter(max_streams),
    )
    files = pathlib.Path(static_root) if static_root else static.DEFAULT_ROOT
    static.check_root(files)
    root = RootController(files)
    app = pecan.make_app(
        root,
        hooks=[
            hooks.ConfigHook(settings),
            hooks.RadarHook(radar),
            hooks.JSONErrorHook(),
            hooks.CORSHook(cors_origins),
        ],
        # '/v1/openapi.json' is a route and '/app.js' a file: no content type from extensions.
        guess_content_type_from_ext=False,
        force_canonical=False,
        debug=False,
    )
    app = middleware.SecurityHeaders(middleware.RejectUndecodableUrls(app))
    return middleware.AccessLog(app) if access_log else app


def settings_from_conf(conf):
    """radar_core.service.Settings from the [health], [gerrit] and [database] options."""
    from radar_core.config import engine_settings
    from radar_core.service import Settings

    return Settings(engine=engine_settings(conf), gerrit_url=conf.gerrit.url,
                    retry_interval=conf.database.retry_interval)


def app_from_conf(conf):
    """The app of a parsed radar_core.config CONF: database, health and [api] options."""
    from radar_core.config import database_options
    from radar_core.db import get_engine
    from radar_core.service import Radar

    engine = get_engine(conf.database.connection, **database_options(conf))
    radar = Radar(engine, settings_from_conf(conf))
    return make_app(
        radar,
        poll_interval=conf.collector.poll_interval,
        default_limit=conf.api.default_limit,
        max_limit=conf.api.max_limit,
        cors_origins=conf.api.cors_origins,
        static_root=conf.api.static_root,
        gerrit_url=conf.gerrit.url,
        stream_seconds=conf.api.stream_seconds,
        max_streams=conf.api.max_streams,
        access_log=conf.api.access_log,
    )


def freeze_loaded_objects() -> None:
    """For a server process, once its app is built: what it has loaded so far (modules, the app,
    its types) lives as long as the process, so keep it out of the garbage collector's full
    collections, which went through all of it (80 ms, at every hundred requests or so, on the
    benchmark's machine) instead of the few objects requests leave behind (13 ms)."""
    gc.freeze()
