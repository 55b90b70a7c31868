"""Gerrit's ``stream-events`` over SSH for a simulated Gerrit, with faults on request.

``StreamEventsServer(simulator)`` is an asyncssh server on 127.0.0.1 (a free port) with a host
key generated at start and public-key authentication: ``key_file`` is the generated client
key, ``known_hosts`` a file naming the host key. ``gerrit stream-events`` sends, one JSON object
per line, the scenario's events as they happen: ``comment-added`` for every message with an
author and ``patchset-created`` for every new patchset, as Gerrit's documentation shapes them.

Faults: ``disconnect()`` closes every stream; ``refuse(True)`` makes new streams end at once
(the stream is "cut" until ``refuse(False)``); ``stall(True)`` holds the events back (sent on
``stall(False)``); ``malformed()`` sends a line that is not JSON; ``ahead(number)`` hides a
change from the REST side (its events still flow) until ``reveal(number)``.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import asyncssh

COMMAND = "gerrit stream-events"


def _seconds(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def account_attribute(account) -> dict:
    return {"name": account.name, "email": account.email, "username": account.username}


def change_attribute(scenario, change) -> dict:
    return {
        "project": change.project,
        "branch": change.branch,
        "id": change.change_id,
        "number": change.number,
        "subject": change.subject,
        "owner": account_attribute(scenario.accounts[change.owner_id]),
        "url": f"https://review.example.org/c/{change.project}/+/{change.number}",
        "status": change.status,
        "createdOn": _seconds(change.created),
    }


def patchset_attribute(scenario, change, patchset) -> dict:
    return {
        "number": patchset.number,
        "revision": patchset.sha,
        "ref": f"refs/changes/{change.number % 100:02d}/{change.number}/{patchset.number}",
        "uploader": account_attribute(scenario.accounts[patchset.uploader_id]),
        "createdOn": _seconds(patchset.created),
    }


def event_of(scenario, kind: str, change, item) -> dict | None:
    """The stream event of a scenario listener's call, or None (Gerrit's own messages)."""
    if kind == "patchset":
        return {
            "type": "patchset-created",
            "change": change_attribute(scenario, change),
            "patchSet": patchset_attribute(scenario, change, item),
            "uploader": account_attribute(scenario.accounts[item.uploader_id]),
            "eventCreatedOn": _seconds(item.created),
        }
    if item.author_id is None:
        return None
    event = {
        "type": "comment-added",
        "change": change_attribute(scenario, change),
        "author": account_attribute(scenario.accounts[item.author_id]),
        "comment": item.text,
        "eventCreatedOn": _seconds(item.date),
    }
    if 1 <= item.patchset <= len(change.patchsets):
        event["patchSet"] = patchset_attribute(scenario, change, change.patchset(item.patchset))
    return event


class StreamEventsServer:
    def __init__(self, simulator, workdir: str | os.PathLike, host: str = "127.0.0.1"):
        self.simulator = simulator
        self.scenario = simulator.scenario
        self.host = host
        self.port = 0
        self.workdir = Path(workdir)
        self.key_file = str(self.workdir / "id_ed25519")
        self.known_hosts = str(self.workdir / "known_hosts")
        self.sent = 0
        self.connections = 0
        self._refusing = False
        self._stalled = False
        self._queues: set[asyncio.Queue] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server = None
        self._thread: threading.Thread | None = None

    # -- life cycle --------------------------------------------------------------------------
    def start(self) -> StreamEventsServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        client_key = asyncssh.generate_private_key("ssh-ed25519")
        client_key.write_private_key(self.key_file)
        os.chmod(self.key_file, 0o600)
        self._host_key = asyncssh.generate_private_key("ssh-ed25519")
        authorized = asyncssh.import_authorized_keys(
            client_key.export_public_key().decode()
        )
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve():
            asyncio.set_event_loop(self._loop)
            self._server = self._loop.run_until_complete(asyncssh.create_server(
                asyncssh.SSHServer, self.host, 0, server_host_keys=[self._host_key],
                authorized_client_keys=authorized, process_factory=self._session,
                keepalive_interval=0,
            ))
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=serve, name="stream-events", daemon=True)
        self._thread.start()
        ready.wait(10)
        host_key = self._host_key.export_public_key().decode().strip()
        Path(self.known_hosts).write_text(f"[{self.host}]:{self.port} {host_key}\n")
        self.scenario.listeners.append(self._on_scenario)
        return self

    def stop(self) -> None:
        if self._on_scenario in self.scenario.listeners:
            self.scenario.listeners.remove(self._on_scenario)
        if self._loop is None:
            return
        self.disconnect()

        async def close():
            self._server.close()
            await self._server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._loop = None

    def __enter__(self) -> StreamEventsServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"ssh://{self.host}:{self.port}"

    # -- events and faults -------------------------------------------------------------------
    def emit(self, event: dict | str) -> None:
        """Send an event (or a raw line) to every open stream."""
        line = event if isinstance(event, str) else json.dumps(event)
        self._loop.call_soon_threadsafe(self._publish, line)

    def disconnect(self) -> None:
        self._loop.call_soon_threadsafe(self._publish, None)

    def refuse(self, on: bool = True) -> None:
        self._refusing = on
        if on:
            self.disconnect()

    def stall(self, on: bool = True) -> None:
        self._stalled = on

    def malformed(self) -> None:
        self.emit('{"type": "comment-added", "change": {"number": 1, ')

    def ahead(self, number: int) -> None:
        self.simulator.hidden_changes.add(number)

    def reveal(self, number: int) -> None:
        self.simulator.hidden_changes.discard(number)

    def open_streams(self) -> int:
        return len(self._queues)

    # -- inside the server's loop ------------------------------------------------------------
    def _on_scenario(self, kind, change, item) -> None:
        event = event_of(self.scenario, kind, change, item)
        if event is not None and self._loop is not None:
            self.emit(event)

    def _publish(self, line: str | None) -> None:
        for queue in list(self._queues):
            queue.put_nowait(line)

    async def _session(self, process) -> None:
        if process.command != COMMAND or self._refusing:
            reason = "unavailable" if self._refusing else "unknown command"
            process.stderr.write(f"fatal: {reason}\n")
            process.exit(1)
            return
        queue: asyncio.Queue = asyncio.Queue()
        self._queues.add(queue)
        self.connections += 1
        try:
            while True:
                line = await queue.get()
                if line is None:
                    break
                while self._stalled and not self._refusing:
                    await asyncio.sleep(0.02)
                process.stdout.write(line + "\n")
                self.sent += 1
                await process.stdout.drain()
        except (asyncssh.Error, OSError):
            pass  # the client went away
        finally:
            self._queues.discard(queue)
            process.exit(0)
