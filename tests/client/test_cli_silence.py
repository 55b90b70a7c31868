"""`radar silence add/list/end` against the live API over HTTP, with a token from the server's
own command; without a token or with a revoked one, a one-line error."""

import json
from datetime import datetime

from radar_core import tokens
from radar_core.db import transaction


def test_silence_add_list_end(live_api, run_cli):
    with transaction(live_api.stack.engine) as session:
        token = tokens.create(session, "cli-test", datetime(2026, 1, 1))
    env = {"RADAR_API_TOKEN": token}
    url = ("--api-url", live_api.url)

    refused = run_cli("silence", "add", "acme-ci", "--for", "2h", "--comment", "x", *url)
    assert refused.exit_code == 1
    assert refused.output.strip().startswith("radar: error: writes need a token")

    added = run_cli("silence", "add", "acme-ci", "--for", "2h", "--comment",
                    "storage upgrade", "--format", "json", *url, env=env)
    assert added.exit_code == 0, added.output
    silence = json.loads(added.output)["silences"][0]
    assert (silence["username"], silence["author"], silence["active"]) == (
        "acme-ci", "cli-test", True)
    listed = run_cli("silence", "list", *url)
    assert listed.exit_code == 0
    assert "acme-ci" in listed.output and "storage upgrade" in listed.output
    usage = run_cli("silence", "add", "acme-ci", "--comment", "no end", *url, env=env)
    assert usage.exit_code == 2 and "--until or --for" in usage.output
    ended = run_cli("silence", "end", str(silence["id"]), "--format", "json", *url, env=env)
    assert ended.exit_code == 0, ended.output
    assert json.loads(ended.output)["silences"][0]["active"] is False
    assert "no silences" in run_cli("silence", "list", *url).output
    assert token not in listed.output + added.output + ended.output

    with transaction(live_api.stack.engine) as session:
        tokens.revoke(session, "cli-test", datetime(2026, 1, 1))
    revoked = run_cli("silence", "end", str(silence["id"]), *url, env=env)
    assert revoked.exit_code == 1
    assert "unknown or revoked" in revoked.output
