"""[alerts] channels: parsing, filters, and one-line errors that never show a URL."""

import pytest
from oslo_config import cfg

from radar_core import config
from radar_core.alerts.channels import ChannelError, parse_channel, parse_channels


def test_a_channel_with_filters():
    channel = parse_channel("nova json://h.example.org/x?secret=1 systems=a-ci,b-ci "
                            "projects=openstack/nova statuses=failing")
    assert (channel.name, channel.url) == ("nova", "json://h.example.org/x?secret=1")
    assert channel.wants("a-ci", {"openstack/nova", "other"}, "failing")
    assert not channel.wants("c-ci", {"openstack/nova"}, "failing")  # system
    assert not channel.wants("a-ci", {"openstack/neutron"}, "failing")  # project
    assert not channel.wants("a-ci", {"openstack/nova"}, "silent")  # status
    assert "secret" not in repr(channel)
    everything = parse_channel("all mailto://u:pw@smtp.example.org")
    assert everything.wants(None, set(), "silent") and not everything.alertmanager
    assert parse_channel("am alertmanager://127.0.0.1:9093").alertmanager


@pytest.mark.parametrize(("line", "message"), [
    ("lonely", "give a name and a URL"),
    ("bad/name json://x", "use letters"),
    ("n not-a-url", "must be a URL"),
    ("n json://x colour=red", "unknown filter 'colour'"),
    ("n json://x statuses=sad", "unknown status 'sad'"),
])
def test_bad_channels(line, message):
    with pytest.raises(ChannelError, match=message):
        parse_channel(line)


def test_two_channels_with_one_name():
    with pytest.raises(ChannelError, match="two channels"):
        parse_channels(["a json://x", "a json://y"])


def test_a_bad_channel_in_the_file_is_one_line_without_its_url(tmp_path):
    path = tmp_path / "radar.conf"
    path.write_text("[alerts]\nchannels = ops json://hooks.example.org/T0KEN colour=red\n")
    conf = cfg.ConfigOpts()
    for group, opts in config.list_opts():
        conf.register_opts(opts, group=group)
    with pytest.raises(config.ConfigError) as caught:
        config.load([str(path)], conf)
    assert str(caught.value) == ("[alerts] channels: channel ops: unknown filter 'colour' "
                                 "(use systems=..., projects=..., statuses=...)")
    path.write_text("[alerts]\nstatuses = failing,grumpy\n")
    with pytest.raises(config.ConfigError, match="unknown status 'grumpy'"):
        config.load([str(path)], conf)
