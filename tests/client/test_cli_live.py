"""End to end: the `radar` CLI against the live stack (Gerrit simulator, collector, API).

Every windowed command runs with the same explicit ``--since``/``--until`` as the direct API
requests it is compared with, so the numbers must be equal, not merely close.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import timedelta

import pytest
import requests

from radar_client.formatting import fmt_pct, fmt_score, parse_time, sparkline
from tests.client.conftest import RADAR_SCRIPT
from tests.client.test_client import closed_port_url

STATUSES = ("healthy", "degraded", "failing", "silent", "unknown")
EXPECTED_CHECK = {"healthy": (0, "OK"), "degraded": (1, "WARNING"), "failing": (2, "CRITICAL"),
                  "silent": (2, "CRITICAL"), "unknown": (3, "UNKNOWN")}  # fmt: skip


class Live:
    """The live API with a pinned window, and direct (non-CLI) access to its JSON."""

    def __init__(self, url: str) -> None:
        self.url = url
        first = self.get("/v1/systems")
        until = parse_time(first["window"]["until"]).replace(microsecond=0)
        self.until = until.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.since = (until - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.systems = self.collect("/v1/systems", "systems", self.window)
        self.by_status = {}
        for system in self.systems:
            self.by_status.setdefault(system["health"]["status"], system["username"])

    @property
    def window(self) -> dict[str, str]:
        return {"since": self.since, "until": self.until}

    @property
    def window_args(self) -> list[str]:
        return ["--since", self.since, "--until", self.until]

    def get(self, path: str, params: dict | None = None) -> dict:
        response = requests.get(self.url + path, params=params, timeout=30)
        response.raise_for_status()
        return response.json()

    def collect(self, path: str, key: str, params: dict) -> list[dict]:
        """Every item of a paged list, following ``next`` with plain requests."""
        page = self.get(path, params)
        items = list(page[key])
        while page.get("next"):
            page = self.get(page["next"])
            items += page[key]
        return items

    def system_named(self, status: str) -> str:
        if status not in self.by_status:
            pytest.fail(f"the simulator has no {status} system in {sorted(self.by_status)}")
        return self.by_status[status]

    def a_change(self) -> int:
        reports = self.get(f"/v1/systems/{self.system_named('healthy')}/reports",
                           self.window | {"limit": 1})  # fmt: skip
        return reports["reports"][0]["change"]


@pytest.fixture(scope="module")
def live(request) -> Live:
    """The lead's session fixture ``live_api`` (tests/conftest.py), pinned to one window."""
    try:
        live_api = request.getfixturevalue("live_api")
    except pytest.FixtureLookupError:
        pytest.skip("no live_api fixture yet (tests/conftest.py)")
    return Live(live_api.url.rstrip("/"))


@pytest.fixture
def radar(run_cli, live):
    """Run the CLI in-process against the live API; asserts the exit code."""

    def run(*args: str, code: int = 0):
        result = run_cli(*args, "--api-url", live.url)
        assert result.exit_code == code, result.output
        return result

    return run


def rows_of(text: str) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows, "a CSV with a header row and at least one row"
    return rows


def number(text: str) -> float | None:
    return None if text == "" else float(text)


def command_lines(live: Live) -> list[list[str]]:
    healthy, degraded = live.system_named("healthy"), live.system_named("degraded")
    failing = live.system_named("failing")
    windowed = [
        ["systems"],
        ["system", degraded],
        ["jobs", healthy],
        ["reports", healthy, "--limit", "5"],
        ["trend", healthy],
        ["compare", healthy, degraded, failing],
        ["check", healthy],
    ]
    plain = [["change", str(live.a_change())], ["projects"], ["status"]]
    return [args + live.window_args for args in windowed] + plain


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_every_command_in_every_format(radar, live, fmt):
    for args in command_lines(live):
        result = radar(*args, "--format", fmt)
        assert result.stderr == "", args
        assert "\x1b[" not in result.stdout
        if fmt == "json":
            json.loads(result.stdout)
        elif fmt == "csv":
            table = list(csv.reader(io.StringIO(result.stdout)))
            assert len(table) >= 2, args
            assert all(len(row) == len(table[0]) for row in table), args
        else:
            assert result.stdout.strip(), args


