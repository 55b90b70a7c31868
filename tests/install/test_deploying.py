"""docs/deploying.md, run verbatim: a bare Debian with MariaDB to a collector and an API.

The page's "How this page is tested" section says how: build and packages blocks on this
machine, the values block replaced, and the server blocks as one bash session in an ``unshare``
sandbox (its own loopback-only network with a simulated Gerrit, copy-on-write /etc, /opt and
/var; systemctl replaced by tests/install/systemctl). MariaDB is this machine's, through its
socket; the test creates a database and user of unique names and drops them afterwards.
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import MYSQL_SERVER_URL
from tests.install.conftest import REPO, bash, doc_blocks, need

pytestmark = pytest.mark.mysql

GERRIT_PORT = 8081
GERRIT_USER, GERRIT_PASSWORD = "radar-bot", "sim-http-pw-7e1f"
STAND_IN = Path(__file__).resolve().parent / "systemctl"
BARE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def _can_sandbox() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(["unshare", "--mount", "--net", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.fixture
def database():
    """A database and user names no one else uses; both dropped afterwards."""
    name = f"radar_deploy_{uuid.uuid4().hex[:8]}"
    server = create_engine(MYSQL_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        server.connect().close()
    except Exception as exc:  # noqa: BLE001 - reported as the reason
        need(False, f"MariaDB unavailable: {exc}")
    yield name
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        connection.execute(text(f"DROP USER IF EXISTS '{name}'@'localhost'"))
    server.dispose()


def replaced_values(database: str) -> dict[str, str]:
    """The test's replacement of the page's values block: the same names, other values."""
    values = {
        "GERRIT_URL": f"http://127.0.0.1:{GERRIT_PORT}",
        "GERRIT_USERNAME": GERRIT_USER,
        "GERRIT_PASSWORD": GERRIT_PASSWORD,
        "CI_GROUP": "third-party-ci",
        "RADAR_DB": database,
        "RADAR_DB_USER": database,
        "RADAR_DB_PASSWORD": "deploy" + uuid.uuid4().hex[:12],
    }
    documented = {
        line.split("=", 1)[0] for line in doc_blocks("values")[0].splitlines() if "=" in line
    }
    assert documented == set(values), "docs/deploying.md's values changed: update the test"
    return values


def sandbox_script(scratch: Path, logs: Path, values: dict[str, str]) -> str:
    gerrit = f"PYTHONPATH={shlex.quote(str(REPO))} " + shlex.join([
        sys.executable, "-c", "from radar_demo.cmd import main; main()", "--gerrit-only",
        "--port", str(GERRIT_PORT), "--days", "3",
        "--gerrit-username", GERRIT_USER, "--gerrit-password", GERRIT_PASSWORD,
    ])  # from this checkout
    overlays = "\n".join(
        f"mkdir -p {scratch}/{d}/up {scratch}/{d}/work && mount -t overlay overlay "
        f"-o lowerdir=/{d},upperdir={scratch}/{d}/up,workdir={scratch}/{d}/work /{d}"
        for d in ("etc", "opt", "var")
    )
    return "\n".join([
        f"mount -t tmpfs tmpfs {scratch}",
        overlays,
        "ip link set lo up",
        f"{gerrit} > {logs}/gerrit.log 2>&1 &",
        "GERRIT_PID=$!",
        f"curl --retry 30 --retry-connrefused --retry-delay 1 -sf "
        f"http://127.0.0.1:{GERRIT_PORT}/config/server/version > /dev/null",
        f"mkdir -p /tmp/stand-in && cp {STAND_IN} /tmp/stand-in/systemctl",
        f"export PATH=/tmp/stand-in:{BARE_PATH}",
        "# ---- the values block, replaced by the test's own",
        *(f"{key}={shlex.quote(value)}" for key, value in values.items()),
        "# ---- the server blocks of docs/deploying.md, verbatim",
        *doc_blocks("server"),
        "# ---- what the test checks afterwards",
        f"curl -sf 'http://127.0.0.1:8080/v1/systems?window=30d' > {logs}/systems.json",
        f"curl -sf http://127.0.0.1:8080/ > {logs}/index.html",
        f"runuser -u radar -- /opt/radar/bin/radar-collector --once "
        f"--config-file /etc/radar/radar.conf 2> {logs}/once.err",
        "systemctl stop radar-collector radar-api-gunicorn",
        f"cp /var/lib/systemctl-stand-in/*.log {logs}/",
        "kill $GERRIT_PID",
    ])


def test_the_deployment_guide_runs_verbatim(wheel, wheelhouse, database, tmp_path):
    need(_can_sandbox(), "needs root and unshare for the deployment sandbox")
    need(Path("/usr/bin/python3").exists(), "needs Debian's python3")
    packages = bash("\n".join(doc_blocks("packages")), cwd=tmp_path, timeout=900)
    assert packages.returncode == 0, packages.stderr

    workdir, scratch, logs = tmp_path / "work", tmp_path / "scratch", tmp_path / "logs"
    for path in (workdir, scratch, logs):
        path.mkdir()
    shutil.copy(wheel, workdir)
    env = {
        "PATH": BARE_PATH, "HOME": "/root", "LANG": "C.UTF-8",
        # No network in the sandbox: pip installs from the downloaded wheels.
        "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse),
    }
    values = replaced_values(database)
    script = sandbox_script(scratch, logs, values)
    result = subprocess.run(
        ["unshare", "--mount", "--net", "--fork", "bash", "-euo", "pipefail", "-c", script],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=900,
    )
    service_logs = "".join(f"\n--- {p.name}\n{p.read_text()}" for p in logs.glob("*.log"))
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}{service_logs}"

    # The doc's own checks printed the status and the CLI's leaderboard.
    assert '"collector"' in result.stdout and "SYSTEM" in result.stdout
    assert "Radar is up" in result.stdout
    systems = json.loads((logs / "systems.json").read_text())["systems"]
    assert len(systems) >= 10, [s["username"] for s in systems]
    assert sum(s["stats"]["reports"] for s in systems) > 0
    assert "ng-app" in (logs / "index.html").read_text()  # the dashboard, from the wheel
    # The collector service polled by itself; a last --once found nothing wrong.
    assert (logs / "once.err").read_text() == ""
    collector_log = (logs / "radar-collector.log").read_text()
    assert "poll of all" in collector_log and "Traceback" not in collector_log
    everything = result.stdout + result.stderr + service_logs
    for secret in (GERRIT_PASSWORD, values["RADAR_DB_PASSWORD"]):
        assert secret not in everything
