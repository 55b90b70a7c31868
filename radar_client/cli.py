"""``radar``: the command line client of the Radar API.

Every command takes ``--api-url`` (default ``$RADAR_API_URL``, then http://127.0.0.1:8080),
``--format table|json|csv``, ``--color auto|always|never``, ``--timeout`` and the window options
``--window``/``--since``/``--until``/``--project``, either before the command (``radar --window
30d systems``) or after it (``radar systems --window 30d``); after the command wins.

Errors (API unreachable, unknown system, bad option values) are one line on stderr and a non-zero
exit: 1 for an API or network error, 2 for a bad option. ``radar check`` follows the Nagios plugin
conventions instead (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, also for bad options).
"""

from __future__ import annotations

import errno
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, NoReturn

import click

from radar_client import formatting, nagios, views
from radar_client.client import DEFAULT_TIMEOUT, ApiError, Client, Document
from radar_client.formatting import can_encode
from radar_client.views import Look

WINDOW_RE = re.compile(r"^[1-9][0-9]*[hdw]$")
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
AnyFunction = Callable[..., Any]
EXIT_API_ERROR = 1
EXIT_USAGE = 2


# ---------------------------------------------------------------------------------------------
# Settings shared by the group and every command


class TerminalClient(Client):
    """The CLI's client: every string of every answer is made printable before any view (table,
    JSON, CSV, check) sees it, so Gerrit text never drives the terminal."""

    def get(self, path: str, params: dict[str, Any] | None = None) -> Document:
        return formatting.printable_document(super().get(path, params))


@dataclass(frozen=True)
class Settings:
    """Option values after merging the group's with the command's (the command's win)."""

    api_url: str | None = None
    timeout: float | None = None
    fmt: str | None = None
    color: str | None = None
    window: str | None = None
    since: str | None = None
    until: str | None = None
    project: str | None = None

    def merged(self, other: Settings) -> Settings:
        values = {f.name: getattr(other, f.name) for f in fields(self)}
        return replace(self, **{k: v for k, v in values.items() if v is not None})

    @property
    def output(self) -> str:
        return self.fmt or "table"

    def client(self) -> Client:
        return TerminalClient(self.api_url, timeout=self.timeout or DEFAULT_TIMEOUT)

    def window_args(self) -> dict[str, str | None]:
        return {
            "window": self.window,
            "since": self.since,
            "until": self.until,
            "project": self.project,
        }

    def look(self) -> Look:
        stream = sys.stdout  # CliRunner swaps it; click.get_text_stream is deprecated
        unicode = can_encode("▁█", getattr(stream, "encoding", None) or "utf-8")
        return Look(color=self.use_color(stream), unicode=unicode)

    def use_color(self, stream: Any) -> bool:
        """``always``/``never``, or ``auto``: only on a terminal and when NO_COLOR is not set."""
        if self.color == "always":
            return True
        if self.color == "never" or os.environ.get("NO_COLOR"):
            return False
        isatty = getattr(stream, "isatty", None)
        return bool(isatty and isatty())


def _check_window(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    if not WINDOW_RE.match(value):
        raise click.BadParameter(
            f"{value!r} is not a window; use a number and h, d or w, e.g. 24h, 7d, 4w", ctx, param
        )
    return value


def _check_time(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 date or date-time, e.g. 2026-11-16 or "
            "2026-11-16T10:00:00Z",
            ctx,
            param,
        ) from None
    return value.strip()


def _common_options(windowed: bool = True) -> Callable[[AnyFunction], AnyFunction]:
    """The options every command (and the group) accepts."""
    note = "" if windowed else " Not used by this command (it is not windowed)."
    options = [
        click.option(
            "--api-url",
            metavar="URL",
            help="Radar API base URL [default: $RADAR_API_URL, else http://127.0.0.1:8080].",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(views.FORMATS, case_sensitive=False),
            help="Output format [default: table]. json is the API's own document.",
        ),
        click.option(
            "--color",
            type=click.Choice(["auto", "always", "never"], case_sensitive=False),
            help="Colour the table output [default: auto: on a terminal, unless NO_COLOR is set].",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0, min_open=True),
            metavar="SECONDS",
            help=f"Give up on the API after this long [default: {DEFAULT_TIMEOUT:g}].",
        ),
        click.option(
            "--window",
            callback=_check_window,
            metavar="N[h|d|w]",
            help="Window ending now, e.g. 24h, 7d, 30d [default: 7d]." + note,
        ),
        click.option(
            "--since",
            callback=_check_time,
            metavar="TIME",
            help="Window start, ISO 8601 UTC date or date-time (instead of --window)." + note,
        ),
        click.option(
            "--until",
            callback=_check_time,
            metavar="TIME",
            help="Window end, ISO 8601 UTC [default: now]." + note,
        ),
        click.option(
            "--project",
            metavar="NAME",
            help="Only this Gerrit project (see 'radar projects')." + note,
        ),
    ]

    def decorate(function: AnyFunction) -> AnyFunction:
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


