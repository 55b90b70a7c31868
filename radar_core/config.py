"""Radar's configuration options, one group per concern.

Options are registered on the global ``CONF`` here and nowhere else; ``list_opts`` feeds
``oslo-config-generator`` so ``etc/radar.conf.sample`` is generated, never written by hand.
"""

import configparser
from urllib.parse import urlsplit

import click
from oslo_config import cfg, types
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from radar_core.durations import parse_duration

CONF = cfg.CONF


class DurationType(types.ConfigType):
    """A duration written ``90s``, ``15m``, ``4h``, ``7d`` or ``2w``; read as a timedelta."""

    def __init__(self):
        super().__init__(type_name="duration value")

    def __call__(self, value):
        return value if not isinstance(value, str) else parse_duration(value)

    def __repr__(self):
        return "Duration"

    def _formatter(self, value):
        return str(value)


def _duration_opt(name, default, help):
    return cfg.Opt(name, type=DurationType(), default=default, help=help)

database_opts = [
    cfg.StrOpt(
        "connection",
        default="sqlite:///radar.sqlite",
        secret=True,
        help="SQLAlchemy URL of the database. The default is an SQLite file in the working "
        "directory, enough for a trial; production uses MySQL or MariaDB through PyMySQL (the "
        "only driver Radar supports there), for example "
        "mysql+pymysql://radar:secret@db.example.org/radar?charset=utf8mb4.",
    ),
    cfg.IntOpt(
        "pool_recycle",
        default=3600,
        min=1,
        help="Seconds after which a pooled connection is replaced, so that MySQL's wait_timeout "
        "never closes a connection Radar still holds.",
    ),
    cfg.FloatOpt(
        "connect_timeout",
        default=10.0,
        min=0.1,
        help="Seconds to wait for a connection to the database (and for a free pooled one) "
        "before the request fails: the API answers 503, the collector retries its poll.",
    ),
    cfg.FloatOpt(
        "read_timeout",
        default=15.0,
        min=0.1,
        help="Seconds the API waits for the database to answer one statement before it gives "
        "up and answers 503, so that a hung database cannot hold the API's threads. MySQL and "
        "MariaDB only; on SQLite it is how long a statement waits for a lock.",
    ),
    cfg.FloatOpt(
        "statement_timeout",
        default=10.0,
        min=0,
        help="Seconds MariaDB lets one statement of the API run before ending it "
        "(max_statement_time; 0 means no limit; MySQL and SQLite have no such setting). Keep "
        "it below read_timeout so the server stops the work the API no longer waits for.",
    ),
    cfg.FloatOpt(
        "retry_interval",
        default=5.0,
        min=0,
        help="Seconds during which the API, once a request found the database unavailable, "
        "answers 503 at once instead of letting every request wait for it again; then one "
        "request tries the database, and the first that reaches it ends this. The API is "
        "back at most this long after the database is (0: every request tries).",
    ),
]

gerrit_opts = [
    cfg.StrOpt(
        "url",
        help="Base URL of the Gerrit server, for example https://review.opendev.org. "
        "Required by the collector.",
    ),
    cfg.StrOpt(
        "username",
        help="Gerrit account used for authenticated REST calls. When username and password are "
        "both set, requests go to the /a/ endpoints with HTTP basic authentication.",
    ),
    cfg.StrOpt(
        "password",
        secret=True,
        help="HTTP password of the Gerrit account (from Gerrit's settings page, not the login "
        "password). Never logged.",
    ),
    cfg.ListOpt(
        "projects",
        default=[],
        help="Gerrit projects to collect, comma separated. Empty means every project the account "
        "can see.",
    ),
    cfg.IntOpt(
        "page_size",
        default=100,
        min=1,
        max=1000,
        help="Changes asked for per request (Gerrit's n parameter). Sites may cap it lower.",
    ),
    cfg.FloatOpt(
        "timeout",
        default=30.0,
        min=0.1,
        help="Seconds to wait for Gerrit to answer one request before retrying.",
    ),
    cfg.IntOpt(
        "retries",
        default=4,
        min=0,
        help="How many times a failed request (timeout, connection error, HTTP 5xx or 429, "
        "malformed reply) is retried, with exponential backoff, before the poll fails.",
    ),
    cfg.BoolOpt(
        "stream_events",
        default=False,
        help="Also follow Gerrit's event stream (ssh gerrit stream-events), so that verdicts "
        "are stored seconds after they are posted. The REST poll stays the source of truth and "
        "reconciles whatever the stream missed. Needs ssh_url, ssh_username and ssh_key_file.",
    ),
    cfg.StrOpt(
        "ssh_url",
        help="Gerrit's SSH address for the event stream, for example "
        "ssh://review.opendev.org:29418 (the port defaults to 29418).",
    ),
    cfg.StrOpt(
        "ssh_username",
        help="Gerrit account the event stream logs in as (it needs the Stream Events "
        "capability).",
    ),
    cfg.StrOpt(
        "ssh_key_file",
        help="Private key file (OpenSSH format) of ssh_username, for public-key "
        "authentication. Its content is never logged.",
    ),
    cfg.StrOpt(
        "ssh_known_hosts",
        help="known_hosts file that Gerrit's SSH host key is checked against. Empty: the "
        "host key is not checked (only on networks you trust).",
    ),
]

