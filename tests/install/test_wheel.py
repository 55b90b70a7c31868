"""The wheel, installed non-editable into a fresh virtualenv, is a working Radar on its own.

The installed commands run from a directory with nothing of Radar's in it: the migrations, the
controllers and the dashboard must all come from the wheel. Headless Chromium then loads the
dashboard from the installed radar-api and finds every simulated CI system on the leaderboard.
"""

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from radar_demo.scenario import Scenario
from radar_demo.server import GerritSimulator
from radar_demo.stack import free_port
from tests.install.conftest import REPO

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def venv(wheelhouse, tmp_path_factory):
    """A fresh virtualenv with Radar installed from the wheel (dependencies from the
    wheelhouse, so the install is the wheel's own metadata and nothing else)."""
    path = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    result = subprocess.run(
        [str(path / "bin" / "pip"), "install", "--quiet", "--no-index",
         "--find-links", str(wheelhouse), "radar"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture(scope="module")
def simulator():
    with GerritSimulator(Scenario.generate(seed=11, days=4, changes_per_day=8)) as sim:
        yield sim


def run(venv, command, *args, cwd):
    return subprocess.run(
        [str(venv / "bin" / command), *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def test_the_installed_wheel_collects_and_serves_the_dashboard(
    venv, simulator, browser, tmp_path
):
    installed = run(venv, "python", "-c", "import radar_api; print(radar_api.__file__)",
                    cwd=tmp_path)
    assert str(venv) in installed.stdout and str(REPO) not in installed.stdout
    config = tmp_path / "radar.conf"
    config.write_text(
        f"[database]\nconnection = sqlite:///{tmp_path / 'radar.sqlite'}\n"
        f"[gerrit]\nurl = {simulator.url}\n"
        "[collector]\nci_group = third-party-ci\nbackfill_days = 5\n"
    )
    upgraded = run(venv, "radar-db-manage", "--config-file", str(config), "upgrade", "head",
                   cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    polled = run(venv, "radar-collector", "--config-file", str(config), "--once", cwd=tmp_path)
    assert polled.returncode == 0 and polled.stderr == "", polled.stderr

    port = free_port()
    api = subprocess.Popen(
        [str(venv / "bin" / "radar-api"), "--config-file", str(config), "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = api.stdout.readline()
        assert "listening on" in line, api.stderr.read()
        names = [s.account.name for s in simulator.scenario.systems]
        _leaderboard_lists(browser, f"http://127.0.0.1:{port}/", names)
    finally:
        api.terminate()
        _, errors = api.communicate(timeout=30)
    assert "no dashboard to serve" not in errors
    assert "Traceback" not in errors


def _leaderboard_lists(chromium, url: str, names: list[str]) -> None:
    page = chromium.new_page()
    try:
        page.goto(url)
        rows = page.locator(".system-row")
        expect(rows).to_have_count(len(names), timeout=30_000)
        shown = rows.locator(".col-name .system-link").all_inner_texts()
        assert sorted(shown) == sorted(names)
    finally:
        page.close()