def _settings(ctx: click.Context, options: dict[str, Any]) -> Settings:
    """The group's settings overridden by this command's options, validated together."""
    own = Settings(**{f.name: options.pop(f.name) for f in fields(Settings)})
    base = ctx.obj if isinstance(ctx.obj, Settings) else Settings()
    settings = base.merged(own)
    if settings.window and settings.since:
        raise click.UsageError("use --window or --since/--until, not both", ctx)
    if settings.since and settings.until and _after(settings.since, settings.until):
        raise click.UsageError("--since must be before --until", ctx)
    return settings


def _after(since: str, until: str) -> bool:
    start, end = datetime.fromisoformat(since), datetime.fromisoformat(until)
    start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
    return start >= end


def emit(settings: Settings, text: str, look: Look | None = None) -> None:
    look = look or settings.look()
    click.echo(text, color=look.color if settings.output == "table" else False)


# ---------------------------------------------------------------------------------------------
# The group, with one-line errors


class RadarGroup(click.Group):
    """A click group whose errors are one line on stderr, never a traceback."""

    def main(  # type: ignore[override,unused-ignore]  # always standalone: it never returns
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> NoReturn:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            fail(_usage_message(exc), exc.exit_code)
        except click.Abort:
            fail("interrupted", 130)
        except ApiError as exc:
            fail(str(exc), EXIT_USAGE if exc.status == 400 else EXIT_API_ERROR)
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                fail(f"{exc}", EXIT_API_ERROR)
            _silence_stdout()
            sys.exit(EXIT_API_ERROR)
        except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
            if os.environ.get("RADAR_DEBUG"):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (RADAR_DEBUG=1 shows more)", 1)
        sys.exit(code if isinstance(code, int) else 0)


def _usage_message(exc: click.ClickException) -> str:
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message


def fail(message: str, code: int) -> NoReturn:
    """One line on stderr and exit."""
    click.echo(f"radar: error: {' '.join(formatting.printable(str(message)).split())}", err=True)
    sys.exit(code)


def _silence_stdout() -> None:
    """After a closed pipe (``radar reports x | head``), keep Python quiet at exit."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


@click.group(name="radar", cls=RadarGroup, context_settings=CONTEXT)
@_common_options()
@click.version_option(package_name="radar", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, /, **options: Any) -> None:
    """Radar: the health of third-party CI systems on a Gerrit, from the command line.

    \b
    Examples:
      radar systems                         # the leaderboard, best first
      radar systems --status failing,silent --window 30d
      radar system acme-ci                  # the score broken down, and why
      radar check flaky-ci --warn 85        # for Nagios, Icinga, Sensu...
      RADAR_API_URL=http://radar:8080 radar status --format json
    """
    ctx.obj = _settings(ctx, options)


def command(
    name: str, windowed: bool = True, cls: type[click.Command] = click.Command
) -> Callable[[AnyFunction], click.Command]:
    """A subcommand with the common options; the callback receives ``settings`` first."""

    def decorate(function: AnyFunction) -> click.Command:
        @click.pass_context
        def callback(ctx: click.Context, /, **options: Any) -> Any:
            settings = _settings(ctx, options)
            return function(settings, **options)

        callback.__doc__ = function.__doc__
        callback.__name__ = function.__name__
        wrapped: Any = _common_options(windowed)(callback)
        own = getattr(function, "__click_params__", [])
        wrapped.__click_params__ = wrapped.__click_params__ + own  # own options listed first
        return cli.command(name, cls=cls, context_settings=CONTEXT)(wrapped)

    return decorate


# ---------------------------------------------------------------------------------------------
# Commands


def _statuses(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Statuses as the API takes them; which exist is the API's to say (GET /v1/figures)."""
    if not value:
        return None
    wanted = [part.strip().lower() for part in value.split(",") if part.strip()]
    if not wanted:
        raise click.BadParameter(f"{value!r} names no status", ctx, param)
    return ",".join(wanted)


@command("systems")
@click.option(
    "--status",
    callback=_statuses,
    metavar="STATUS[,STATUS]",
    help="Only systems with these statuses (healthy, degraded, failing, silent, unknown: "
    "the API's GET /v1/figures lists them).",
)
@click.option(
    "--sort",
    metavar="[-]FIELD",
    help="Order by a sort key of the API (severity, name, score, coverage, ...: GET "
    "/v1/figures lists them); '-' for descending [default: severity, the worst first].",
)
def systems(settings: Settings, status: str | None, sort: str | None) -> None:
    """The leaderboard, the worst first.

    Every CI system with its status, score, components, reports and latency.

    \b
    Examples:
      radar systems
      radar systems --status degraded,failing,silent --window 30d
      radar systems --project openstack/nova --format csv > nova.csv
    """
    doc = settings.client().systems(**settings.window_args(), status=status, sort=sort)
    look = settings.look()
    emit(settings, views.systems_view(doc, settings.output, look), look)


@command("system")
@click.argument("name")
def system(settings: Settings, name: str) -> None:
    """One system: score breakdown, stats, why.

    The score broken into its components, the stats, the contacts, and one line on why the
    system is not healthy when it is not. NAME is the system's username or id.

    \b
    Examples:
      radar system acme-ci
      radar system 101 --window 30d --format json
    """
    doc = settings.client().system(name, **settings.window_args())
    look = settings.look()
    emit(settings, views.system_view(doc, settings.output, look), look)


@command("jobs")
@click.argument("name")
def jobs(settings: Settings, name: str) -> None:
    """A system's jobs and their success rates.

    Per job: runs, results, success rate, median duration, last success, voting.

    \b
    Example:
      radar jobs acme-ci --window 24h
    """
    doc = settings.client().jobs(name, **settings.window_args())
    look = settings.look()
    emit(settings, views.jobs_view(doc, settings.output, look), look)


@command("reports")
@click.argument("name")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="At most this many reports (0: every report of the window).",
)
def reports(settings: Settings, name: str, limit: int) -> None:
    """A system's reports, newest first.

    Pages are followed as needed to show --limit reports.

    \b
    Examples:
      radar reports flaky-ci --limit 50
      radar reports flaky-ci --limit 0 --window 24h --format csv
    """
    doc = settings.client().reports(name, limit=limit or None, **settings.window_args())
    look = settings.look()
    emit(settings, views.reports_view(doc, settings.output, look), look)


