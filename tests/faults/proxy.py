"""A TCP proxy in front of the test MariaDB that a test takes down, freezes and brings back.

From the client's side it is the database failing: ``down`` resets every connection and every
new one (the server stopped), ``freeze`` keeps connections open but passes no byte (the server
stopped with SIGSTOP, or a network partition), ``up`` passes bytes again.
"""

import select
import socket
import threading
import time

UP, DOWN, FROZEN = "up", "down", "frozen"


class TcpProxy:
    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.state = UP
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    # -- what tests call -------------------------------------------------------------------
    def up(self):
        self.state = UP

    def freeze(self):
        self.state = FROZEN

    def down(self):
        self.state = DOWN
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            _close(*pair)

    def close(self):
        self._closed = True
        self.down()
        self._listener.close()

    # -- the proxy -------------------------------------------------------------------------
    def _accept(self):
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.state == DOWN:
                _close(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client, upstream):
        peers = {client: upstream, upstream: client}
        try:
            while not self._closed:
                if self.state == FROZEN:
                    time.sleep(0.02)  # the bytes wait in the kernel, as with a stopped server
                    continue
                readable, _, _ = select.select(list(peers), [], [], 0.05)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except (OSError, ValueError):
            pass
        finally:
            _close(client, upstream)


def _close(*sockets):
    for sock in sockets:
        try:
            sock.close()
        except OSError:
            pass