collector_opts = [
    cfg.IntOpt(
        "poll_interval",
        default=300,
        min=1,
        help="Seconds between two polls of Gerrit. The web client refreshes at the same pace.",
    ),
    cfg.ListOpt(
        "ci_accounts",
        default=[],
        help="CI systems to follow, as Gerrit usernames or numeric account ids, comma separated. "
        "When this and ci_group are both empty, CI accounts are detected from their messages "
        "(an account that posts build verdicts).",
    ),
    cfg.StrOpt(
        "ci_group",
        help="Name or id of a Gerrit group whose members are CI systems (for example "
        "'Third-Party CI'). Its members are read at every poll.",
    ),
    cfg.IntOpt(
        "backfill_days",
        default=14,
        min=1,
        help="How many days back the first poll of a query reaches.",
    ),
    cfg.IntOpt(
        "poll_overlap",
        default=600,
        min=0,
        help="Seconds subtracted from the watermark of the previous poll, so that changes "
        "updated while it ran are read again. Re-reading is harmless: messages are upserted.",
    ),
    cfg.FloatOpt(
        "database_timeout",
        default=900.0,
        min=1,
        help="The collector's read and statement timeout on the database, in seconds: longer "
        "than the API's [database] read_timeout, since storing a poll and running the health "
        "engine (a rebuild after a change of [health] options) take longer than one request.",
    ),
    cfg.IntOpt(
        "lock_timeout",
        default=120,
        min=3,
        help="Seconds a collector's lock on a query lasts. It is renewed every third of this "
        "while the poll runs, so a poll may take longer; a collector killed mid-poll (kill -9, "
        "a crash) holds it at most this long before another collector sharing the database "
        "takes the query over.",
    ),
    cfg.FloatOpt(
        "min_engine_interval",
        default=10.0,
        min=0,
        help="With [gerrit] stream_events on, the health engine runs after each batch of "
        "events, but at most once per this many seconds.",
    ),
]

health_opts = [
    cfg.StrOpt(
        "reference_account",
        help="Username or account id of the reference CI (for example the upstream Zuul). When "
        "set, every system's agreement and false failure rate are measured against it.",
    ),
    _duration_opt(
        "report_deadline",
        "4h",
        "Time a CI system has to report on a new patchset (s, m, h, d or w suffix). It "
        "decides which patchsets are eligible and the timeliness component.",
    ),
    _duration_opt(
        "watch_lookback",
        "30d",
        "A system watches the projects it reported on within this period up to its last "
        "report (so a system that stopped reporting keeps them, and its coverage falls).",
    ),
    _duration_opt(
        "silent_after",
        "24h",
        "A system with no report for this long, while patchsets it should have reported on "
        "were created after its last report, is silent.",
    ),
    _duration_opt(
        "unsupported_after",
        "14d",
        "A system with no successful report for this long is failing.",
    ),
    cfg.FloatOpt("weight_coverage", default=0.35, min=0, help="Weight of coverage in the score."),
    cfg.FloatOpt(
        "weight_timeliness", default=0.25, min=0, help="Weight of timeliness in the score."
    ),
    cfg.FloatOpt(
        "weight_success_rate", default=0.25, min=0, help="Weight of the success rate in the score."
    ),
    cfg.FloatOpt("weight_stability", default=0.15, min=0, help="Weight of stability in the score."),
    cfg.IntOpt(
        "score_failing_below",
        default=50,
        min=0,
        max=100,
        help="A score below this makes a system failing.",
    ),
    cfg.IntOpt(
        "score_degraded_below",
        default=80,
        min=0,
        max=100,
        help="A score below this (and not failing) makes a system degraded.",
    ),
    _duration_opt(
        "status_window",
        "7d",
        "The status of a system at a time t is the status of the window of this length "
        "ending at t: the hourly status history and its changes are made of these.",
    ),
    cfg.IntOpt(
        "history_days",
        default=90,
        min=1,
        max=3660,
        help="Days of hourly status history the health engine evaluates, and how far back a "
        "status since looks.",
    ),
]