@command("trend")
@click.argument("name")
@click.option(
    "--bucket",
    type=click.Choice(["day", "week"], case_sensitive=False),
    default="day",
    show_default=True,
    help="Size of each point.",
)
def trend(settings: Settings, name: str, bucket: str) -> None:
    """A system's score per day or week.

    Score and components per bucket, oldest first, with a sparkline per figure.

    \b
    Examples:
      radar trend acme-ci
      radar trend acme-ci --window 12w --bucket week
    """
    doc = settings.client().trend(name, bucket=bucket.lower(), **settings.window_args())
    look = settings.look()
    emit(settings, views.trend_view(doc, settings.output, look), look)


@command("compare")
@click.argument("names", nargs=-1, required=True, metavar="A B [C ...]")
def compare(settings: Settings, names: tuple[str, ...]) -> None:
    """Systems side by side, figure by figure.

    On a terminal the best value of each figure is in bold.

    \b
    Example:
      radar compare acme-ci flaky-ci turtle-ci --window 30d
    """
    if len(names) < 2:
        raise click.UsageError("compare needs at least two systems")
    client = settings.client()
    found = [client.system(name, **settings.window_args()) for name in names]
    doc = {"window": found[0].get("window"), "systems": found}
    look = settings.look()
    emit(settings, views.compare_view(doc, settings.output, look), look)


