"""`radar check`: a Nagios plugin built on the ``nagiosplugin`` library.

Exit codes: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. Output: one status line with performance
data after a ``|``; the thresholds are Nagios ranges (``-w 80: -c 50:``: WARNING below 80,
CRITICAL below 50), e.g.::

    RADAR OK - acme-ci score 97 (healthy) | coverage=1.0;;;0;1 ... score=97;80:;50:;0;100

Each system is judged by its status and its score, the worse of the two: status ``failing`` or
``silent`` is CRITICAL, ``degraded`` WARNING, ``unknown`` (or a system the API does not know,
or an API that does not answer) UNKNOWN; a score outside the ``-w`` range is WARNING, outside
``-c`` CRITICAL. Several systems in one call give the worst state; with more than one, the
performance labels start with the system's username (``acme-ci_score``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import nagiosplugin

PREFIX = "RADAR"
COMPONENTS = ("coverage", "timeliness", "success_rate", "stability")  # the API's health keys
DEFAULT_WARN = "80:"
DEFAULT_CRIT = "50:"


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


STATUS_STATES = {"failing": nagiosplugin.Critical, "silent": nagiosplugin.Critical,
                 "degraded": nagiosplugin.Warn, "healthy": nagiosplugin.Ok}


class StatusContext(nagiosplugin.Context):
    """A system's status (or the error that kept it from us) as a Nagios state."""

    def evaluate(self, metric, resource):
        state = STATUS_STATES.get(metric.value, nagiosplugin.Unknown)
        return self.result_cls(state, f"status {metric.value}", metric)

    def performance(self, metric, resource):
        return None  # a word, not a number


class System(nagiosplugin.Resource):
    """One system document of ``GET /v1/systems/{id}``, or the error that came instead."""

    def __init__(self, key: str, doc: dict | None, error: str | None, prefix: str):
        self.key, self.doc, self.error, self.prefix = key, doc or {}, error, prefix

    @property
    def name(self) -> str:
        return PREFIX

    @property
    def label(self) -> str:
        return self.doc.get("username") or self.doc.get("name") or self.key

    def probe(self):
        if self.error is not None:
            yield nagiosplugin.Metric(f"{self.prefix}status", "error", context="status")
            return
        health = self.doc.get("health") or {}
        stats = self.doc.get("stats") or {}
        yield nagiosplugin.Metric(f"{self.prefix}status", health.get("status") or "unknown",
                                  context="status")
        if health.get("score") is not None:
            yield nagiosplugin.Metric(f"{self.prefix}score", health["score"], min=0, max=100,
                                      context="score")
        for name in COMPONENTS:
            if health.get(name) is not None:
                yield nagiosplugin.Metric(f"{self.prefix}{name}", round(health[name], 4),
                                          min=0, max=1, context="figure")
        if stats.get("latency_p50_s") is not None:
            yield nagiosplugin.Metric(f"{self.prefix}latency_p50", round(stats["latency_p50_s"]),
                                      uom="s", min=0, context="figure")
        if stats.get("reports") is not None:
            yield nagiosplugin.Metric(f"{self.prefix}reports", stats["reports"], min=0,
                                      context="figure")


def check(systems: list[tuple[str, dict | None, str | None]], warn: str = DEFAULT_WARN,
          crit: str = DEFAULT_CRIT) -> CheckResult:
    """The result for ``systems``: (name asked for, its document or None, the error or None).

    Raises ValueError for a threshold that is not a Nagios range.
    """
    validate(warn, crit)
    several = len(systems) > 1
    resources = [System(key, doc, error, f"{(doc or {}).get('username') or key}_"
                        if several else "") for key, doc, error in systems]
    plugin = nagiosplugin.Check(
        *resources,
        StatusContext("status"),
        nagiosplugin.ScalarContext("score", warning=warn, critical=crit),
        nagiosplugin.ScalarContext("figure"),
    )
    plugin()
    state = State(plugin.exitcode)
    summary = "; ".join(_summary(resource, plugin.results, warn, crit) for resource in resources)
    return CheckResult(state, summary, " ".join(plugin.perfdata))


def validate(warn: str, crit: str) -> None:
    """ValueError, naming the option, unless both are Nagios ranges."""
    for option, value in (("-w", warn), ("-c", crit)):
        try:
            nagiosplugin.Range(value)
        except ValueError as exc:
            raise ValueError(f"{option} {value!r} is not a Nagios range ({exc})") from None


def _summary(resource: System, results, warn: str, crit: str) -> str:
    if resource.error is not None:
        return f"{resource.label}: {resource.error}"
    health = resource.doc.get("health") or {}
    score, status = health.get("score"), health.get("status") or "unknown"
    text = f"{resource.label} score {_score_text(score)} ({status})"
    own = [r for r in results if r.resource is resource]
    worst = max((r.state for r in own), default=nagiosplugin.Ok)
    if worst == nagiosplugin.Ok:
        return text
    reasons = [r for r in resource.doc.get("reasons") or [] if r]
    if status != "healthy" and reasons:
        return f"{text}: " + "; ".join(reasons)
    score_result = next((r for r in own if r.metric.context == "score"), None)
    if score_result is not None and score_result.state != nagiosplugin.Ok:
        bound = crit if score_result.state == nagiosplugin.Critical else warn
        return f"{text}: score {_score_text(score)} outside {bound}"
    return f"{text}: status {status}"


def unknown(message: str) -> CheckResult:
    return CheckResult(State.UNKNOWN, message)


def _score_text(score: Any) -> str:
    return "n/a" if score is None else str(int(round(score)))


def _clean(text: str) -> str:
    """One line without ``|``, which would start the performance data."""
    return " ".join(text.replace("|", "/").split())
