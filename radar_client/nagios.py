"""`radar check`: a monitoring check following the Nagios plugin conventions.

Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. Output: one status line with performance
data after a ``|``, e.g.::

    RADAR OK - acme-ci score 97 (healthy) | score=97;80;50;0;100 coverage=1.0 ...

Rules, first match: the API unreachable or the system unknown to it, or the status ``unknown``:
UNKNOWN; status ``failing`` or ``silent``, or score < crit: CRITICAL; status ``degraded`` or
score < warn: WARNING; otherwise OK.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

PREFIX = "RADAR"


class State(IntEnum):
    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


@dataclass(frozen=True)
class CheckResult:
    state: State
    summary: str
    perfdata: str = ""

    def line(self) -> str:
        """The plugin's single output line."""
        text = f"{PREFIX} {self.state.name} - {_clean(self.summary)}"
        return f"{text} | {self.perfdata}" if self.perfdata else text


def evaluate(system: dict[str, Any], warn: int, crit: int) -> CheckResult:
    """The check result of one system document from ``GET /v1/systems/{id}``."""
    health = system.get("health") or {}
    score = health.get("score")
    status = health.get("status") or "unknown"
    name = system.get("username") or system.get("name") or str(system.get("id"))
    state, why = classify(status, score, warn, crit)
    summary = f"{name} score {_score_text(score)} ({status})"
    reasons = [r for r in system.get("reasons") or [] if r]
    if state is not State.OK:
        details = reasons if status != "healthy" and reasons else ([why] if why else [])
        if details:
            summary += ": " + "; ".join(details)
    return CheckResult(state, summary, perfdata(system, warn, crit))


def classify(status: str, score: float | None, warn: int, crit: int) -> tuple[State, str]:
    """The state for a status and score, and a short reason when a threshold decided it."""
    if status == "unknown" or status not in ("healthy", "degraded", "failing", "silent"):
        return State.UNKNOWN, f"status {status}"
    if status in ("failing", "silent"):
        return State.CRITICAL, f"status {status}"
    if score is not None and score < crit:
        return State.CRITICAL, f"score {_score_text(score)} < {crit}"
    if status == "degraded":
        return State.WARNING, f"status {status}"
    if score is not None and score < warn:
        return State.WARNING, f"score {_score_text(score)} < {warn}"
    return State.OK, ""


def perfdata(system: dict[str, Any], warn: int, crit: int) -> str:
    """Nagios performance data: ``label=value[UOM];warn;crit;min;max``, ``U`` when unknown."""
    health = system.get("health") or {}
    stats = system.get("stats") or {}
    items = [
        f"score={_num(health.get('score'))};{warn};{crit};0;100",
        f"coverage={_num(health.get('coverage'))}",
        f"timeliness={_num(health.get('timeliness'))}",
        f"success_rate={_num(health.get('success_rate'))}",
        f"stability={_num(health.get('stability'))}",
        f"latency_p50={_seconds(stats.get('latency_p50_s'))}",
        f"reports={_num(stats.get('reports'))}",
    ]
    return " ".join(items)


def unknown(message: str) -> CheckResult:
    return CheckResult(State.UNKNOWN, message)


def _score_text(score: float | None) -> str:
    return "n/a" if score is None else str(int(round(score)))


def _num(value: float | int | None) -> str:
    if value is None:
        return "U"
    if isinstance(value, float):
        return repr(round(value, 4))
    return str(value)


def _seconds(value: float | None) -> str:
    return "U" if value is None else f"{int(round(value))}s"


def _clean(text: str) -> str:
    """One line without ``|``, which would start the performance data."""
    return " ".join(text.replace("|", "/").split())
