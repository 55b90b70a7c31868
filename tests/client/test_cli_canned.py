"""The `radar` CLI against the canned API: every command and format, colour, errors, checks."""

import csv
import io
import json
import os
import pty
import subprocess
import sys
from importlib.metadata import entry_points

import click
import pytest

from radar_client import Client
from radar_client.cli import cli
from tests.client import canned
from tests.client.conftest import RADAR_SCRIPT
from tests.client.test_client import closed_port_url

COMMANDS = [
    ["systems"],
    ["system", "flaky-ci"],
    ["jobs", "healthy-ci"],
    ["reports", "healthy-ci", "--limit", "3"],
    ["trend", "healthy-ci"],
    ["compare", "healthy-ci", "flaky-ci", "gone-ci"],
    ["change", "5001"],
    ["projects"],
    ["status"],
]
SUBCOMMANDS = sorted(cli.commands)


def parse_csv(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_every_command_in_every_format(run_cli, canned_api, args, fmt):
    result = run_cli(*args, "--api-url", canned_api.url, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "\x1b[" not in result.stdout  # not a terminal: no colour
    if fmt == "json":
        json.loads(result.stdout)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert len(rows) >= 2 and all(len(row) == len(rows[0]) for row in rows)
    else:
        assert result.stdout.strip()


def test_json_is_the_apis_document(run_cli, canned_api):
    client = Client(canned_api.url)
    result = run_cli("--api-url", canned_api.url, "system", "flaky-ci", "--format", "json")
    assert json.loads(result.stdout) == client.system("flaky-ci")
    result = run_cli("--api-url", canned_api.url, "systems", "--format", "json")
    assert json.loads(result.stdout) == client.systems()


def test_systems_table(run_cli, canned_api):
    lines = run_cli("systems", "--api-url", canned_api.url).stdout.splitlines()
    assert lines[0] == "window 2026-11-16 10:00 to 2026-11-23 10:00 UTC, 5 systems"
    assert lines[1].split()[:6] == ["#", "SYSTEM", "NAME", "STATUS", "SINCE", "SCORE"]
    healthy = lines[2].split()
    assert healthy[:3] == ["1", "healthy-ci", "Healthy"]
    # status since is not in this canned API's answer: shown as '-'
    assert healthy[4:11] == ["healthy", "-", "97", "100%", "98%", "91%", "100%"]
    assert [line.split()[1] for line in lines[2:]] == [s["username"] for s in canned.SYSTEMS]
    widths = {len(line) for line in lines[1:]}
    assert len(widths) <= 2  # aligned (the last column may end short)


def test_systems_status_filter(run_cli, canned_api):
    result = run_cli("systems", "--api-url", canned_api.url, "--status", "Failing, silent",
                     "--format", "csv")  # fmt: skip
    assert [r["username"] for r in parse_csv(result.stdout)] == ["broken-ci", "quiet-ci"]
    assert canned_api.requests[-1][1]["status"] == "failing,silent"


def test_system_breakdown_and_verdict(run_cli, canned_api):
    text = run_cli("system", "flaky-ci", "--api-url", canned_api.url).stdout
    assert "why:    degraded: success rate 60% is low; stability 50% is low" in text
    assert "coverage        90%  106 of 118 eligible patchsets reported" in text
    assert "email:           flaky-ci@example.org" in text
    healthy = run_cli("system", "healthy-ci", "--api-url", canned_api.url).stdout
    assert "why:" not in healthy


def test_trend_has_sparklines(run_cli, canned_api):
    text = run_cli("trend", "healthy-ci", "--api-url", canned_api.url).stdout
    assert "score         █ ▆█" in text
    assert "reports       ▅▁▅█" in text


def test_change_grid(run_cli, canned_api):
    text = run_cli("change", "5001", "--api-url", canned_api.url).stdout.splitlines()
    assert text[2].split() == ["PS", "CREATED", "healthy-ci", "flaky-ci"]
    assert text[3].split() == ["1", "2026-11-20", "10:00", "FAILURE", "x2", "-"]
    rows = parse_csv(run_cli("change", "5001", "--api-url", canned_api.url, "--format", "csv")
                     .stdout)  # fmt: skip
    assert rows[1] == {"patchset": "2", "created": "2026-11-21T10:00:00Z",
                       "healthy-ci": "SUCCESS", "flaky-ci": "ERROR"}  # fmt: skip


def test_compare_csv_is_figure_by_figure(run_cli, canned_api):
    result = run_cli("compare", "healthy-ci", "broken-ci", "--api-url", canned_api.url,
                     "--format", "csv")  # fmt: skip
    rows = {row["figure"]: row for row in parse_csv(result.stdout)}
    assert rows["score"] == {"figure": "score", "healthy-ci": "97", "broken-ci": "31"}
    assert rows["status"]["broken-ci"] == "failing"


def test_reports_limit_and_order(run_cli, canned_api):
    result = run_cli("reports", "healthy-ci", "--limit", "4", "--api-url", canned_api.url,
                     "--format", "csv")  # fmt: skip
    rows = parse_csv(result.stdout)
    assert [r["id"] for r in rows] == ["1000", "1001", "1002", "1003"]
    assert rows[0]["jobs"] == "2" and rows[0]["jobs_failed"] == "1"
    every = run_cli("reports", "healthy-ci", "--limit", "0", "--api-url", canned_api.url,
                    "--format", "json")  # fmt: skip
    assert len(json.loads(every.stdout)["reports"]) == 7


def test_options_before_the_command_and_from_the_environment(run_cli, canned_api):
    result = run_cli("--format", "json", "--window", "30d", "projects", "--api-url",
                     canned_api.url)  # fmt: skip
    assert json.loads(result.stdout) == canned.PROJECTS
    result = run_cli("--window", "30d", "systems", "--window", "24h",
                     env={"RADAR_API_URL": canned_api.url})  # fmt: skip
    assert result.exit_code == 0
    assert canned_api.requests[-1][1]["window"] == "24h"  # the command's option wins


def test_window_parameters_are_sent(run_cli, canned_api):
    run_cli("jobs", "healthy-ci", "--since", "2026-11-01", "--until", "2026-11-08T00:00:00Z",
            "--project", "openstack/nova", "--api-url", canned_api.url)  # fmt: skip
    assert canned_api.requests[-1] == (
        "/v1/systems/healthy-ci/jobs",
        {"since": "2026-11-01", "until": "2026-11-08T00:00:00Z", "project": "openstack/nova"},
    )


def test_colour_on_demand_and_off_with_no_color(run_cli, canned_api):
    coloured = run_cli("systems", "--api-url", canned_api.url, "--color", "always").stdout
    assert "\x1b[32mhealthy\x1b[0m" in coloured
    plain = run_cli("systems", "--api-url", canned_api.url, env={"NO_COLOR": "1"}).stdout
    assert "\x1b[" not in plain


def run_in_terminal(args, env):
    """The CLI as a real process whose stdout is a pseudo-terminal."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | env
    process = subprocess.run([sys.executable, "-m", "radar_client.cli", *args], stdout=follower,
                             stderr=subprocess.PIPE, env=environment, timeout=60)  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.returncode == 0, process.stderr
    return b"".join(chunks).decode()


def test_colour_on_a_terminal_unless_no_color(canned_api):
    args = ["systems", "--api-url", canned_api.url]
    assert "\x1b[32mhealthy" in run_in_terminal(args, {})
    assert "\x1b[" not in run_in_terminal(args, {"NO_COLOR": "1"})


# -- errors ----------------------------------------------------------------------------------


def assert_one_line_error(result, code, text):
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("radar: error: ")
    assert text in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_api(run_cli):
    url = closed_port_url()
    result = run_cli("systems", "--api-url", url)
    assert_one_line_error(result, 1, f"cannot reach the Radar API at {url}: connection refused")


def test_unknown_system(run_cli, canned_api):
    result = run_cli("system", "no-such-ci", "--api-url", canned_api.url)
    assert_one_line_error(result, 1, "no such system: no-such-ci")


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["systems", "--window", "7x"], "Invalid value for '--window': '7x' is not a window"),
        (["systems", "--format", "xml"], "Invalid value for '--format'"),
        (["systems", "--status", " , "], "' , ' names no status"),
        (["systems", "--since", "yesterday"], "'yesterday' is not an ISO 8601 date"),
        (["systems", "--window", "7d", "--since", "2026-11-01"], "use --window or --since"),
        (["systems", "--since", "2026-11-09", "--until", "2026-11-08"], "--since must be before"),
        (["compare", "healthy-ci"], "compare needs at least two systems"),
        (["change", "abc"], "Invalid value for 'NUMBER'"),
        (["reports", "x", "--limit", "-1"], "Invalid value for '--limit'"),
        (["nope"], "No such command 'nope'"),
        (["systems", "--window", "400d"], "bad window 400d"),  # refused by the API: 400
    ],
)
def test_bad_option_values(run_cli, canned_api, args, text):
    result = run_cli(*args, "--api-url", canned_api.url)
    assert_one_line_error(result, 2, text)


def test_errors_from_a_real_process(run_radar, canned_api):
    result = run_radar("system", "no-such-ci", "--api-url", canned_api.url)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "radar: error: no such system: no-such-ci\n"
    result = run_radar("systems", "--window", "bad", "--api-url", canned_api.url)
    assert result.returncode == 2 and result.stderr.count("\n") == 1


# -- radar check -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code", "state"),
    [
        ("healthy-ci", 0, "OK"),
        ("flaky-ci", 1, "WARNING"),
        ("broken-ci", 2, "CRITICAL"),
        ("quiet-ci", 2, "CRITICAL"),
        ("gone-ci", 3, "UNKNOWN"),
        ("no-such-ci", 3, "UNKNOWN"),
    ],
)
def test_check_exit_codes(run_cli, canned_api, name, code, state):
    result = run_cli("check", name, "--api-url", canned_api.url)
    assert result.exit_code == code
    assert result.stdout.startswith(f"RADAR {state} - ")
    assert result.stdout.count("\n") == 1


def test_check_thresholds(run_cli, canned_api):
    result = run_cli("check", "healthy-ci", "-w", "98:", "-c", "90:", "--api-url",
                     canned_api.url)  # fmt: skip
    assert result.exit_code == 1
    assert " score=97;98:;90:;0;100" in result.stdout
    result = run_cli("check", "healthy-ci", "--warn", "99:", "--crit", "98:", "--api-url",
                     canned_api.url)  # fmt: skip
    assert result.exit_code == 2


def test_check_several_systems(run_cli, canned_api):
    result = run_cli("check", "healthy-ci", "flaky-ci", "-t", "5", "--api-url", canned_api.url)
    assert result.exit_code == 1
    assert "'flaky-ci_score'=72;80:;50:;0;100" in result.stdout
    result = run_cli("check", "healthy-ci", "no-such-ci", "--api-url", canned_api.url)
    assert result.exit_code == 3 and "healthy-ci score 97" in result.stdout


@pytest.mark.parametrize(
    "args",
    [["--warn", "abc"], ["-c", "10:5"], ["-t", "0"], ["--window", "x"],
     ["--window", "7d", "--since", "2026-11-01"]],
)  # fmt: skip
def test_check_bad_options_are_unknown(run_cli, canned_api, args):
    result = run_cli("check", "healthy-ci", *args, "--api-url", canned_api.url)
    assert result.exit_code == 3
    assert result.stdout.startswith("RADAR UNKNOWN - bad option: ")


def test_check_unreachable_is_unknown(run_radar):
    result = run_radar("check", "healthy-ci", "--api-url", closed_port_url())
    assert result.returncode == 3
    assert result.stdout.startswith("RADAR UNKNOWN - cannot reach the Radar API at ")
    assert result.stderr == ""


def test_check_json(run_cli, canned_api):
    result = run_cli("check", "flaky-ci", "--format", "json", "--api-url", canned_api.url)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["state"] == "WARNING"


# -- help, scripts, packaging ----------------------------------------------------------------


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_help_on_every_command_has_an_example(run_cli, name):
    result = run_cli(name, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"radar {name}" in result.stdout
    group = cli.commands[name]
    if isinstance(group, click.Group):  # radar silence: its commands are not windowed
        for sub in group.commands:
            text = run_cli(name, sub, "--help").stdout
            assert "Example" in text and f"radar {name} {sub}" in text
            assert "--api-url" in text and "--format" in text and "--window" not in text
        return
    for option in ("--api-url", "--format", "--window", "--since", "--until", "--project"):
        assert option in result.stdout


def test_group_help_and_version(run_cli):
    assert "Examples:" in run_cli("--help").stdout
    assert run_cli("--version").stdout.startswith("radar ")


def test_the_radar_console_script_is_installed():
    scripts = entry_points(group="console_scripts")
    assert scripts["radar"].value == "radar_client.cli:main"
    assert scripts["radar"].load().__module__ == "radar_client.cli"


def test_the_radar_script_runs(canned_api):
    args = [RADAR_SCRIPT, "projects", "--api-url", canned_api.url, "--format", "json"]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert json.loads(result.stdout) == canned.PROJECTS


def test_client_package_needs_no_server_code():
    code = ("import sys, radar_client, radar_client.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('radar_core', 'radar_api', 'radar_collector', 'radar_demo')))")  # fmt: skip
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout  # fmt: skip
    assert output.strip() == "[]"