def test_systems_equal_the_api(radar, live):
    doc = json.loads(radar("systems", *live.window_args, "--format", "json").stdout)
    assert doc["systems"] == live.systems
    # The API's default order: by severity, the worst status first.
    severity = ["failing", "silent", "degraded", "unknown", "healthy"]
    ranks = [severity.index(s["health"]["status"]) for s in doc["systems"]]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize(("args", "text"), [
    (["--status", "sick"], "status: sick is not one of failing, silent"),
    (["--sort", "colour"], "sort: 'colour' is not one of severity, name"),
])
def test_statuses_and_sort_keys_are_the_apis(radar, live, args, text):
    result = radar("systems", *args, code=2)
    assert text in result.output, result.output
    rows = rows_of(radar("systems", *live.window_args, "--format", "csv").stdout)
    assert [row["username"] for row in rows] == [s["username"] for s in live.systems]
    for row, system in zip(rows, live.systems, strict=True):
        health, stats = system["health"], system["stats"]
        assert row["status"] == health["status"]
        for key in ("score", "coverage", "timeliness", "success_rate", "stability"):
            assert number(row[key]) == health[key], (system["username"], key)
        for key in ("reports", "success", "failure", "latency_p50_s", "rechecks"):
            assert number(row[key]) == stats[key], (system["username"], key)
        assert row["last_report_at"] == (stats["last_report_at"] or "")


def test_systems_table_shows_the_apis_figures(radar, live):
    lines = radar("systems", *live.window_args).stdout.splitlines()
    assert lines[0].endswith(f", {len(live.systems)} systems")
    for line, system in zip(lines[2:], live.systems, strict=True):
        cells = line.split()
        assert cells[0] == str(live.systems.index(system) + 1)
        assert cells[1] == system["username"]
        assert system["health"]["status"] in cells
        assert fmt_score(system["health"]["score"]) in cells
        assert fmt_pct(system["health"]["coverage"]) in cells


def test_status_filter(radar, live):
    failing, silent = live.system_named("failing"), live.system_named("silent")
    rows = rows_of(radar("systems", *live.window_args, "--status", "failing,silent",
                         "--format", "csv").stdout)  # fmt: skip
    expected = [
        s["username"] for s in live.systems if s["health"]["status"] in ("failing", "silent")
    ]
    assert [row["username"] for row in rows] == expected
    assert {failing, silent} <= set(expected)


@pytest.mark.parametrize("status", STATUSES)
def test_system_equals_the_api_and_says_why(radar, live, status):
    name = live.system_named(status)
    api = live.get(f"/v1/systems/{name}", live.window)
    assert json.loads(radar("system", name, *live.window_args, "--format", "json").stdout) == api
    text = radar("system", name, *live.window_args).stdout
    assert f"score:  {fmt_score(api['health']['score'])}" in text
    assert f"status: {status}" in text
    if status == "healthy":
        assert "why:" not in text
    else:
        why = [line for line in text.splitlines() if line.startswith("why:")]
        assert why == [f"why:    {status}: " + ("; ".join(api["reasons"]) or
                                                "no reason given by the API")]  # fmt: skip
    row = rows_of(radar("system", name, *live.window_args, "--format", "csv").stdout)[0]
    assert number(row["score"]) == api["health"]["score"]
    assert row["contact_email"] == (api["contacts"]["email"] or "")


def test_jobs_equal_the_api(radar, live):
    name = live.system_named("healthy")
    api = live.get(f"/v1/systems/{name}/jobs", live.window)
    assert json.loads(radar("jobs", name, *live.window_args, "--format", "json").stdout) == api
    rows = rows_of(radar("jobs", name, *live.window_args, "--format", "csv").stdout)
    assert [(r["name"], int(r["runs"])) for r in rows] == [
        (j["name"], j["runs"]) for j in api["jobs"]
    ]
    text = radar("jobs", name, *live.window_args).stdout
    for job in api["jobs"]:
        assert job["name"] in text


def test_reports_newest_first_across_pages(radar, live):
    name = live.system_named("healthy")
    every = live.collect(f"/v1/systems/{name}/reports", "reports", live.window | {"limit": 7})
    assert len(every) > 7, "enough reports to need several pages"
    doc = json.loads(radar("reports", name, *live.window_args, "--limit", "0",
                           "--format", "json").stdout)  # fmt: skip
    assert doc["reports"] == every
    dates = [r["date"] for r in doc["reports"]]
    assert dates == sorted(dates, reverse=True)
    rows = rows_of(radar("reports", name, *live.window_args, "--limit", "3",
                         "--format", "csv").stdout)  # fmt: skip
    assert [int(r["id"]) for r in rows] == [r["id"] for r in every[:3]]
    table = radar("reports", name, *live.window_args, "--limit", "3").stdout.splitlines()
    assert len(table) == 2 + 3


def test_trend_equals_the_api_with_a_sparkline(radar, live):
    name = live.system_named("healthy")
    api = live.get(f"/v1/systems/{name}/trend", live.window)
    assert json.loads(radar("trend", name, *live.window_args, "--format", "json").stdout) == api
    text = radar("trend", name, *live.window_args).stdout
    spark = next(line for line in text.splitlines() if line.startswith("score "))
    assert sparkline([p["score"] for p in api["points"]], lo=0, hi=100) in spark
    rows = rows_of(radar("trend", name, *live.window_args, "--format", "csv").stdout)
    assert [number(r["score"]) for r in rows] == [p["score"] for p in api["points"]]
    weekly = live.get(f"/v1/systems/{name}/trend", live.window | {"bucket": "week"})
    doc = radar("trend", name, *live.window_args, "--bucket", "week", "--format", "json")
    assert json.loads(doc.stdout) == weekly


