"""The counters the engine keeps per system and hour, and the window figures made from them.

A counter counts a system's facts whose timestamp ``column`` is before a moment ``t``:
``C(t) = #{facts : column < t, condition}``. The engine stores every counter at the start of every
hour (system_hours); the counter at any ``t`` is the stored value at the hour before plus the
facts of that last partial hour. A window ``[s, u)`` then costs two look-ups per system, however
long the window or large the history.

Counts "of the window" follow from them (facts.py says what each timestamp is):

- facts dated in the window: ``C(u) - C(s)``;
- pairs of timestamps ``x <= y`` (a report and an earlier one it refers to) with ``x >= s`` and
  ``y < u``: ``Y(u) - X(s) + L``, where ``L`` counts the pairs with ``x < s`` and ``y >= u``. A
  pair spans the whole window only if its timestamps are further apart than the window is long;
  the engine keeps such pairs (a day or more apart) in long_spans, so ``L`` is a look-up too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Counter:
    name: str
    table: str  # report_facts, recheck_facts or agreement_events
    column: str  # the timestamp compared with t
    where: tuple[tuple[str, object], ...] = ()  # (column, value): equal; (column, None): null
    not_null: tuple[str, ...] = ()


_AGREEMENT_VALUES = ("common", "agree", "ref_success", "false_failure")


def _agreement_counters() -> list[Counter]:
    counters = []
    for value in _AGREEMENT_VALUES:
        where = () if value == "common" else ((value, True),)
        counters += [
            Counter(f"a_lo_{value}", "agreement_events", "e_lo", where),
            Counter(f"a_hi_{value}", "agreement_events", "e_hi", where),
            Counter(f"a_fin_{value}", "agreement_events", "m", (*where, ("e_hi", None))),
        ]
    return counters


COUNTERS: tuple[Counter, ...] = (
    Counter("reports", "report_facts", "date"),
    Counter("success", "report_facts", "date", (("result_class", "success"),)),
    Counter("failure", "report_facts", "date", (("result_class", "failure"),)),
    Counter("error", "report_facts", "date", (("result_class", "error"),)),
    Counter("y_prev", "report_facts", "date", not_null=("prev_at",)),
    Counter("x_prev", "report_facts", "prev_at"),
    Counter("y_fail", "report_facts", "date", not_null=("fail_at",)),
    Counter("x_fail", "report_facts", "fail_at"),
    Counter("y_fail2", "report_facts", "date", not_null=("fail2_at",)),
    Counter("x_fail2", "report_facts", "fail2_at"),
    Counter("y_dup", "report_facts", "date", not_null=("dup_prev_at",)),
    Counter("x_dup", "report_facts", "dup_prev_at"),
    Counter("rechecks", "recheck_facts", "date"),
    *_agreement_counters(),
)
NAMES = tuple(counter.name for counter in COUNTERS)
INDEX = {name: position for position, name in enumerate(NAMES)}

# Pairs (x, y) whose spanning the window the long spans correct: kind -> (x counter, y counter).
PAIRS = {
    "prev": ("x_prev", "y_prev"),
    "fail": ("x_fail", "y_fail"),
    "fail2": ("x_fail2", "y_fail2"),
    "dup": ("x_dup", "y_dup"),
}
# The agreement pairs: (m, e_lo) and, for events that ended, (m, e_hi); value flags in the span.
AGREEMENT_SPANS = ("agree_lo", "agree_hi")
FLAG_BITS = {"agree": 1, "ref_success": 2, "false_failure": 4}


def zeros() -> list[int]:
    return [0] * len(COUNTERS)


@dataclass(frozen=True)
class WindowCounts:
    """A system's counts over one window (what system_figures needs of its reports)."""

    reports: int
    success: int
    failure: int
    error: int
    reported: int  # distinct patchsets with a report in the window
    flaky: int
    duplicates: int
    rechecks: int
    agreement: dict[str, int]  # common, agree, ref_success, false_failure

    @property
    def other(self) -> int:
        return self.reports - self.success - self.failure - self.error


def window_counts(at_since: list[int], at_until: list[int], spans: dict[str, int]) -> WindowCounts:
    """Counts of the window from the counters at its ends and the spanning pairs ``spans``
    (kind -> count; agreement kinds as ``agree_lo:<value>``)."""

    def dated(name: str) -> int:
        return at_until[INDEX[name]] - at_since[INDEX[name]]

    def pairs(kind: str) -> int:  # pairs with x >= since and y < until
        x, y = PAIRS[kind]
        return at_until[INDEX[y]] - at_since[INDEX[x]] + spans.get(kind, 0)

    reports = dated("reports")
    agreement = {
        value: at_until[INDEX[f"a_lo_{value}"]]
        - at_until[INDEX[f"a_hi_{value}"]]
        - at_since[INDEX[f"a_fin_{value}"]]
        + spans.get(f"agree_lo:{value}", 0)
        - spans.get(f"agree_hi:{value}", 0)
        for value in _AGREEMENT_VALUES
    }
    return WindowCounts(
        reports=reports,
        success=dated("success"),
        failure=dated("failure"),
        error=dated("error"),
        reported=reports - pairs("prev"),
        flaky=pairs("fail") - pairs("fail2"),
        duplicates=pairs("dup"),
        rechecks=dated("rechecks"),
        agreement=agreement,
    )


def span_values(flags: int) -> list[str]:
    """The agreement values an event's flags count for (common always)."""
    return ["common", *(name for name, bit in FLAG_BITS.items() if flags & bit)]
