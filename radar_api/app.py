"""The WSGI application: Pecan with the root controller and the hooks."""

import pathlib
from dataclasses import dataclass
from datetime import timedelta

import pecan

from radar_api import hooks, static
from radar_api.controllers.root import RootController


@dataclass(frozen=True)
class ApiSettings:
    """What controllers need besides the data layer (on ``pecan.request.api``)."""

    poll_interval: int = 300
    default_limit: int = 100
    max_limit: int = 1000
    gerrit_url: str | None = None


def make_app(
    radar,
    *,
    poll_interval=300,
    default_limit=100,
    max_limit=1000,
    cors_origins=(),
    static_root=None,
    gerrit_url=None,
):
    """The WSGI app serving ``radar`` (a radar_core.service.Radar) at /v1 and /metrics.

    ``static_root`` is the web client's directory (default: the one built into the package);
    a warning is logged when it holds no dashboard.
    """
    settings = ApiSettings(
        poll_interval=poll_interval,
        default_limit=min(default_limit, max_limit),
        max_limit=max_limit,
        gerrit_url=gerrit_url,
    )
    files = pathlib.Path(static_root) if static_root else static.DEFAULT_ROOT
    static.check_root(files)
    root = RootController(files)
    return pecan.make_app(
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


def settings_from_conf(conf):
    """radar_core.service.Settings from the [health] and [gerrit] options."""
    from radar_core import stats
    from radar_core.service import Settings

    health = conf.health
    return Settings(
        health=stats.HealthConfig(
            report_deadline=health.report_deadline,
            watch_lookback=health.watch_lookback,
            silent_after=health.silent_after,
            unsupported_after=health.unsupported_after,
            weight_coverage=health.weight_coverage,
            weight_timeliness=health.weight_timeliness,
            weight_success_rate=health.weight_success_rate,
            weight_stability=health.weight_stability,
            score_failing_below=health.score_failing_below,
            score_degraded_below=health.score_degraded_below,
        ),
        reference_account=health.reference_account,
        gerrit_url=conf.gerrit.url,
    )


def app_from_conf(conf):
    """The app of a parsed radar_core.config CONF: database, health and [api] options."""
    from radar_core.cache import CachedRadar
    from radar_core.db import get_engine
    from radar_core.service import Radar

    engine = get_engine(conf.database.connection, conf.database.pool_recycle)
    radar = CachedRadar(
        Radar(engine, settings_from_conf(conf)),
        warm_every=conf.api.warm_interval or None,
        max_age=timedelta(seconds=conf.api.max_answer_age),
    )
    return make_app(
        radar,
        poll_interval=conf.collector.poll_interval,
        default_limit=conf.api.default_limit,
        max_limit=conf.api.max_limit,
        cors_origins=conf.api.cors_origins,
        static_root=conf.api.static_root,
        gerrit_url=conf.gerrit.url,
    )
