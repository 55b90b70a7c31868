"""Gerrit text is anyone's: a CI name or job name with terminal escapes prints as harmless text
in every format of every command, and in error messages."""

import pytest

from radar_client.formatting import printable
from tests.client import canned
from tests.client.canned import CannedApi
from tests.client.test_cli_canned import COMMANDS

EVIL = "\x1b]0;owned\x07\x1b[2J\x1b[31mEvil\x9b2J\x00 CI\u202e\r\nx"
UNSAFE = ["\x1b", "\x07", "\x00", "\x9b", "\u202e", "\r"]


@pytest.fixture
def evil_api(monkeypatch):
    for system in canned.SYSTEMS:
        monkeypatch.setitem(system, "name", EVIL + system["name"])
    for job in canned.JOBS:
        monkeypatch.setitem(job, "name", EVIL)
    for report in canned.REPORTS:
        monkeypatch.setitem(report, "pipeline", EVIL)
    api = CannedApi().start()
    yield api
    api.stop()


def test_printable_keeps_text_and_drops_controls():
    assert printable(EVIL) == "]0;owned[2J[31mEvil2J CI  x"
    assert printable("naïve 🙂 CI\ttab") == "naïve 🙂 CI tab"


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_every_format_prints_gerrit_text_harmlessly(run_cli, evil_api, fmt):
    for args in COMMANDS + [["check", "healthy-ci"]]:
        result = run_cli(*args, "--api-url", evil_api.url, "--format", fmt, "--color", "never")
        for char in UNSAFE:
            assert char not in result.stdout + result.stderr, (args, fmt, repr(char))
    # The text itself is still there.
    assert "Evil" in run_cli("systems", "--api-url", evil_api.url, "--format", fmt).stdout


def test_an_error_message_is_printed_harmlessly(run_cli, canned_api):
    result = run_cli("system", "no\x1b[2Jsuch\x00", "--api-url", canned_api.url)
    assert result.exit_code != 0
    for char in UNSAFE:
        assert char not in result.stderr
