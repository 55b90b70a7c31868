"""Gerrit's stream-events, read as the ChangeInfo objects the store takes.

``ssh -p 29418 user@host gerrit stream-events`` writes one JSON object per line
(``comment-added``, ``patchset-created``, ``change-merged``, ...; Gerrit's documentation,
"gerrit stream-events"). ``change_info(event, accounts)`` turns one into a partial ChangeInfo:
the change, the patchset the event names, and for ``comment-added`` the message, so that
events are stored by the same idempotent path as the REST poll's changes.

Stream events name accounts by name, email and username, never by account id: ``accounts``
resolves them to the ids the REST poll stored; a comment by an account the database does not
know yet is left to the REST poll. A stream message has no Gerrit message id: it gets a
stable one of its own (``stream:`` and a digest of change, author, time and text); the REST
poll, seeing the real message later, adopts that row (radar_collector.bulk).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime

from radar_collector import sanitise

STREAM_PREFIX = "stream:"
STORED_TYPES = frozenset({"comment-added", "patchset-created", "change-merged",
                          "change-abandoned", "change-restored"})


class MalformedEvent(ValueError):
    """A line of the stream that is not an event Radar can read."""


def parse_line(line: str | bytes) -> dict:
    """The event of one line; MalformedEvent when it is not a JSON object with a type."""
    try:
        event = json.loads(line)
    except (TypeError, ValueError) as exc:
        raise MalformedEvent(f"not JSON: {str(exc)[:80]}") from None
    event = sanitise.clean(event)  # storable text, as for REST replies
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise MalformedEvent("not an event object")
    return event


def gerrit_time(seconds) -> str:
    moment = datetime.fromtimestamp(int(seconds), UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S.000000000")


def stream_message_id(number: int, author_id: int, created: int, text: str) -> str:
    digest = hashlib.sha1(f"{number}/{author_id}/{created}/{text}".encode()).hexdigest()
    return STREAM_PREFIX + digest[:32]


def change_info(event: dict, accounts: Callable[[dict], int | None]) -> dict | None:
    """The partial ChangeInfo of an event, or None for an event that stores nothing.

    Raises MalformedEvent when a stored type lacks what it needs."""
    kind = event.get("type")
    if kind not in STORED_TYPES:
        return None
    change = event.get("change")
    try:
        created_on = int(event["eventCreatedOn"])
        number = int(change["number"])
        project = change["project"]
        if not isinstance(project, str) or not project:
            raise TypeError("no project")
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedEvent(f"{kind} without {exc}") from None

    def account(attributes) -> dict | None:
        account_id = accounts(attributes) if isinstance(attributes, dict) else None
        if account_id is None:
            return None
        fields = {k: attributes[k] for k in ("name", "email", "username")
                  if isinstance(attributes.get(k), str)}
        return {"_account_id": account_id, **fields}

    info = {
        "_number": number,
        "project": project,
        "branch": change.get("branch"),
        "change_id": change.get("id"),
        "subject": change.get("subject"),
        "status": change.get("status"),
        "created": gerrit_time(change.get("createdOn") or created_on),
        "updated": gerrit_time(created_on),
        "owner": account(change.get("owner")),
        "revisions": {},
        "messages": [],
    }
    patchset = event.get("patchSet")
    ps_number = None
    if isinstance(patchset, dict):
        try:
            ps_number = int(patchset["number"])
            info["revisions"][str(patchset["revision"])] = {
                "_number": ps_number,
                "created": gerrit_time(patchset["createdOn"]),
                "uploader": account(patchset.get("uploader")),
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedEvent(f"{kind} with a bad patchSet: {exc}") from None
    if kind == "comment-added":
        author = account(event.get("author"))
        comment = event.get("comment")
        if author is not None and isinstance(comment, str):
            info["messages"].append({
                "id": stream_message_id(number, author["_account_id"], created_on, comment),
                "author": author,
                "date": gerrit_time(created_on),
                "message": comment,
                "_revision_number": ps_number,
                sanitise.FLAG: event.get(sanitise.FLAG) is True,
            })
    return info


def merge(infos: list[dict]) -> list[dict]:
    """One ChangeInfo per change of a batch of events: the later event's change fields, every
    event's patchsets and messages (the store takes each change once per batch)."""
    merged: dict[int, dict] = {}
    for info in infos:
        number = info["_number"]
        if number not in merged:
            merged[number] = {**info, "revisions": dict(info["revisions"]),
                              "messages": list(info["messages"])}
            continue
        into = merged[number]
        revisions, messages = into["revisions"], into["messages"]
        into.update(info, revisions=revisions, messages=messages)
        revisions.update(info["revisions"])
        messages.extend(info["messages"])
    return list(merged.values())
