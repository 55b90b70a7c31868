"""The generated sample configuration stays current, and options parse as documented."""

import pathlib
import subprocess
import sys

import pytest
from oslo_config import cfg

from radar_core import config
from radar_core.durations import parse_duration

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_sample_config_is_current(tmp_path):
    output = tmp_path / "radar.conf.sample"
    subprocess.run(
        [sys.executable, "-m", "oslo_config.generator",
         "--config-file", str(ROOT / "etc" / "radar-config-generator.conf"),
         "--output-file", str(output)],
        check=True, cwd=ROOT,
    )
    current = (ROOT / "etc" / "radar.conf.sample").read_text()
    assert output.read_text() == current, (
        "etc/radar.conf.sample is stale: run scripts/genconfig and commit the result"
    )


def test_every_option_has_help():
    for group, opts in config.list_opts():
        for opt in opts:
            assert opt.help and opt.help.endswith("."), f"[{group}] {opt.name} lacks help"


def test_config_file_is_read(tmp_path):
    path = tmp_path / "radar.conf"
    path.write_text("[gerrit]\nurl = https://review.example.org\nprojects = a/b, c/d\n"
                    "[collector]\nbackfill_days = 3\n")
    conf = cfg.ConfigOpts()
    for group, opts in config.list_opts():
        conf.register_opts(opts, group=group)
    config.parse_args(["--config-file", str(path)], conf)
    assert conf.gerrit.url == "https://review.example.org"
    assert conf.gerrit.projects == ["a/b", "c/d"]
    assert conf.collector.backfill_days == 3
    assert conf.collector.poll_interval == 300
    assert conf.database.connection.startswith("sqlite:///")


def test_bad_duration_in_config_is_refused(tmp_path):
    path = tmp_path / "radar.conf"
    path.write_text("[health]\nreport_deadline = soon\n")
    conf = cfg.ConfigOpts()
    for group, opts in config.list_opts():
        conf.register_opts(opts, group=group)
    config.parse_args(["--config-file", str(path)], conf)
    with pytest.raises(ValueError):
        conf.health.report_deadline  # noqa: B018 - the access validates


@pytest.mark.parametrize("text,seconds", [("90", 90), ("90s", 90), ("15m", 900), ("4h", 14400),
                                          ("7d", 604800), ("2w", 1209600), (" 3d ", 259200)])
def test_parse_duration(text, seconds):
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "h", "-1h", "1.5h", "4 hours", "1y", "9999999999d"])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)
