"""Every server command refuses a bad configuration in one line, with exit status 2.

The commands run as processes, as an operator runs them; --config-file stands before and after
the subcommand.
"""

import subprocess
import sys

import pytest

COMMANDS = {
    "radar-collector --once": ["radar_collector.cmd", "--once"],
    "radar-collector": ["radar_collector.cmd"],
    "radar-collector backfill": ["radar_collector.cmd", "backfill", "--since", "2026-01-01"],
    "radar-db-manage upgrade": ["radar_core.manage", "upgrade", "head"],
    "radar-db-manage current": ["radar_core.manage", "current"],
    "radar-api": ["radar_api.cmd"],
}
BAD_VALUES = [
    ("collector", "poll_interval", "abc", "a whole number of at least 1"),
    ("collector", "poll_interval", "0", "a whole number of at least 1"),
    ("api", "port", "abc", "a whole number from 0 to 65535"),
    ("health", "report_deadline", "4x", "a duration"),
    ("health", "weight_coverage", "lots", "a number of at least 0"),
]


def run(command: str, *config_args: str) -> subprocess.CompletedProcess:
    module, *args = COMMANDS[command]
    code = f"import sys; from {module} import main; sys.argv[0] = {command.split()[0]!r}; main()"
    # --config-file before the subcommand for some, after it for the others.
    argv = [*config_args, *args] if "collector" in command else [*args, *config_args]
    return subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=60
    )


def assert_one_line(result, *expected):
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


@pytest.mark.parametrize(
    "options,expected",
    [
        ("", "needs ssh_url, ssh_username, ssh_key_file"),
        ("ssh_url = http://review.example.org\nssh_username = radar\nssh_key_file = /nowhere\n",
         "[gerrit] ssh_url: not an SSH address"),
        ("ssh_url = ssh://review.example.org\nssh_username = radar\nssh_key_file = /nowhere\n",
         "[gerrit] ssh_key_file: cannot read /nowhere"),
    ],
    ids=["missing", "not-ssh", "no-key"],
)
def test_a_stream_without_its_ssh_options_is_one_line(tmp_path, options, expected):
    path = tmp_path / "radar.conf"
    path.write_text(f"[gerrit]\nurl = http://127.0.0.1:9\nstream_events = true\n{options}")
    assert_one_line(run("radar-collector", "--config-file", str(path)), expected)


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "radar-collector"])
@pytest.mark.parametrize("group,name,value,expected", BAD_VALUES)
def test_a_bad_value_is_one_line_naming_file_and_option(
    tmp_path, command, group, name, value, expected
):
    path = tmp_path / "radar.conf"
    path.write_text(f"[gerrit]\nurl = http://127.0.0.1:9\n[{group}]\n{name} = {value}\n")
    result = run(command, "--config-file", str(path))
    assert_one_line(result, str(path), f"[{group}] {name} = '{value}'", expected)


@pytest.mark.parametrize("command", COMMANDS)
def test_a_missing_or_unreadable_file_is_one_line(tmp_path, command):
    assert_one_line(
        run(command, "--config-file", str(tmp_path / "nowhere.conf")),
        "configuration file not found",
    )
    garbage = tmp_path / "garbage.conf"
    garbage.write_text("this is not an ini file\n")
    assert_one_line(run(command, "--config-file", str(garbage)), "bad configuration")


def test_a_bad_secret_is_not_printed(tmp_path):
    path = tmp_path / "radar.conf"
    path.write_text("[gerrit]\nurl = http://127.0.0.1:9\npassword = hunter2\npage_size = 0\n")
    result = run("radar-collector --once", "--config-file", str(path))
    assert_one_line(result, "[gerrit] page_size = '0'")
    assert "hunter2" not in result.stderr


# Each would otherwise fail at the first connection with a traceback; a plain mysql:// is the
# likely mistake (SQLAlchemy's default MySQL driver, which Radar neither installs nor tests).
BAD_DATABASES = [
    ("nonsense", "is not a database URL"),
    ("mysql+pymysql://radar:s3cret@127.0.0.1:port/radar", "is not a database URL"),
    ("mysql://radar:s3cret@127.0.0.1/radar", "uses mysql with mysqldb"),
    ("postgresql://radar:s3cret@127.0.0.1/radar", "uses postgresql with psycopg"),
]


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "radar-collector"])
@pytest.mark.parametrize("url,expected", BAD_DATABASES,
                         ids=["not-a-url", "bad-port", "mysql-default-driver", "postgresql"])
def test_a_database_radar_cannot_use_is_one_line_without_the_password(
    tmp_path, command, url, expected
):
    path = tmp_path / "radar.conf"
    path.write_text(f"[gerrit]\nurl = http://127.0.0.1:9\n[database]\nconnection = {url}\n")
    result = run(command, "--config-file", str(path))
    assert_one_line(result, str(path), "[database] connection", expected, "mysql+pymysql://")
    assert "s3cret" not in result.stderr + result.stdout
