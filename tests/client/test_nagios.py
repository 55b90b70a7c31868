"""`radar check`'s decision and output, without a server; the output is read back with
nagiosplugin's own Range and Performance, and must agree with the thresholds given."""

import nagiosplugin
import pytest

from radar_client import nagios
from radar_client.nagios import State
from tests.client.canned import SYSTEMS, system_detail


def one(status, score, warn="80:", crit="50:", reasons=()):
    doc = {"username": "x-ci", "health": {"status": status, "score": score},
           "stats": {}, "reasons": list(reasons)}
    return nagios.check([("x-ci", doc, None)], warn, crit)


@pytest.mark.parametrize(
    ("status", "score", "state"),
    [
        ("healthy", 97, State.OK),
        ("healthy", 80, State.OK),
        ("healthy", 79, State.WARNING),  # below -w 80: while the server says healthy
        ("healthy", 49, State.CRITICAL),  # below -c 50:
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
def test_states(status, score, state):
    assert one(status, score).state is state


def parse_perfdata(perfdata: str) -> dict[str, nagiosplugin.Performance]:
    """Each ``label=value[uom];warn;crit;min;max`` as nagiosplugin's Performance; asserts
    that nagiosplugin writes it back the same."""
    parsed = {}
    for token in perfdata.split():
        label, _, rest = token.partition("=")
        value, warn, crit, low, high = (rest.split(";") + [""] * 5)[:5]
        number = value.rstrip("s")
        uom = value[len(number):]
        performance = nagiosplugin.Performance(
            label.strip("'"), float(number) if "." in number else int(number), uom,
            nagiosplugin.Range(warn) if warn else "", nagiosplugin.Range(crit) if crit else "",
            low, high)
        assert str(performance) == token
        parsed[performance.label] = performance
    return parsed


@pytest.mark.parametrize(("warn", "crit"), [("80:", "50:"), ("90:", "60:"), ("60:100", "@0:30"),
                                            ("~:95", "10:")])
@pytest.mark.parametrize("system", SYSTEMS[:3])
def test_perfdata_ranges_agree_with_the_state(system, warn, crit):
    result = nagios.check([(system["username"], system_detail(system), None)], warn, crit)
    score = parse_perfdata(result.perfdata)["score"]
    assert score.value == system["health"]["score"]
    assert (str(score.warn), str(score.crit)) == (str(nagiosplugin.Range(warn)),
                                                  str(nagiosplugin.Range(crit)))
    by_score = (State.CRITICAL if not score.crit.match(score.value)
                else State.WARNING if not score.warn.match(score.value) else State.OK)
    by_status = {"healthy": State.OK, "degraded": State.WARNING}.get(
        system["health"]["status"], State.CRITICAL)
    assert result.state is max(by_score, by_status)
    assert result.line().startswith(f"RADAR {result.state.name} - {system['username']} score ")


def test_ok_line():
    result = nagios.check([("healthy-ci", system_detail(SYSTEMS[0]), None)])
    assert result.state is State.OK
    assert result.line().startswith("RADAR OK - healthy-ci score 97 (healthy) | ")
    perf = parse_perfdata(result.perfdata)
    assert str(perf["score"]) == "score=97;80:;50:;0;100"
    assert perf["success_rate"].value == 0.91 and perf["latency_p50"].uom == "s"


def test_not_ok_says_why_from_the_reasons():
    result = nagios.check([("flaky-ci", system_detail(SYSTEMS[1]), None)])
    assert result.state is State.WARNING
    assert result.summary == (
        "flaky-ci score 72 (degraded): success rate 60% is low; stability 50% is low"
    )


def test_threshold_reason_when_healthy_but_outside_warn():
    result = one("healthy", 97, warn="98:")
    assert result.state is State.WARNING
    assert result.summary.endswith("(healthy): score 97 outside 98:")


def test_several_systems_give_the_worst_and_label_their_perfdata():
    systems = [(s["username"], system_detail(s), None) for s in SYSTEMS[:3]]
    systems.append(("no-such-ci", None, "no CI system 'no-such-ci'"))
    result = nagios.check(systems)
    assert result.state is State.UNKNOWN  # worst: one system could not be checked
    assert result.state == max(State.OK, State.WARNING, State.CRITICAL, State.UNKNOWN)
    perf = parse_perfdata(result.perfdata)
    assert {"healthy-ci_score", "flaky-ci_score", "broken-ci_score"} <= set(perf)
    assert "no CI system 'no-such-ci'" in result.summary
    result = nagios.check(systems[:2])
    assert result.state is State.WARNING


def test_bad_ranges():
    for warn in ("abc", "10:5", "1:2:3"):
        with pytest.raises(ValueError, match="-w"):
            nagios.validate(warn, "50:")


def test_line_is_one_line_without_extra_pipes():
    result = nagios.CheckResult(State.CRITICAL, "a | b\nc", "score=1")
    assert result.line() == "RADAR CRITICAL - a / b c | score=1"
    assert nagios.unknown("no API").line() == "RADAR UNKNOWN - no API"
