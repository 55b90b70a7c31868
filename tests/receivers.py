"""Real notification receivers on 127.0.0.1 for the alert tests: an HTTP server (Apprise's JSON
and Mattermost's Slack-style webhooks, and anything posting JSON), an SMTP server (aiosmtpd),
and Debian's Alertmanager started as a process."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from email import message_from_bytes
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HttpReceiver:
    """Records every POST (path, JSON body); answers 500 to the first ``fail_first`` ones."""

    def __init__(self, fail_first: int = 0):
        self.received: list[tuple[str, dict]] = []
        self.answers: list[int] = []
        self.fail_first = fail_first
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    code = 500 if len(receiver.answers) < receiver.fail_first else 200
                    receiver.answers.append(code)
                    if code == 200:
                        receiver.received.append((self.path, json.loads(body or b"{}")))
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.server.shutdown()
        self.server.server_close()

    def bodies(self, path_start: str = "/") -> list[dict]:
        with self.lock:
            return [body for path, body in self.received if path.startswith(path_start)]


class SmtpReceiver:
    """aiosmtpd on a free port; ``messages`` are the parsed emails."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        receiver = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope):
                receiver.messages.append(message_from_bytes(envelope.content,
                                                            policy=email_policy))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *_exc):
        self.controller.stop()

    def subjects(self) -> list[str]:
        return [str(message["Subject"]) for message in self.messages]


ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
ALERTMANAGER_CONFIG = """\
route:
  receiver: nowhere
receivers:
  - name: nowhere
"""


class Alertmanager:
    """Debian's prometheus-alertmanager on a free port, with its storage in ``path``."""

    def __init__(self, path):
        if not ALERTMANAGER:
            if os.environ.get("CI") == "true":
                pytest.fail("prometheus-alertmanager is required in CI (.ci/run installs it)")
            pytest.skip("prometheus-alertmanager is not installed (apt-get install "
                        "prometheus-alertmanager)")
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (path / "alertmanager.yml").write_text(ALERTMANAGER_CONFIG)
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [ALERTMANAGER, f"--config.file={self.path / 'alertmanager.yml'}",
             f"--storage.path={self.path / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address="],
            stdout=subprocess.DEVNULL, stderr=open(self.path / "alertmanager.log", "wb"),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/-/ready", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.__exit__()
        pytest.fail("Alertmanager did not start: " + (self.path / "alertmanager.log").read_text())

    def __exit__(self, *_exc):
        self.process.terminate()
        self.process.wait(10)

    def alerts(self, active: bool = True) -> list[dict]:
        return requests.get(f"{self.url}/api/v2/alerts", timeout=5,
                            params={"active": str(active).lower(), "silenced": "true",
                                    "inhibited": "true", "unprocessed": "true"}).json()