def test_compare_side_by_side(radar, live):
    names = [live.system_named(s) for s in ("healthy", "degraded", "failing")]
    apis = [live.get(f"/v1/systems/{name}", live.window) for name in names]
    doc = json.loads(radar("compare", *names, *live.window_args, "--format", "json").stdout)
    assert doc["systems"] == apis
    rows = {r["figure"]: r for r in rows_of(radar("compare", *names, *live.window_args,
                                                  "--format", "csv").stdout)}  # fmt: skip
    for name, api in zip(names, apis, strict=True):
        assert number(rows["score"][name]) == api["health"]["score"]
        assert rows["status"][name] == api["health"]["status"]
        assert number(rows["reports"][name]) == api["stats"]["reports"]
    header = radar("compare", *names, *live.window_args).stdout.splitlines()[1].split()
    assert header == ["FIGURE", *names]


def test_change_grid_equals_the_api(radar, live):
    number_ = live.a_change()
    api = live.get(f"/v1/changes/{number_}")
    assert json.loads(radar("change", str(number_), "--format", "json").stdout) == api
    rows = rows_of(radar("change", str(number_), "--format", "csv").stdout)
    usernames = {s["id"]: s["username"] for s in api["systems"]}
    assert len(rows) == len(api["patchsets"])
    for row, patchset in zip(rows, api["patchsets"], strict=True):
        assert int(row["patchset"]) == patchset["number"]
        for result in patchset["results"]:
            assert row[usernames[result["system_id"]]] == result["result"]
    text = radar("change", str(number_)).stdout
    assert f"change {number_} ({api['project']}" in text


def test_projects_and_status_equal_the_api(radar, live):
    assert json.loads(radar("projects", "--format", "json").stdout) == live.get("/v1/projects")
    cli = json.loads(radar("status", "--format", "json").stdout)
    api = live.get("/v1/status")
    assert cli["totals"] == api["totals"]
    assert cli["poll_interval"] == api["poll_interval"]
    assert cli["collector"]["polls"] == api["collector"]["polls"]
    text = radar("status").stdout
    assert "collector" in text and "totals" in text


@pytest.mark.parametrize("status", STATUSES)
def test_check_exit_codes(radar, live, status):
    name = live.system_named(status)
    code, state = EXPECTED_CHECK[status]
    api = live.get(f"/v1/systems/{name}", live.window)
    result = radar("check", name, *live.window_args, code=code)
    line = result.stdout
    assert line.startswith(f"RADAR {state} - {name} score ")
    assert line.count("\n") == 1
    score = api["health"]["score"]
    if score is not None:
        assert f" score={score};80:;50:;0;100" in line


def test_check_unknown_system_and_unreachable_api(radar, live):
    assert radar("check", "no-such-ci", code=3).stdout.startswith("RADAR UNKNOWN - ")
    result = subprocess.run([sys.executable, "-m", "radar_client.cli", "check", "x",
                             "--api-url", closed_port_url()], capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    assert result.returncode == 3
    assert result.stdout.startswith("RADAR UNKNOWN - cannot reach the Radar API")


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["systems", "--window", "7x"], 2, "Invalid value for '--window'"),
        (["systems", "--format", "yaml"], 2, "Invalid value for '--format'"),
        (["system", "no-such-ci"], 1, "no-such-ci"),
        (["change", "999999999"], 1, "999999999"),
        (["systems", "--window", "9999d"], 2, ""),  # well formed, refused by the API (400)
    ],
)
def test_errors(run_cli, live, args, code, text):
    result = run_cli(*args, "--api-url", live.url)
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("radar: error: ") and result.stderr.count("\n") == 1
    assert text in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_api(run_cli):
    result = run_cli("systems", "--api-url", closed_port_url())
    assert result.exit_code == 1
    assert result.stderr.startswith("radar: error: cannot reach the Radar API at ")


def test_real_processes(run_radar, live):
    result = run_radar("systems", *live.window_args, "--format", "json",
                       env={"RADAR_API_URL": live.url})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["systems"] == live.systems
    result = run_radar("system", "no-such-ci", "--api-url", live.url)
    assert result.returncode == 1
    assert result.stderr.startswith("radar: error: ") and "Traceback" not in result.stderr


def test_the_radar_script(live):
    name = live.system_named("failing")
    result = subprocess.run([RADAR_SCRIPT, "check", name, *live.window_args, "--api-url", live.url],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2
    assert result.stdout.startswith(f"RADAR CRITICAL - {name} ")
