"""Run the health engine on rows a test inserted through the models, as the collector does
after a poll: refresh the facts of every change, then evaluate the status history up to
``now``."""

from datetime import datetime

from sqlalchemy import select

from radar_core import models
from radar_core.db import transaction
from radar_core.engine import refresh, status
from radar_core.engine.settings import EngineSettings


def run_engine(engine, settings: EngineSettings, now: datetime) -> None:
    with transaction(engine) as session:
        refresh.lock(session)
        state = session.get(models.EngineState, refresh.STATE_ID)
        if state.settings != settings.fingerprint(refresh.reference_id(
            session, settings.reference_account
        )):
            state.settings = None  # rebuilt from scratch with these settings
        changes = set(session.scalars(select(models.Change.id)))
        refresh.refresh(session, changes, settings, now)
    status.evaluate(engine, settings, now, "test")