api_opts = [
    cfg.HostAddressOpt("host", default="127.0.0.1", help="Address the API server listens on."),
    cfg.PortOpt("port", default=8080, help="Port the API server listens on."),
    cfg.IntOpt(
        "threads",
        default=8,
        min=1,
        help="Worker threads of the API server: requests answered at once. Connections that "
        "are still sending their request, or idle between requests, hold no thread.",
    ),
    cfg.IntOpt(
        "connection_limit",
        default=500,
        min=1,
        help="Client connections radar-api keeps open at once; past it, new connections wait "
        "to be accepted. Keep it below the process's open file limit.",
    ),
    cfg.IntOpt(
        "channel_timeout",
        default=30,
        min=1,
        help="Seconds after which radar-api closes a connection that sent nothing (a client "
        "that is slow or hangs half-way through its request, or an idle keep-alive).",
    ),
    cfg.IntOpt(
        "max_request_body_size",
        default=65536,
        min=0,
        help="Largest request body radar-api reads, in bytes; larger requests are answered "
        "413. The API is read-only: requests carry no body.",
    ),
    cfg.BoolOpt(
        "access_log",
        default=True,
        help="Log one line per request (client, method, path, status, bytes, milliseconds) on "
        "the radar_api.access logger at INFO.",
    ),
    cfg.IntOpt(
        "max_limit",
        default=1000,
        min=1,
        help="Largest page a list request may ask for; larger limits are refused.",
    ),
    cfg.IntOpt(
        "default_limit", default=100, min=1, help="Page size of list requests that give none."
    ),
    cfg.ListOpt(
        "cors_origins",
        default=[],
        help="Origins allowed to call the API from a browser (CORS), comma separated, for "
        "example https://radar.example.org. Empty allows none but the API's own.",
    ),
    cfg.IntOpt(
        "stream_seconds",
        default=60,
        min=5,
        max=3600,
        help="How long one /v1/stream response lasts before the client reconnects (with "
        "Last-Event-ID, losing nothing): each open stream holds one of the server's threads.",
    ),
    cfg.IntOpt(
        "max_streams",
        default=4,
        min=0,
        help="Streams (/v1/stream) open at once; more are answered 503, and dashboards then "
        "poll. Keep it below [api] threads.",
    ),
    cfg.StrOpt(
        "static_root",
        help="Directory of the web client's files served at /. Defaults to the web client "
        "built into Radar's package; radar-api warns at start when there is none.",
    ),
]

alerts_opts = [
    cfg.ListOpt(
        "statuses",
        default=["failing", "silent"],
        help="Statuses that open an alert when a system enters one of them; it resolves when "
        "the system becomes healthy or degraded, or is silenced.",
    ),
    cfg.MultiStrOpt(
        "channels",
        default=[],
        secret=True,
        help="One notification channel per line: a name, then an Apprise URL (json://, "
        "slack://, mmost://, msteams://, matrix://, mailto://, pagerduty://, ...) or "
        "alertmanager://host:port (alertmanagers:// for HTTPS), then optional filters "
        "systems=A,B projects=P,Q statuses=failing (usernames, project names, statuses). "
        "Example: ops json://hooks.example.org/radar statuses=failing. The URLs may hold "
        "secrets: Radar logs and shows the channel's name only.",
    ),
    cfg.StrOpt(
        "dashboard_url",
        help="Public URL of Radar's dashboard, for example https://radar.example.org; "
        "notifications link to the system's page there.",
    ),
    cfg.FloatOpt(
        "timeout",
        default=10.0,
        min=0.1,
        help="Seconds a channel has to accept one notification before the attempt counts as "
        "failed. Deliveries run beside the polls, never inside them.",
    ),
    cfg.IntOpt(
        "retries",
        default=8,
        min=0,
        help="How many times a failed delivery is tried again before it is given up "
        "(and logged as failed).",
    ),
    cfg.FloatOpt(
        "backoff",
        default=30.0,
        min=0,
        help="Seconds before the first retry of a failed delivery; each retry waits twice as "
        "long as the one before, up to an hour.",
    ),
]

