"""radar-api and radar_api.wsgi as a deployment runs them: real processes, a config file."""

import json
import os
import socket
import subprocess
import sys
import urllib.request

import pytest

from radar_core import migration
from radar_core.db import make_engine


@pytest.fixture
def config_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'radar.sqlite'}"
    engine = make_engine(url)
    migration.upgrade(engine)
    engine.dispose()
    path = tmp_path / "radar.conf"
    path.write_text(f"[database]\nconnection = {url}\n[collector]\npoll_interval = 42\n")
    return str(path)


def run(*args, env=None, timeout=60):
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def test_radar_api_serves_and_prints_its_url(config_file):
    process = subprocess.Popen(
        [sys.executable, "-m", "radar_api.cmd", "--config-file", config_file, "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("Radar API listening on http://127.0.0.1:"), line
        url = line.rsplit(" ", 1)[-1]
        with urllib.request.urlopen(url + "v1/status", timeout=10) as response:
            assert json.load(response)["poll_interval"] == 42
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


def test_radar_api_port_taken_is_a_one_line_error(config_file):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("-m", "radar_api.cmd", "--config-file", config_file, "--port", str(port))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(is another server there?)"
    ]


def test_radar_api_missing_config_file_is_a_one_line_error(tmp_path):
    result = run("-m", "radar_api.cmd", "--config-file", str(tmp_path / "missing.conf"))
    assert result.returncode == 2  # a configuration error, like a usage error
    assert len(result.stderr.strip().splitlines()) == 1
    assert "missing.conf" in result.stderr


def test_wsgi_application_reads_radar_config_file(config_file):
    script = (
        "import gc, json, webtest\n"
        "from radar_api.wsgi import application\n"
        "print(gc.get_freeze_count())\n"
        "print(json.dumps(webtest.TestApp(application).get('/v1/status').json))\n"
    )
    result = run("-c", script, env={"RADAR_CONFIG_FILE": config_file})
    assert result.returncode == 0, result.stderr
    frozen, status = result.stdout.splitlines()
    assert json.loads(status)["poll_interval"] == 42
    # What the app loaded is out of the full collections (radar_api.app.freeze_loaded_objects).
    assert int(frozen) > 10_000