@command("change", windowed=False)
@click.argument("number", type=click.IntRange(min=1))
def change(settings: Settings, number: int) -> None:
    """The patchset by system grid of one change.

    Each cell is the system's latest result on the patchset; xN means N reports.

    \b
    Example:
      radar change 123456
    """
    doc = settings.client().change(number)
    look = settings.look()
    emit(settings, views.change_view(doc, settings.output, look), look)


@command("projects", windowed=False)
def projects(settings: Settings) -> None:
    """The Gerrit projects Radar knows.

    With their changes, patchsets and CI systems.

    \b
    Example:
      radar projects --format csv
    """
    doc = settings.client().projects()
    look = settings.look()
    emit(settings, views.projects_view(doc, settings.output, look), look)


@command("status", windowed=False)
def status(settings: Settings) -> None:
    """Collector health: polls, lag, errors.

    The last polls with their outcome, requests, errors and rate limiting; the lag since the
    last successful poll; totals. CSV output lists the polls.

    \b
    Example:
      radar status
    """
    doc = settings.client().status()
    look = settings.look()
    emit(settings, views.status_view(doc, settings.output, look), look)


@command("watch", windowed=False)
@click.option(
    "--after",
    type=click.IntRange(min=0),
    metavar="ID",
    help="Start after this event id (0: every stored event first) [default: from now on].",
)
@click.option(
    "--count",
    type=click.IntRange(min=1),
    metavar="N",
    help="Stop after N events [default: run until interrupted].",
)
def watch(settings: Settings, after: int | None, count: int | None) -> None:
    """Print the API's events as they happen (GET /v1/stream).

    Status changes, new data after each poll, alerts and deliveries: one line per event
    (--format json: one JSON object per line; csv: one record per line). The stream is
    reopened by itself when the server ends it or the API restarts, resuming after the last
    event printed, so none is missed or printed twice; reconnections are noted on stderr.

    \b
    Examples:
      radar watch
      radar watch --after 0 --count 20 --format json
    """
    client = settings.client()
    output = settings.output
    if output == "csv":
        click.echo(views.event_csv_header())
    printed = 0
    for event in client.stream(after, on_reconnect=_reconnecting):
        click.echo(views.event_line(event, output))
        printed += 1
        if count is not None and printed >= count:
            return


def _reconnecting(reason: str) -> None:
    click.echo(f"radar: reconnecting to the event stream ({reason})", err=True)


