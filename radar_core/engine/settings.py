"""What the engine's derived tables depend on besides the stored rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from radar_core.stats import HealthConfig


@dataclass(frozen=True)
class EngineSettings:
    health: HealthConfig = field(default_factory=HealthConfig)
    reference_account: str | None = None  # username or numeric id of the reference CI
    status_window: timedelta = timedelta(days=7)  # the window of "status at a time t"
    history_days: int = 90  # how far back hours are evaluated and status_since looks

    def fingerprint(self, reference_id: int | None) -> str:
        """Changes when a setting the derived tables were built with changes."""
        deadline = int(self.health.report_deadline.total_seconds())
        return f"v1;deadline={deadline};reference={reference_id}"
