"""Gerrit query parsing and matching (radar_demo.query)."""

from datetime import datetime, timedelta

import pytest

from radar_demo import query
from radar_demo.scenario import Scenario

END = datetime(2026, 3, 15, 12, 0)


@pytest.fixture(scope="module")
def world():
    """Four changes with known projects, branches, statuses, owners and update times."""
    scenario = Scenario(END)
    specs = [
        ("openstack/nova", "master", "NEW", 1000, timedelta(hours=1)),
        ("openstack/nova", "stable/2026.1", "MERGED", 1001, timedelta(days=1, hours=1)),
        ("openstack/cinder", "master", "ABANDONED", 1000, timedelta(days=3)),
        ("openstack/swift", "master", "NEW", 1002, timedelta(days=10)),
    ]
    for project, branch, status, owner, age in specs:
        change = scenario.add_change(project, branch, owner, END - age)
        change.status = status
    return scenario


def numbers(scenario, text):
    predicate = query.parse(text)
    return [c.number - 880000 for c in scenario.changes if predicate(c, scenario)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [1, 2, 3, 4]),
        ("project:openstack/nova", [1, 2]),
        ('project:"openstack/cinder"', [3]),
        ("project:{openstack/swift}", [4]),
        ("branch:stable/2026.1", [2]),
        ("branch:refs/heads/master", [1, 3, 4]),
        ("status:open", [1, 4]),
        ("status:merged", [2]),
        ("status:abandoned", [3]),
        ("status:closed", [2, 3]),
        ("is:open", [1, 4]),
        ('after:"2026-03-14 10:00:00"', [1, 2]),
        ('since:"2026-03-14 11:00:00"', [1, 2]),
        ("after:2026-03-14", [1, 2]),
        ('after:"2026-03-14 11:00:00.000000000"', [1, 2]),
        ('before:"2026-03-14 11:00:00"', [2, 3, 4]),
        ('until:"2026-03-12 12:00"', [3, 4]),
        ("-age:2d", [1, 2]),
        ("age:2d", [3, 4]),
        ("age:1week", [4]),
        ("NOT age:30h", [1, 2]),
        ("owner:1000", [1, 3]),
        ("owner:bjones", [2]),
        ("owner:jmuller@example.org", [4]),
        ("owner:nobody", []),
        ("change:880003", [3]),
        ("880004", [4]),
        ("project:openstack/nova status:open", [1]),
        ("project:openstack/nova AND status:merged", [2]),
        ("project:openstack/cinder OR project:openstack/swift", [3, 4]),
        ("-project:openstack/nova", [3, 4]),
        ("NOT project:openstack/nova", [3, 4]),
        ("(project:openstack/nova OR project:openstack/swift) status:open", [1, 4]),
        ("-(status:open OR status:merged)", [3]),
        ("status:open OR status:merged AND branch:master", [1, 4]),
        ('project:openstack/nova after:"2026-03-14 00:00:00" -age:2d', [1, 2]),
    ],
)
def test_operators(world, text, expected):
    assert numbers(world, text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("foo:bar", "Unsupported operator foo:bar"),
        ("status:sleeping", "Unrecognized value: sleeping"),
        ("after:yesterday", "Invalid timestamp: yesterday"),
        ("age:2fortnights", "Invalid age: 2fortnights"),
        ("(project:a", "missing ')'"),
        ('project:"unterminated', "unterminated"),
        ("project:a OR", "no viable alternative"),
        ("justaword", "Unsupported query: justaword"),
        ("project:a )", "extraneous input"),
    ],
)
def test_errors(text, message):
    with pytest.raises(query.QueryError, match=message.replace("(", r"\(").replace(")", r"\)")):
        query.parse(text)


def test_parse_time_formats():
    assert query.parse_time("2026-03-14 10:11:12") == datetime(2026, 3, 14, 10, 11, 12)
    assert query.parse_time("2026-03-14 10:11") == datetime(2026, 3, 14, 10, 11)
    assert query.parse_time("2026-03-14") == datetime(2026, 3, 14)
    assert query.parse_time("2026-03-14 10:11:12.123456789") == datetime(
        2026, 3, 14, 10, 11, 12, 123456
    )
