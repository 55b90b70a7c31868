"""Fixtures of the client tests: the canned API (always) and helpers to run the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig

import pytest
from click.testing import CliRunner, Result

from radar_client.cli import cli
from tests.client.canned import CannedApi

# The installed ``radar`` console script: in the environment running the tests, whether or not
# that environment's bin directory is on PATH.
RADAR_SCRIPT = shutil.which("radar", path=sysconfig.get_path("scripts")) or "radar"


@pytest.fixture(scope="session")
def canned_api():
    api = CannedApi().start()
    yield api
    api.stop()


@pytest.fixture
def run_cli():
    """``radar ARGS`` in-process with click's CliRunner; returns click's Result."""

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, list(args), env=env or {}, catch_exceptions=False)

    return run


@pytest.fixture
def run_radar():
    """``python -m radar_client.cli ARGS`` as a real process; returns CompletedProcess."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        environment = {
            k: v for k, v in os.environ.items() if k not in ("RADAR_API_URL", "NO_COLOR")
        }
        environment |= env or {}
        return subprocess.run(
            [sys.executable, "-m", "radar_client.cli", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=environment,
        )

    return run
