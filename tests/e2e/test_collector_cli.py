"""radar-collector and radar-db-manage as a user runs them: real processes, real simulator."""

import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from radar_core import migration
from radar_demo.scenario import Scenario
from radar_demo.server import GerritSimulator

COLLECTOR = [sys.executable, "-c", "from radar_collector.cmd import main; main()"]
DB_MANAGE = [sys.executable, "-c", "from radar_core.manage import main; main()"]


@pytest.fixture(scope="module")
def simulator():
    with GerritSimulator(
        Scenario.generate(seed=3, days=4, changes_per_day=5), username="radar", password="s3cret-pw"
    ) as sim:
        yield sim


def write_config(tmp_path, gerrit_url, password="s3cret-pw", extra=""):
    path = tmp_path / "radar.conf"
    path.write_text(
        f"[database]\nconnection = sqlite:///{tmp_path / 'radar.sqlite'}\n"
        f"[gerrit]\nurl = {gerrit_url}\nusername = radar\npassword = {password}\n"
        f"timeout = 2\nretries = 1\npage_size = 20\n"
        f"[collector]\nci_group = third-party-ci\nbackfill_days = 5\npoll_interval = 1\n{extra}"
    )
    return str(path)


def run(command, *args, timeout=120):
    return subprocess.run(command + list(args), capture_output=True, text=True, timeout=timeout)


def test_db_manage_and_one_poll(tmp_path, simulator):
    conf = write_config(tmp_path, simulator.url)
    assert run(DB_MANAGE, "current", "--config-file", conf).stdout.startswith("base")
    # --config-file may stand before the command, as the README writes it.
    upgraded = run(DB_MANAGE, "--config-file", conf, "upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"database at {migration.head_revision()}" in upgraded.stdout
    polled = run(COLLECTOR, "--config-file", conf, "--once")
    assert polled.returncode == 0, polled.stderr
    assert "s3cret-pw" not in polled.stderr
    downgraded = run(DB_MANAGE, "downgrade", "base", "--config-file", conf)
    assert downgraded.returncode == 0 and "database at base" in downgraded.stdout


def test_once_fails_with_one_line_reason(tmp_path, simulator):
    conf = write_config(tmp_path, simulator.url, password="wrong-pw")
    run(DB_MANAGE, "upgrade", "head", "--config-file", conf)
    result = run(COLLECTOR, "--config-file", conf, "--once")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("radar-collector:")]
    assert len(lines) == 1 and "401" in lines[0]
    assert "Traceback" not in result.stderr and "wrong-pw" not in result.stderr


@pytest.mark.parametrize(
    "setup,expected,status",
    [
        ("no-url", "[gerrit] url is not set", 2),  # a configuration error, like a bad value
        ("not-migrated", "radar-db-manage upgrade head", 1),
    ],
)
def test_configuration_mistakes_are_one_line(tmp_path, simulator, setup, expected, status):
    conf = write_config(tmp_path, "" if setup == "no-url" else simulator.url)
    result = run(COLLECTOR, "--config-file", conf, "--once")
    assert result.returncode == status
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr


def test_backfill_shows_progress(tmp_path, simulator):
    conf = write_config(tmp_path, simulator.url)
    run(DB_MANAGE, "upgrade", "head", "--config-file", conf)
    day = (simulator.scenario.end - timedelta(days=3)).date().isoformat()
    result = run(COLLECTOR, "backfill", "--since", day, "--config-file", conf)
    assert result.returncode == 0, result.stderr
    assert "day" in result.stderr and "100%" in result.stderr  # tqdm's bar
    assert "backfill done:" in result.stdout and "0 failed days" in result.stdout
    bad = run(COLLECTOR, "--config-file", conf, "backfill", "--since", "yesterday")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_sigterm_stops_the_daemon_cleanly(tmp_path, simulator):
    conf = write_config(tmp_path, simulator.url)
    run(DB_MANAGE, "upgrade", "head", "--config-file", conf)
    process = subprocess.Popen(
        COLLECTOR + ["--config-file", conf], stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    log = ""
    while "poll of all" not in log and time.monotonic() < deadline:
        log += process.stderr.readline()
    process.send_signal(signal.SIGTERM)
    _, rest = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "SIGTERM received" in log + rest and "stopped" in log + rest
    assert "Traceback" not in log + rest