GROUPS = {
    "database": database_opts,
    "gerrit": gerrit_opts,
    "collector": collector_opts,
    "health": health_opts,
    "api": api_opts,
    "alerts": alerts_opts,
}

for _group, _opts in GROUPS.items():
    CONF.register_opts(_opts, group=_group)


def list_opts():
    """Entry point of ``oslo-config-generator``: every option, per group."""
    return [(group, list(opts)) for group, opts in GROUPS.items()]


def health_config(conf=CONF):
    """The [health] options as the statistics take them."""
    from radar_core.stats import HealthConfig

    health = conf.health
    return HealthConfig(
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
    )


def database_options(conf=CONF, collector: bool = False) -> dict:
    """The keyword arguments of radar_core.db.make_engine: the API's timeouts, or the
    collector's longer ones."""
    database = conf.database
    options = {
        "pool_recycle": database.pool_recycle,
        "connect_timeout": database.connect_timeout,
        "read_timeout": database.read_timeout,
        "statement_timeout": database.statement_timeout or None,
    }
    if collector:
        long = conf.collector.database_timeout
        options.update(read_timeout=long, statement_timeout=long)
    return options


def engine_settings(conf=CONF):
    """What the health engine builds its tables and history with."""
    from radar_core.engine.settings import EngineSettings

    return EngineSettings(
        health=health_config(conf),
        reference_account=conf.health.reference_account,
        status_window=conf.health.status_window,
        history_days=conf.health.history_days,
    )


def alert_settings(conf=CONF):
    """The [alerts] options as the alerts module takes them (channels parsed)."""
    from radar_core.alerts.channels import AlertSettings, parse_channels

    alerts = conf.alerts
    return AlertSettings(
        statuses=tuple(alerts.statuses),
        channels=tuple(parse_channels(alerts.channels)),
        dashboard_url=alerts.dashboard_url,
        timeout=alerts.timeout,
        retries=alerts.retries,
        backoff=alerts.backoff,
    )


class ConfigError(Exception):
    """A configuration that cannot be used; the message is one line naming what is wrong."""


def parse_args(args, conf=CONF):
    """Parse oslo.config arguments (``--config-file F`` ...) without touching sys.argv."""
    conf(args=list(args), project="radar")
    return conf


def parse_files(paths, conf=CONF):
    """Parse the configuration files ``paths`` (later files win)."""
    return parse_args([arg for path in paths for arg in ("--config-file", path)], conf)


def load(paths, conf=CONF):
    """Parse ``paths`` and check the value of every option, as each command does at start.

    oslo.config converts values only when they are read, so a bad value would otherwise
    surface (as a traceback) wherever it is first used. Raises ConfigError.
    """
    try:
        parse_files(paths, conf)
    except cfg.ConfigFilesNotFoundError as exc:
        raise ConfigError(f"configuration file not found: {', '.join(exc.config_files)}") from None
    except cfg.Error as exc:
        raise ConfigError(f"bad configuration: {_first_line(exc)}") from None
    for group, opts in GROUPS.items():
        for opt in opts:
            try:
                getattr(conf[group], opt.dest)
            except (cfg.Error, ValueError) as exc:
                raise ConfigError(_bad_value(paths, group, opt, exc)) from None
    _check_gerrit_url(paths, conf)
    _check_database_url(paths, conf)
    _check_alerts(conf)
    return conf


def _check_alerts(conf) -> None:
    from radar_core.alerts.channels import ChannelError, parse_channels
    from radar_core.catalogue import STATUS_NAMES

    unknown = [s for s in conf.alerts.statuses if s not in STATUS_NAMES]
    if unknown:
        raise ConfigError(f"[alerts] statuses: unknown status {unknown[0]!r} (one of "
                          + ", ".join(STATUS_NAMES) + ")")
    try:
        parse_channels(conf.alerts.channels)
    except ChannelError as exc:
        raise ConfigError(f"[alerts] channels: {exc}") from None