class NagiosCommand(click.Command):
    """Bad options are UNKNOWN (exit 3) with a status line, as the plugin guidelines ask."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            self._unknown(exc)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            self._unknown(exc)

    @staticmethod
    def _unknown(exc: click.UsageError) -> NoReturn:
        click.echo(nagios.unknown(f"bad option: {exc.format_message()}").line())
        raise click.exceptions.Exit(int(nagios.State.UNKNOWN)) from None


@command("check", cls=NagiosCommand)
@click.argument("names", nargs=-1, required=True, metavar="NAME [NAME ...]")
@click.option("-w", "--warn", default=nagios.DEFAULT_WARN, show_default=True, metavar="RANGE",
              help="WARNING when the score is outside this Nagios range (80: is below 80).")
@click.option("-c", "--crit", default=nagios.DEFAULT_CRIT, show_default=True, metavar="RANGE",
              help="CRITICAL when the score is outside this Nagios range.")
@click.option("-t", "deadline", type=click.FloatRange(min=0, min_open=True), default=30,
              show_default=True, metavar="SECONDS",
              help="Give up (UNKNOWN) when the whole check takes longer.")
def check(settings: Settings, names: tuple[str, ...], warn: str, crit: str,
          deadline: float) -> None:
    """A Nagios plugin: the health of one or more systems.

    One status line with performance data; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the
    worst of the systems). Thresholds are Nagios ranges: -w 80: warns below 80, -c 50: is
    critical below 50, -w 60:90 warns outside 60..90.

    Status failing or silent is CRITICAL whatever the score; degraded is WARNING; a score
    outside -w is WARNING, outside -c CRITICAL; status unknown, an unknown system or an
    unreachable API is UNKNOWN.

    \b
    Example:
      $ radar check acme-ci -w 80: -c 50:
      RADAR OK - acme-ci score 97 (healthy) | coverage=1.0;;;0;1 ... score=97;80:;50:;0;100
      $ radar check acme-ci flaky-ci -t 10
    """
    try:
        nagios.validate(warn, crit)
    except ValueError as exc:
        result = nagios.unknown(f"bad option: {exc}")
    else:
        started = time.monotonic()
        systems = []
        for name in names:
            left = deadline - (time.monotonic() - started)
            if left <= 0:
                systems.append((name, None, f"no answer within -t {deadline:g}s"))
                continue
            client = Client(settings.api_url,
                            timeout=min(settings.timeout or DEFAULT_TIMEOUT, left))
            try:
                systems.append((name, client.system(name, **settings.window_args()), None))
            except ApiError as exc:
                systems.append((name, None, str(exc)))
        if len(systems) == 1 and systems[0][2] is not None:
            result = nagios.unknown(systems[0][2])
        else:
            result = nagios.check(systems, warn, crit)
    emit(settings, views.check_view(result, settings.output))
    raise click.exceptions.Exit(int(result.state))


@cli.group("silence", context_settings=CONTEXT)
def silence() -> None:
    """Maintenance windows: while a system is silenced, no alert of it opens.

    Adding and ending need a token in $RADAR_API_TOKEN (radar-db-manage token create).

    \b
    Examples:
      radar silence add acme-ci --for 2h --comment "storage upgrade"
      radar silence add --all --until 2026-12-02T06:00Z --comment "Gerrit upgrade"
      radar silence list
      radar silence end 3
    """


WINDOW_OPTIONS = ("window", "since", "until", "project")


def _silence_command(name: str) -> Callable[[AnyFunction], click.Command]:
    def decorate(function: AnyFunction) -> click.Command:
        @click.pass_context
        def callback(ctx: click.Context, /, **options: Any) -> Any:
            for unused in WINDOW_OPTIONS:
                options.setdefault(unused, None)
            settings = _settings(ctx, options)
            return function(settings, **options)

        callback.__doc__ = function.__doc__
        callback.__name__ = function.__name__
        wrapped: Any = _common_options(False)(callback)
        own = getattr(function, "__click_params__", [])
        # Not windowed: --until is the silence's end here.
        common = [p for p in wrapped.__click_params__ if p.name not in WINDOW_OPTIONS]
        wrapped.__click_params__ = common + own
        return silence.command(name, context_settings=CONTEXT)(wrapped)

    return decorate


@_silence_command("add")
@click.argument("system", required=False)
@click.option("--all", "every", is_flag=True, help="Silence every system (no SYSTEM).")
@click.option("--until", "ends", callback=_check_time, metavar="TIME",
              help="End, ISO 8601 UTC.")
@click.option("--for", "duration", metavar="DURATION", help="Length instead: 30m, 2h, 1d.")
@click.option("--comment", required=True, help="Why (shown with the silence).")
def silence_add(settings: Settings, system: str | None, every: bool, ends: str | None,
                duration: str | None, comment: str) -> None:
    """Silence SYSTEM (or --all) until --until or for --for.

    \b
    Example:
      radar silence add acme-ci --for 2h --comment "storage upgrade"
    """
    if bool(system) == every:
        raise click.UsageError("give SYSTEM or --all")
    if bool(ends) == bool(duration):
        raise click.UsageError("give --until or --for")
    doc = settings.client().add_silence(system, comment=comment, until=ends, duration=duration)
    emit(settings, views.silences_view({"silences": [doc]}, settings.output, settings.look()))


@_silence_command("list")
@click.option("--ended", is_flag=True, help="Ended silences too.")
def silence_list(settings: Settings, ended: bool) -> None:
    """The silences that have not ended.

    \b
    Example:
      radar silence list --ended --format csv
    """
    doc = settings.client().silences(ended=ended)
    emit(settings, views.silences_view(doc, settings.output, settings.look()))


@_silence_command("end")
@click.argument("silence_id", type=click.IntRange(min=1), metavar="ID")
def silence_end(settings: Settings, silence_id: int) -> None:
    """End silence ID now.

    \b
    Example:
      radar silence end 3
    """
    doc = settings.client().end_silence(silence_id)
    emit(settings, views.silences_view({"silences": [doc]}, settings.output, settings.look()))


def main(argv: list[str] | None = None) -> NoReturn:
    """The ``radar`` console script."""
    cli.main(args=argv, prog_name="radar")


if __name__ == "__main__":
    main()
