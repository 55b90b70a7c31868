"""The pure formatting helpers: values, sparklines, tables, CSV and JSON."""

import csv
import io
import json
from datetime import UTC, datetime

import click
import pytest

from radar_client import formatting as f

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("score", "text"), [(97, "97"), (96.6, "97"), (0, "0"), (100, "100"), (None, "-")]
)
def test_score(score, text):
    assert f.fmt_score(score) == text


@pytest.mark.parametrize(
    ("ratio", "text"),
    [(0.985, "98.5%"), (1.0, "100%"), (0.91, "91%"), (0.0, "0%"), (0.12345, "12.3%"), (None, "-")],
)
def test_percentage(ratio, text):
    assert f.fmt_pct(ratio) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (42.4, "42s"),
        (1812, "30m 12s"),
        (3725, "1h 02m"),
        (1830.0, "30m 30s"),
        (3 * 86400 + 4 * 3600 + 5, "3d 4h"),
        (None, "-"),
        (-90, "-1m 30s"),
    ],
)
def test_duration(seconds, text):
    assert f.fmt_duration(seconds) == text


@pytest.mark.parametrize(
    ("stamp", "text"),
    [
        ("2026-11-23T07:00:00Z", "3 h ago"),
        ("2026-11-23T09:59:30Z", "just now"),
        ("2026-11-23T09:48:00Z", "12 min ago"),
        ("2026-11-21T09:00:00Z", "2 d ago"),
        ("2026-11-23T13:00:00Z", "in 3 h"),
        (None, "-"),
    ],
)
def test_ago(stamp, text):
    assert f.fmt_ago(stamp, NOW) == text


def test_times_are_utc():
    assert f.fmt_time("2026-11-23T09:51:00Z") == "2026-11-23 09:51"
    assert f.fmt_time("2026-11-23T10:51:00+01:00") == "2026-11-23 09:51"
    assert f.parse_time("2026-11-23T09:51:00") == datetime(2026, 11, 23, 9, 51, tzinfo=UTC)


def test_vote():
    assert [f.fmt_vote(v) for v in (1, -1, 2, 0, None)] == ["+1", "-1", "+2", "+0", "-"]


def test_sparkline_fixed_range():
    assert f.sparkline([0, 50, 100], lo=0, hi=100) == "▁▅█"
    assert f.sparkline([0.0, 1.0], lo=0, hi=1) == "▁█"


def test_sparkline_gaps_and_flat_and_empty():
    assert f.sparkline([1, None, 3]) == "▁ █"
    assert f.sparkline([5, 5, 5]) == "▅▅▅"
    assert f.sparkline([None, None]) == "  "
    assert f.sparkline([]) == ""


def test_sparkline_clamps_and_ascii():
    assert f.sparkline([-10, 200], lo=0, hi=100) == "▁█"
    assert f.sparkline([0, 100], lo=0, hi=100, bars=f.ASCII_BARS) == "_#"
    assert len(f.sparkline(list(range(30)))) == 30


def test_can_encode():
    assert f.can_encode("▁█", "utf-8")
    assert not f.can_encode("▁█", "ascii")
    assert not f.can_encode("x", "no-such-codec")


def test_table_aligns_columns():
    text = f.render_table(["NAME", "SCORE"], [["a", "97"], ["longer", "5"]], align="lr")
    assert text.splitlines() == ["NAME    SCORE", "a          97", "longer      5"]


def test_table_colour_does_not_break_alignment():
    rows = [[f.status_cell("healthy"), "1"], [f.status_cell("failing"), "22"]]
    plain = f.render_table(["STATUS", "N"], rows, align="lr")
    coloured = f.render_table(["STATUS", "N"], rows, align="lr", color=True)
    assert "\x1b[" not in plain
    assert "\x1b[32m" in coloured  # green healthy
    assert click.unstyle(coloured) == plain


def test_status_colours():
    assert f.status_cell("healthy").fg == "green"
    assert f.status_cell("degraded").fg == "yellow"
    assert f.status_cell("failing").fg == "red"
    assert f.status_cell(None).text == "unknown"


def test_pairs_align_values():
    text = f.render_pairs([("a", "1"), ("longer", "2")])
    assert text.splitlines() == ["a:      1", "longer: 2"]


def test_csv_has_header_and_raw_values():
    text = f.render_csv(["a", "b", "c", "d"], [[1.5, None, True, "x,y"], [0, "", False, [1]]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["a", "b", "c", "d"], ["1.5", "", "true", "x,y"], ["0", "", "false", "[1]"]]


def test_json_round_trips():
    document = {"name": "Zuul ☃", "score": None, "ratios": [0.5]}
    assert json.loads(f.render_json(document)) == document


def test_wide_characters_keep_columns_aligned():
    assert f.display_width("CI 🚀") == 5
    assert f.display_width("Гермес") == 6
    assert f.display_width("e\u0301") == 1  # e + combining acute accent
    text = f.render_table(["NAME", "N"], [["Ünïcode CI 🚀", "1"], ["Zuul", "22"]], align="lr")
    assert [f.display_width(line) for line in text.splitlines()] == [17, 17, 17]
