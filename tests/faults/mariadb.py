"""A MariaDB server of the test's own, which the test stops, freezes (SIGSTOP) and restarts."""

import os
import shutil
import signal
import socket
import subprocess
import time

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

INSTALL_DB = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
MARIADBD = shutil.which("mariadbd") or "/usr/sbin/mariadbd"


def available() -> bool:
    return os.access(INSTALL_DB, os.X_OK) and os.access(MARIADBD, os.X_OK)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateMariaDB:
    """``mariadbd`` on 127.0.0.1:<free port> with its data in ``directory``."""

    def __init__(self, directory):
        self.directory = directory
        self.port = _free_port()
        self.process = None
        directory.mkdir(parents=True, exist_ok=True)
        shutil.chown(directory, "mysql", "mysql")
        subprocess.run(
            [INSTALL_DB, "--no-defaults", "--user=mysql", f"--datadir={directory / 'data'}",
             "--auth-root-authentication-method=normal", "--skip-test-db"],
            check=True, capture_output=True, timeout=120,
        )

    @property
    def url(self) -> str:
        return f"mysql+pymysql://root@127.0.0.1:{self.port}/radar?charset=utf8mb4"

    def start(self):
        self.process = subprocess.Popen(
            [MARIADBD, "--no-defaults", "--user=mysql", f"--datadir={self.directory / 'data'}",
             f"--port={self.port}", "--bind-address=127.0.0.1",
             f"--socket={self.directory / 'sock'}", f"--pid-file={self.directory / 'pid'}",
             "--skip-log-bin", "--innodb-buffer-pool-size=16M"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        server = create_engine(f"mysql+pymysql://root@127.0.0.1:{self.port}/", poolclass=NullPool)
        deadline = time.monotonic() + 60
        while True:
            try:
                with server.connect() as connection:
                    connection.execute(text(
                        "CREATE DATABASE IF NOT EXISTS radar CHARACTER SET utf8mb4 "
                        "COLLATE utf8mb4_bin"
                    ))
                break
            except Exception:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise
                time.sleep(0.1)
            finally:
                server.dispose()
        return self

    def stop(self):
        """A clean shutdown, as ``systemctl stop mariadb``."""
        if self.process is not None:
            self.thaw()
            self.process.terminate()
            self.process.wait(timeout=60)
            self.process = None

    def freeze(self):
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self):
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
