"""Alert episodes on both databases: opened by a status in [alerts] statuses, resolved by
healthy or degraded or a silence, one open episode per system whatever runs twice."""

from datetime import datetime, timedelta

from sqlalchemy import select

from radar_core import models
from radar_core.alerts import episodes, silences
from radar_core.alerts.channels import AlertSettings, parse_channels
from radar_core.db import transaction

T0 = datetime(2026, 3, 2, 12, 0)
SETTINGS = AlertSettings(channels=tuple(parse_channels([
    "all json://127.0.0.1:9/a",
    "failing-only json://127.0.0.1:9/b statuses=failing",
    "other json://127.0.0.1:9/c systems=other-ci",
])))
COMPONENTS = {"coverage": 0.5, "timeliness": None, "success_rate": 0.2, "stability": 1.0}


def add_system(engine, system_id=7, username="alpha-ci"):
    with transaction(engine) as session:
        session.add(models.Account(id=system_id, name="Alpha CI", username=username))
        session.add(models.CISystem(id=system_id, name="Alpha CI", username=username,
                                    first_seen_at=T0))


def step(engine, status, at, system_id=7):
    with transaction(engine) as session:
        return episodes.reconcile(session, SETTINGS, at,
                                  {system_id: ("alpha-ci", status, 40, COMPONENTS)},
                                  lambda _id: ["it fails"])


def rows(engine):
    with transaction(engine) as conn:
        alerts = conn.execute(select(models.Alert).order_by(models.Alert.id)).scalars().all()
        deliveries = conn.execute(select(models.AlertDelivery.alert_id,
                                         models.AlertDelivery.channel,
                                         models.AlertDelivery.kind)
                                  .order_by(models.AlertDelivery.id)).all()
    return alerts, [tuple(d) for d in deliveries]


def test_an_episode_opens_once_and_resolves_once(engine):
    add_system(engine)
    assert step(engine, "healthy", T0) == []
    assert [e["state"] for e in step(engine, "failing", T0 + timedelta(hours=1))] == ["opened"]
    assert step(engine, "failing", T0 + timedelta(hours=2)) == []  # a re-poll
    assert step(engine, "silent", T0 + timedelta(hours=3)) == []  # still the same episode
    assert step(engine, "unknown", T0 + timedelta(hours=3)) == []
    assert [e["state"] for e in step(engine, "degraded", T0 + timedelta(hours=4))] == [
        "resolved"]
    assert step(engine, "healthy", T0 + timedelta(hours=5)) == []
    alerts, deliveries = rows(engine)
    assert [(a.status, a.opened_at, a.resolved_at, a.resolved_by, a.open_key)
            for a in alerts] == [("failing", T0 + timedelta(hours=1),
                                  T0 + timedelta(hours=4), "degraded", None)]
    first = alerts[0].id
    assert deliveries == [(first, "all", "opened"), (first, "failing-only", "opened"),
                          (first, "all", "resolved"), (first, "failing-only", "resolved")]


def test_the_status_filter_of_a_channel(engine):
    add_system(engine)
    step(engine, "silent", T0)
    _alerts, deliveries = rows(engine)
    assert [d[1] for d in deliveries] == ["all"]


def test_a_second_open_is_refused_by_the_database(engine):
    add_system(engine)
    step(engine, "failing", T0)
    with transaction(engine) as session:
        alert = episodes._open(session, SETTINGS, T0, 7, "alpha-ci", "failing", 40, {}, [],
                               set())
    assert alert is None
    alerts, deliveries = rows(engine)
    assert len(alerts) == 1 and len(deliveries) == 2


def test_a_silence_resolves_and_keeps_alerts_closed(engine):
    add_system(engine)
    step(engine, "failing", T0)
    with transaction(engine) as session:
        silence = silences.create(session, None, T0, T0 + timedelta(hours=2), "upgrade", "ops",
                                  T0)
    assert [e["state"] for e in step(engine, "failing", T0 + timedelta(minutes=5))] == [
        "resolved"]
    assert step(engine, "failing", T0 + timedelta(hours=1)) == []  # silenced: none opens
    with transaction(engine) as session:
        silences.end(session, silence.id, T0 + timedelta(hours=1, minutes=30))
    assert [e["state"] for e in step(engine, "failing", T0 + timedelta(hours=1, minutes=31))] == [
        "opened"]  # a new episode once the silence is over
    alerts, _ = rows(engine)
    assert [a.resolved_by for a in alerts] == ["silence", None]


def test_a_resolution_waits_for_its_opening(engine):
    """The opening is retried (its channel answered an error); the resolution is due at once but
    goes out only after the opening, and each exactly once."""
    from radar_core.alerts.deliver import DeliveryError, Notifier

    add_system(engine)
    step(engine, "failing", T0)
    step(engine, "healthy", T0 + timedelta(minutes=1))
    sent, answers = [], iter([DeliveryError("HTTP 500")])

    def sender(channel, notice, timeout):
        if channel.name == "all" and notice.kind == "opened":
            error = next(answers, None)
            if error:
                raise error
        sent.append((channel.name, notice.kind))

    clock = iter(T0 + timedelta(minutes=2, seconds=s) for s in range(1000))
    settings = AlertSettings(channels=SETTINGS.channels, backoff=60)
    notifier = Notifier(engine, settings, "test", clock=lambda: next(clock), sender=sender)
    notifier.run_once()
    assert sent == [("failing-only", "opened"), ("failing-only", "resolved")]
    notifier.run_once()  # the retry is not due yet: nothing, not even the resolution
    assert len(sent) == 2
    later = iter(T0 + timedelta(minutes=5, seconds=s) for s in range(1000))
    notifier.clock = lambda: next(later)
    notifier.run_once()
    assert sent[2:] == [("all", "opened"), ("all", "resolved")]
    notifier.run_once()
    assert len(sent) == 4
