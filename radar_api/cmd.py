"""``radar-api``: serve the API and the web client with waitress."""

import logging

import click
import waitress

from radar_api.app import app_from_conf, freeze_loaded_objects
from radar_core import config

PROG = "radar-api"


def server_options(conf) -> dict:
    """waitress's options from [api]: limits that keep slow or many clients from holding it."""
    api = conf.api
    return {
        "threads": api.threads,
        "connection_limit": api.connection_limit,
        "channel_timeout": api.channel_timeout,
        "max_request_body_size": api.max_request_body_size,
        "asyncore_use_poll": True,  # select() stops at 1024 file descriptors
        "clear_untrusted_proxy_headers": True,
        # A closed connection is noticed while its request runs, so an event stream whose
        # browser tab has gone frees its thread at once.
        "channel_request_lookahead": 1,
        "ident": "radar",
    }


def quiet_waitress() -> None:
    """waitress warns 'Task queue depth is N' whenever a request waits for a thread, which
    under load is nearly every request; the access log shows the load instead."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@config.config_file_option
@click.option("--host", help="Address to listen on (default: [api] host).")
@click.option("--port", type=click.IntRange(0, 65535), help="Port (default: [api] port).")
def main(config_files, host, port):
    """Serve Radar's REST API, /metrics and the web client."""
    try:
        conf = config.load(config_files)
    except config.ConfigError as exc:
        config.exit_on_error(PROG, exc)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    host = host or conf.api.host
    port = conf.api.port if port is None else port
    quiet_waitress()
    app = app_from_conf(conf)
    freeze_loaded_objects()
    try:
        server = waitress.create_server(app, host=host, port=port, **server_options(conf))
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc} (is another server there?)"
        ) from None
    click.echo(f"Radar API listening on {_url(host, server.effective_port)}")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == "__main__":
    main()
