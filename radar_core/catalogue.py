"""The catalogue: every figure, status and sort key, declared once.

The API's types and OpenAPI document, ``GET /v1/figures`` (which the web client and the CLI
read for labels and thresholds) and the reasons' wording are all derived from this list; adding
a figure here (and computing it in radar_core.stats) is all it takes to serve it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

# Kinds of value: how each is typed in JSON and shown.
KINDS = {
    "count": "a whole number",
    "ratio": "a ratio from 0 to 1",
    "score": "a whole number from 0 to 100",
    "seconds": "a duration in seconds",
    "time": "an ISO 8601 UTC time",
    "status": "one of the statuses",
}


@dataclass(frozen=True)
class Figure:
    name: str
    group: str  # "health" (the score, its status and components) or "stats" (what they come from)
    kind: str  # a key of KINDS
    label: str  # a short label for columns and charts
    help: str  # one sentence
    better: str | None = None  # "higher", "lower", or None when neither is better
    sortable: bool = False


@dataclass(frozen=True)
class Status:
    name: str
    label: str
    help: str


FIGURES_LIST: tuple[Figure, ...] = (
    Figure("score", "health", "score", "Score",
           "Weighted mean of the components, capped at 49 when failing or silent.",
           "higher", True),
    Figure("status", "health", "status", "Status", "The first status that matches, by severity."),
    Figure("status_since", "health", "time", "Since",
           "First whole hour from which every hourly evaluation gave the current status."),
    Figure("coverage", "health", "ratio", "Coverage",
           "Eligible patchsets the system reported on / eligible patchsets.", "higher", True),
    Figure("timeliness", "health", "ratio", "Timeliness",
           "Share of reported eligible patchsets reported within the report deadline.",
           "higher", True),
    Figure("success_rate", "health", "ratio", "Success rate",
           "SUCCESS / (SUCCESS + FAILURE + ERROR) over the system's reports.", "higher", True),
    Figure("stability", "health", "ratio", "Stability",
           "1 - flaky patchsets / patchsets reported on.", "higher", True),
    Figure("reports", "stats", "count", "Reports", "Reports (verdicts) dated in the window.",
           None, True),
    Figure("success", "stats", "count", "Success", "Reports whose result is a success."),
    Figure("failure", "stats", "count", "Failure", "Reports whose result is a failure."),
    Figure("error", "stats", "count", "Error", "Reports whose result is an error."),
    Figure("other", "stats", "count", "Other", "Reports of class skipped or unknown."),
    Figure("patchsets_eligible", "stats", "count", "Eligible",
           "Patchsets of its watched projects the system had to report on in the window."),
    Figure("patchsets_reported", "stats", "count", "Reported",
           "Eligible patchsets the system reported on.", "higher"),
    Figure("latency_p50_s", "stats", "seconds", "P50 latency",
           "Median time from patchset creation to the system's first report.", "lower", True),
    Figure("latency_p90_s", "stats", "seconds", "P90 latency",
           "90th percentile of that time.", "lower", True),
    Figure("last_report_at", "stats", "time", "Last report",
           "The system's latest report before the end of the window.", "higher", True),
    Figure("last_success_at", "stats", "time", "Last success",
           "The system's latest successful report before the end of the window.", "higher"),
    Figure("rechecks", "stats", "count", "Rechecks",
           "Recheck requests after a report of the system that was not a success.", "lower"),
    Figure("flaky_patchsets", "stats", "count", "Flaky",
           "Patchsets on which the system reported a failure and later a success.", "lower"),
    Figure("duplicate_reports", "stats", "count", "Duplicates",
           "Extra reports on one patchset in one pipeline with no recheck between them.",
           "lower"),
    Figure("agreement", "stats", "ratio", "Agreement",
           "Share of patchsets where the last result class equals the reference CI's.",
           "higher"),
    Figure("false_failure_rate", "stats", "ratio", "False failures",
           "Share of patchsets where the system failed and the reference CI succeeded.",
           "lower"),
)
FIGURES = {figure.name: figure for figure in FIGURES_LIST}
# The score's components: the health figures that are ratios.
COMPONENTS = tuple(f.name for f in FIGURES_LIST if f.group == "health" and f.kind == "ratio")

# Worst first: the order of severity (radar_core.stats.SEVERITY is this order).
STATUSES: tuple[Status, ...] = (
    Status("failing", "Failing", "Score below the failing threshold, or no success for long."),
    Status("silent", "Silent", "No report for long while patchsets it watches waited."),
    Status("degraded", "Degraded", "Score below the healthy threshold."),
    Status("unknown", "Unknown", "It has never reported."),
    Status("healthy", "Healthy", "Everything else."),
)
STATUS_NAMES = tuple(status.name for status in STATUSES)

# Sort keys of /v1/systems: severity (worst first, then lowest score), the name, and the
# sortable figures; "-" before a key sorts descending.
SORT_KEYS = ("severity", "name", *(f.name for f in FIGURES_LIST if f.sortable))
DEFAULT_SORT = "severity"


def group(name: str) -> tuple[Figure, ...]:
    return tuple(figure for figure in FIGURES_LIST if figure.group == name)


def document(thresholds: dict) -> dict:
    """The body of GET /v1/figures."""
    return {
        "figures": [asdict(figure) for figure in FIGURES_LIST],
        "statuses": [asdict(status) for status in STATUSES],
        "sort_keys": list(SORT_KEYS),
        "default_sort": DEFAULT_SORT,
        "kinds": dict(KINDS),
        "thresholds": thresholds,
    }