def _check_gerrit_url(paths, conf) -> None:
    """Credentials in [gerrit] url would be logged and served in every link: refused."""
    url = conf.gerrit.url
    if not url:
        return
    try:
        parts = urlsplit(url)
        has_credentials = parts.username is not None or parts.password is not None
    except ValueError:
        has_credentials = "@" in url
    if has_credentials:
        found = _raw_value(paths, "gerrit", "url")
        where = found[0] if found else "configuration"
        raise ConfigError(
            f"{where}: [gerrit] url must not hold credentials (user:password@host); "
            "set [gerrit] username and password instead"
        )


# (backend, driver) pairs Radar is built and tested on; SQLAlchemy's default MySQL driver
# (mysqlclient, for a plain mysql://) is neither installed nor given the options Radar sets.
DATABASES = {("sqlite", "pysqlite"), ("mysql", "pymysql"), ("mariadb", "pymysql")}
DATABASE_EXAMPLES = "sqlite:///PATH or mysql+pymysql://USER:PASSWORD@HOST/NAME"


def _check_database_url(paths, conf) -> None:
    """A URL Radar cannot use would fail at the first connection, with a traceback: refused here
    in one line, which never shows the URL (it holds the password)."""
    found = _raw_value(paths, "database", "connection")
    where = found[0] if found else "configuration"
    try:
        url = make_url(conf.database.connection)
        kind = (url.get_backend_name(), url.get_driver_name())
    except NoSuchModuleError:  # a URL, of a database SQLAlchemy does not know
        kind = (url.get_backend_name(), url.drivername.partition("+")[2] or "its default driver")
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise ConfigError(f"{where}: [database] connection is not a database URL: expected "
                          f"{DATABASE_EXAMPLES}") from None
    if kind not in DATABASES:
        raise ConfigError(f"{where}: [database] connection uses {kind[0]} with {kind[1]}, which "
                          f"Radar does not support: expected {DATABASE_EXAMPLES}")


def _bad_value(paths, group: str, opt, exc: Exception) -> str:
    """'FILE: [group] name = 'raw' is not valid: expected ...' in one line."""
    found = _raw_value(paths, group, opt.name)
    where, raw = found if found else ("configuration", None)
    if opt.secret and raw is not None:
        raw = "****"  # secrets never reach a terminal or a log
    setting = f"[{group}] {opt.name}" + (f" = {raw!r}" if raw is not None else "")
    return f"{where}: {setting} is not valid: expected {_expected(opt, exc)}"


def _raw_value(paths, group: str, name: str) -> tuple[str, str] | None:
    """The file that sets ``[group] name`` last among ``paths``, and the text it gives."""
    found = None
    for path in paths:
        parser = configparser.RawConfigParser(strict=False)
        try:
            parser.read(path, encoding="utf-8")
        except (configparser.Error, OSError, UnicodeDecodeError):
            continue
        if parser.has_option(group, name):
            found = (path, parser.get(group, name))
    return found


def _expected(opt, exc: Exception) -> str:
    kind = opt.type
    if isinstance(kind, DurationType):
        return "a duration: a whole number followed by s, m, h, d or w, e.g. 4h or 7d"
    if isinstance(kind, types.Boolean):
        return "true or false"
    if isinstance(kind, types.Integer | types.Float):
        text = "a whole number" if isinstance(kind, types.Integer) else "a number"
        low, high = getattr(kind, "min", None), getattr(kind, "max", None)
        if low is not None and high is not None:
            return f"{text} from {low} to {high}"
        if low is not None:
            return f"{text} of at least {low}"
        return text
    return _first_line(exc).rsplit(" is not valid: ", 1)[-1]


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _collect_files(ctx: click.Context, _param, values) -> tuple[str, ...]:
    """``--config-file`` may stand before and after a subcommand: all of them, in order."""
    collected = ctx.find_root().meta.setdefault("radar.config_files", [])
    collected.extend(values)
    return tuple(collected)


def config_file_option(command):
    """The ``--config-file`` option of every server command and subcommand.

    Its value (``config_files``) is every file given so far, before and after the subcommand.
    """
    return click.option(
        "--config-file",
        "config_files",
        multiple=True,
        type=click.Path(dir_okay=False),
        callback=_collect_files,
        help="Radar configuration file (may be given several times; later files win).",
    )(command)


def exit_on_error(prog: str, error: ConfigError):
    """Print ``prog: message`` on stderr and exit 2, as for a usage error."""
    click.echo(f"{prog}: {error}", err=True)
    raise SystemExit(2)
