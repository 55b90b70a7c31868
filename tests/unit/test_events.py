"""Gerrit stream events read as partial ChangeInfo objects (radar_collector.events)."""

import pytest

from radar_collector import events

CI = {"name": "Acme CI", "email": "ci@acme.example", "username": "acme-ci"}
HUMAN = {"name": "Ana", "email": "ana@example.org", "username": "ana"}
IDS = {"acme-ci": 101, "ana": 1000}


def accounts(attributes):
    return IDS.get(attributes.get("username"))


def comment(author=CI, text="Patch Set 2: Verified+1\n\nBuild succeeded.", **extra):
    return {
        "type": "comment-added",
        "change": {"project": "openstack/nova", "branch": "master", "id": "I1", "number": 42,
                   "subject": "Fix", "owner": HUMAN, "status": "NEW", "createdOn": 1764576000},
        "patchSet": {"number": 2, "revision": "abc", "createdOn": 1764579600, "uploader": HUMAN},
        "author": author,
        "comment": text,
        "eventCreatedOn": 1764583200,
        **extra,
    }


def test_a_comment_is_a_change_with_one_patchset_and_one_message():
    info = events.change_info(comment(), accounts)
    assert (info["_number"], info["project"], info["status"]) == (42, "openstack/nova", "NEW")
    assert info["updated"] == "2025-12-01 10:00:00.000000000"
    assert info["owner"] == {"_account_id": 1000, **HUMAN}
    assert info["revisions"] == {"abc": {"_number": 2, "created": "2025-12-01 09:00:00.000000000",
                                         "uploader": {"_account_id": 1000, **HUMAN}}}
    [message] = info["messages"]
    assert message["author"]["_account_id"] == 101 and message["_revision_number"] == 2
    assert message["id"].startswith(events.STREAM_PREFIX)
    assert message["id"] == events.change_info(comment(), accounts)["messages"][0]["id"]
    other = events.change_info(comment(text="recheck"), accounts)["messages"][0]["id"]
    assert other != message["id"]


def test_a_comment_by_an_unknown_account_is_left_to_the_rest_poll():
    info = events.change_info(comment(author={"name": "New Bot", "username": "new-bot"}), accounts)
    assert info["messages"] == [] and info["revisions"]


def test_events_that_store_nothing_and_malformed_events():
    assert events.change_info({"type": "ref-updated", "eventCreatedOn": 1}, accounts) is None
    with pytest.raises(events.MalformedEvent):
        events.change_info({"type": "comment-added", "eventCreatedOn": 1}, accounts)
    with pytest.raises(events.MalformedEvent):
        events.change_info(comment(patchSet={"number": "x"}), accounts)
    for line in ("{not json", "[1, 2]", '{"no": "type"}', ""):
        with pytest.raises(events.MalformedEvent):
            events.parse_line(line)
    assert events.parse_line('{"type": "comment-added"}') == {"type": "comment-added"}


def test_events_of_one_change_merge_into_one_info():
    created = {**comment(), "type": "patchset-created"}
    created["patchSet"] = {"number": 3, "revision": "def", "createdOn": 1764583300}
    merged = events.merge([events.change_info(comment(), accounts),
                           events.change_info(created, accounts)])
    [info] = merged
    assert set(info["revisions"]) == {"abc", "def"} and len(info["messages"]) == 1
