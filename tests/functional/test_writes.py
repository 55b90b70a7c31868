"""Writes over HTTP: tokens made by radar-db-manage, every 401 path, silences and contacts."""

import logging
from datetime import datetime, timedelta

import pytest
import webtest
from click.testing import CliRunner

from radar_api.app import make_app
from radar_core import manage, models
from radar_core.db import transaction
from radar_core.service import Radar, Settings

T0 = datetime(2026, 3, 2, 12, 0)


@pytest.fixture
def db_url(empty_db_url, tmp_path):
    config = tmp_path / "radar.conf"
    config.write_text(f"[database]\nconnection = {empty_db_url}\n")
    runner = CliRunner()
    assert runner.invoke(manage.main, ["--config-file", str(config), "upgrade"]).exit_code == 0
    return empty_db_url, config


@pytest.fixture
def api(db_url):
    from radar_core.db import make_engine

    engine = make_engine(db_url[0])
    with transaction(engine) as session:
        session.add(models.Account(id=7, name="Alpha CI", username="alpha-ci"))
        session.add(models.CISystem(id=7, name="Alpha CI", username="alpha-ci",
                                    first_seen_at=T0))
    app = webtest.TestApp(make_app(Radar(engine, Settings())))
    yield app
    engine.dispose()


def cli(config, *args):
    return CliRunner().invoke(manage.main, [*args, "--config-file", str(config)])


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_tokens_silences_and_contacts(db_url, api, caplog):
    caplog.set_level(logging.DEBUG)
    _url, config = db_url
    made = cli(config, "token", "create", "--name", "ops")
    assert made.exit_code == 0, made.output
    token = made.output.strip()
    assert token.startswith("radar_") and len(token) > 40
    listed = cli(config, "token", "list")
    assert "ops" in listed.output and token not in listed.output

    body = {"system": "alpha-ci", "duration": "2h", "comment": "storage upgrade"}
    # Every 401: no header, another scheme, an empty token, an unknown token.
    for headers in ({}, {"Authorization": f"Basic {token}"}, {"Authorization": "Bearer "},
                    bearer("radar_nope")):
        reply = api.post_json("/v1/silences", body, headers=headers, status=401)
        assert reply.json["faultcode"] == "Client" and "token" in reply.json["faultstring"]
        assert reply.headers["WWW-Authenticate"].startswith("Bearer")
        reply = api.patch_json("/v1/systems/alpha-ci", {"contacts": {"email": "x@example.org"}},
                               headers=headers, status=401)
        assert reply.json["faultcode"] == "Client"
    assert api.get("/v1/silences").json == {"silences": []}

    created = api.post_json("/v1/silences", body, headers=bearer(token), status=201)
    silence = created.json
    assert created.headers["Location"].endswith(f"/v1/silences/{silence['id']}")
    assert (silence["username"], silence["author"], silence["active"]) == ("alpha-ci", "ops",
                                                                          True)
    assert api.get("/v1/silences").json["silences"] == [silence]
    silenced = {s["username"]: s["silenced"] for s in api.get("/v1/systems").json["systems"]}
    assert silenced["alpha-ci"] is True and not any(
        value for name, value in silenced.items() if name != "alpha-ci")
    assert api.get("/v1/systems/alpha-ci").json["silenced"] is True
    # Client mistakes are 4xx JSON faults.
    for bad, status in (({**body, "system": "nobody"}, 404), ({**body, "duration": "soon"}, 400),
                        ({**body, "ends_at": "2026-01-01"}, 400), ({"system": "alpha-ci",
                         "duration": "1h"}, 400), ({**body, "colour": "red"}, 400)):
        reply = api.post_json("/v1/silences", bad, headers=bearer(token), status=status)
        assert reply.json["faultcode"] == "Client", reply.json
    ended = api.delete(f"/v1/silences/{silence['id']}", headers=bearer(token)).json
    assert ended["active"] is False
    assert api.get("/v1/silences").json == {"silences": []}
    assert api.get("/v1/systems/alpha-ci").json["silenced"] is False
    assert [s["id"] for s in api.get("/v1/silences?ended=true").json["silences"]] == [
        silence["id"]]
    api.delete("/v1/silences/999", headers=bearer(token), status=404)

    # A contact edit shows at once; an omitted field is kept, null clears one.
    reply = api.patch_json("/v1/systems/alpha-ci", {"contacts": {
        "email": "ci@example.org", "name": "Alpha team"}}, headers=bearer(token))
    assert reply.json["contacts"]["email"] == "ci@example.org"
    api.patch_json("/v1/systems/7", {"contacts": {"name": None}}, headers=bearer(token))
    contacts = api.get("/v1/systems/alpha-ci").json["contacts"]
    assert (contacts["email"], contacts["name"]) == ("ci@example.org", None)
    api.patch_json("/v1/systems/nobody", {"contacts": {"name": "x"}}, headers=bearer(token),
                   status=404)

    # Revoked: 401 again.
    assert cli(config, "token", "revoke", "ops").exit_code == 0
    api.post_json("/v1/silences", body, headers=bearer(token), status=401)
    assert cli(config, "token", "revoke", "ops").exit_code == 1
    assert token not in caplog.text


def test_silence_for_every_system(api, db_url):
    _url, config = db_url
    token = cli(config, "token", "create", "--name", "bot").output.strip()
    until = (datetime.utcnow() + timedelta(hours=3)).replace(microsecond=0)  # noqa: DTZ003
    reply = api.post_json("/v1/silences", {"ends_at": until.isoformat() + "Z",
                                           "comment": "Gerrit upgrade"}, headers=bearer(token),
                          status=201)
    assert reply.json["system_id"] is None and reply.json["ends_at"] == until.isoformat() + "Z"
    assert all(s["silenced"] for s in api.get("/v1/systems").json["systems"])
