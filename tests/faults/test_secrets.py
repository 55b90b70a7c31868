"""Secrets stay secret: credentials in [gerrit] url are refused in one line, and a run with
[gerrit] username and password logs and serves no password anywhere."""

import logging

import pytest
import requests

from radar_api.app import app_from_conf
from radar_collector.cmd import build_poller
from radar_core import config, migration
from radar_demo.stack import ApiServer
from tests.e2e.test_collector_cli import COLLECTOR, run, simulator, write_config

PASSWORD = "s3cret-pw"
__all__ = ["simulator"]  # the module-scoped simulator fixture, with that password


def test_credentials_in_the_gerrit_url_are_refused(tmp_path, simulator):
    url = simulator.url.replace("://", f"://radar:{PASSWORD}@")
    conf = write_config(tmp_path, url)
    result = run(COLLECTOR, "--config-file", conf, "--once")
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert "[gerrit] url must not hold credentials" in line and "username and password" in line
    assert PASSWORD not in result.stderr + result.stdout
    # Every server command validates with config.load, radar-api and radar_api.wsgi too.
    with pytest.raises(config.ConfigError) as refused:
        config.load([conf])
    assert PASSWORD not in str(refused.value)


def test_no_log_line_and_no_answer_holds_the_password(tmp_path, simulator, caplog):
    conf = config.load([write_config(tmp_path, simulator.url)])
    with caplog.at_level(logging.DEBUG):
        poller = build_poller(conf, check_database=False)
        migration.upgrade(poller.engine)
        [outcome] = poller.poll_all()
        assert outcome.ok, outcome.message
        server = ApiServer(app_from_conf(conf)).start()
        try:
            systems = requests.get(server.url + "/v1/systems", timeout=30).json()["systems"]
            key = systems[0]["id"]
            change = simulator.scenario.changes[0].number
            bodies = [
                requests.get(server.url + path, timeout=30).text
                for path in ["/v1/systems", f"/v1/systems/{key}", f"/v1/systems/{key}/reports",
                             f"/v1/changes/{change}", "/v1/status", "/metrics", "/v1/events"]
            ]
        finally:
            server.stop()
            poller.engine.dispose()
    assert any(r.getMessage().startswith("poll of all:") for r in caplog.records)  # it logs
    assert '"gerrit_url": "http' in bodies[2]
    for body in bodies:
        assert PASSWORD not in body
    assert all(PASSWORD not in record.getMessage() for record in caplog.records)
