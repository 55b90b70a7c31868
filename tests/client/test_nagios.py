"""`radar check`'s decision and output, without a server."""

import pytest

from radar_client import nagios
from radar_client.nagios import State
from tests.client.canned import SYSTEMS, system_detail


@pytest.mark.parametrize(
    ("status", "score", "state"),
    [
        ("healthy", 97, State.OK),
        ("healthy", 80, State.OK),
        ("healthy", 79, State.WARNING),  # below --warn while the server says healthy
        ("healthy", 49, State.CRITICAL),  # below --crit
        ("healthy", None, State.OK),
        ("degraded", 95, State.WARNING),
        ("degraded", 72, State.WARNING),
        ("degraded", 40, State.CRITICAL),
        ("failing", 99, State.CRITICAL),  # regardless of the score
        ("silent", 99, State.CRITICAL),
        ("silent", None, State.CRITICAL),
        ("unknown", 99, State.UNKNOWN),
        ("mysterious", 99, State.UNKNOWN),
    ],
)
def test_classify(status, score, state):
    assert nagios.classify(status, score, warn=80, crit=50)[0] is state


def test_ok_line_matches_the_documented_example():
    result = nagios.evaluate(system_detail(SYSTEMS[0]), warn=80, crit=50)
    assert result.state is State.OK
    assert result.line().startswith(
        "RADAR OK - healthy-ci score 97 (healthy) | score=97;80;50;0;100 coverage=1.0 "
    )
    assert " success_rate=0.91 " in result.line()
    assert " latency_p50=1830s" in result.line()


def test_not_ok_says_why_from_the_reasons():
    result = nagios.evaluate(system_detail(SYSTEMS[1]), warn=80, crit=50)
    assert result.state is State.WARNING
    assert result.summary == (
        "flaky-ci score 72 (degraded): success rate 60% is low; stability 50% is low"
    )


def test_threshold_reason_when_healthy_but_below_warn():
    result = nagios.evaluate(system_detail(SYSTEMS[0]), warn=98, crit=50)
    assert result.state is State.WARNING
    assert result.summary.endswith("(healthy): score 97 < 98")


def test_unknown_values_are_U():
    result = nagios.evaluate(system_detail(SYSTEMS[4]), warn=80, crit=50)
    assert result.state is State.UNKNOWN
    assert "score=U;80;50;0;100" in result.perfdata
    assert "latency_p50=U" in result.perfdata
    assert "score n/a (unknown)" in result.summary


def test_line_is_one_line_without_extra_pipes():
    result = nagios.CheckResult(State.CRITICAL, "a | b\nc", "score=1")
    assert result.line() == "RADAR CRITICAL - a / b c | score=1"
    assert nagios.unknown("no API").line() == "RADAR UNKNOWN - no API"
