"""A whole Radar on one machine: simulated Gerrit, collector, database and API.

Used by ``radar-demo`` and by the end-to-end tests, so both run exactly the same stack.
"""

import logging
import socket
import threading
from datetime import timedelta

import waitress.server
from waitress import wasyncore

from radar_collector.gerrit import GerritClient
from radar_collector.poller import Poller, PollSettings
from radar_core import migration
from radar_core.db import make_engine
from radar_core.engine.settings import EngineSettings
from radar_demo.scenario import Scenario
from radar_demo.server import GerritSimulator

LOG = logging.getLogger(__name__)
CI_GROUP = "third-party-ci"
REFERENCE = "zuul"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class ApiServer:
    """radar-api's WSGI app under waitress in a background thread; stoppable and restartable."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, threads: int = 8, **options):
        """``options`` are more of waitress's (radar_api.cmd.server_options gives radar-api's)."""
        self.app, self.host, self.threads = app, host, threads
        # As radar-api: an event stream whose client has gone frees its thread at once.
        self.options = {"clear_untrusted_proxy_headers": True, "channel_request_lookahead": 1,
                        **options}
        self.port = port or free_port(host)
        self._server = None
        self._thread = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self):
        self._server = waitress.server.create_server(
            self.app,
            host=self.host,
            port=self.port,
            **{"threads": self.threads, **self.options},
        )
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, name="radar-api", daemon=True)
        self._thread.start()
        return self

    def _serve(self):
        try:
            self._server.run()
        except (OSError, ValueError):
            # stop() closes the sockets under the server's select(): expected then only.
            if not self._stopping:
                raise

    def stop(self):
        """Stop listening and drop open keep-alive connections, as a stopped process would."""
        if self._server is not None:
            self._stopping = True
            self._server.task_dispatcher.shutdown()
            wasyncore.close_all(self._server._map)
            self._thread.join(timeout=10)
            self._server = None


class Stack:
    """Simulator + migrated database + collector (+ API when ``serve_api``)."""

    def __init__(
        self,
        db_url: str,
        *,
        seed: int = 42,
        days: int = 12,
        page_size: int = 50,
        api_port: int = 0,
        poll_interval: int = 300,
        end=None,
    ):
        self.db_url = db_url
        self.scenario = Scenario.generate(seed=seed, days=days, end=end)
        self.simulator = GerritSimulator(self.scenario)
        self.engine = make_engine(db_url)
        self.page_size = page_size
        self.api_port = api_port
        self.poll_interval = poll_interval
        self.api = None
        self.poller = None

    def start(self, serve_api: bool = True):
        self.simulator.start()
        migration.upgrade(self.engine)
        client = GerritClient(self.simulator.url, timeout=10, retries=2, backoff=0.2)
        settings = PollSettings(
            projects=[],
            page_size=self.page_size,
            ci_group=CI_GROUP,
            reference_account=REFERENCE,
            backfill_days=self.scenario_days + 1,
        )
        self.poller = Poller(self.engine, client, settings, name="demo",
                             health=self.engine_settings)
        if serve_api:
            self.api = ApiServer(self.make_app(), port=self.api_port).start()
        return self

    @property
    def engine_settings(self) -> EngineSettings:
        return EngineSettings(reference_account=REFERENCE)

    @property
    def scenario_days(self) -> int:
        return max(1, (self.scenario.end - self.scenario.start).days + 1)

    def make_app(self, **options):
        """The API's app on this stack; ``options`` are more of radar_api.app.make_app's."""
        from radar_api.app import make_app
        from radar_core.service import Radar, Settings

        settings = Settings(engine=self.engine_settings, gerrit_url=self.simulator.url)
        return make_app(
            Radar(self.engine, settings),
            poll_interval=self.poll_interval,
            gerrit_url=self.simulator.url,
            **options,
        )

    def poll(self):
        return self.poller.poll_all()

    def advance(self, elapsed: timedelta):
        """Let simulated time catch up with real time, then poll the new activity."""
        self.scenario.advance(elapsed.total_seconds() / 3600)
        return self.poll()

    def stop(self):
        if self.api is not None:
            self.api.stop()
        self.simulator.stop()
        self.engine.dispose()
