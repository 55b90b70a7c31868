"""Pure helpers that turn API values into human-friendly text, tables, CSV and JSON.

Nothing here talks to the network or reads the environment, so every function is unit-tested
on its own. Colour is applied with :func:`click.style` only when the caller asks for it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MISSING = "-"

STATUS_COLOURS = {
    "healthy": "green",
    "degraded": "yellow",
    "failing": "red",
    "silent": "magenta",
    "unknown": "bright_black",
}
RESULT_CLASS_COLOURS = {
    "success": "green",
    "failure": "red",
    "error": "magenta",
    "skipped": "bright_black",
    "unknown": "bright_black",
}

SPARK_BARS = "▁▂▃▄▅▆▇█"
ASCII_BARS = "_.-:=+*#"


@dataclass(frozen=True)
class Styled:
    """A table cell with an optional colour; the colour is dropped when colour is off."""

    text: str
    fg: str | None = None
    bold: bool = False

    def __str__(self) -> str:
        return self.text


Cell = str | Styled


# ---------------------------------------------------------------------------------------------
# Values


def fmt_score(score: float | int | None) -> str:
    """A health score as a whole number, e.g. ``97``; ``-`` when there is none."""
    if score is None:
        return MISSING
    return str(int(round(score)))


def fmt_pct(ratio: float | None) -> str:
    """A ratio in [0, 1] as a percentage with at most one decimal: ``98.5%``, ``100%``."""
    if ratio is None:
        return MISSING
    text = f"{ratio * 100:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return text + "%"


def fmt_duration(seconds: float | int | None) -> str:
    """A duration in two units at most: ``42s``, ``30m 12s``, ``1h 02m``, ``3d 4h``."""
    if seconds is None:
        return MISSING
    total = int(round(seconds))
    if total < 0:
        return "-" + fmt_duration(-total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def parse_time(value: str | None) -> datetime | None:
    """An API timestamp (ISO 8601, ``Z`` suffix) as an aware UTC datetime."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def fmt_ago(value: str | None, now: datetime | None = None) -> str:
    """How long ago an API timestamp was, coarsely: ``just now``, ``12 min ago``, ``3 h ago``."""
    when = parse_time(value)
    if when is None:
        return MISSING
    now = now or datetime.now(UTC)
    delta = (now - when).total_seconds()
    if abs(delta) < 60:
        return "just now"
    amount = _coarse(abs(delta))
    return f"{amount} ago" if delta > 0 else f"in {amount}"


def _coarse(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{int(seconds // size)} {unit}"
    return f"{int(seconds)} s"


def fmt_time(value: str | None) -> str:
    """An API timestamp shortened to ``2026-11-23 10:00`` (UTC)."""
    when = parse_time(value)
    return when.strftime("%Y-%m-%d %H:%M") if when else MISSING


def fmt_count(value: int | float | None) -> str:
    if value is None:
        return MISSING
    return str(value)


def fmt_vote(vote: int | None) -> str:
    if vote is None:
        return MISSING
    return f"{vote:+d}"


def status_cell(status: str | None) -> Styled:
    """A system status in words, coloured by severity."""
    text = status or "unknown"
    return Styled(text, STATUS_COLOURS.get(text), bold=text in ("failing", "silent"))


def result_cell(result: str | None, result_class: str | None) -> Styled:
    """A report or job result word, coloured by its class."""
    return Styled(result or MISSING, RESULT_CLASS_COLOURS.get(result_class or ""))


# ---------------------------------------------------------------------------------------------
# Sparklines


def sparkline(
    values: Sequence[float | int | None],
    lo: float | None = None,
    hi: float | None = None,
    bars: str = SPARK_BARS,
) -> str:
    """One character per value, from the lowest bar (``lo``) to the highest (``hi``).

    ``lo`` and ``hi`` default to the smallest and largest value; ``None`` values become a space.
    When every value is equal (and no range is given) the middle bar is used.
    """
    present = [v for v in values if v is not None and not math.isnan(v)]
    if not present:
        return " " * len(values)
    low = min(present) if lo is None else lo
    high = max(present) if hi is None else hi
    return "".join(_bar(v, low, high, bars) for v in values)


def _bar(value: float | int | None, low: float, high: float, bars: str) -> str:
    if value is None or math.isnan(value):
        return " "
    if high <= low:
        return bars[len(bars) // 2]
    position = (min(max(value, low), high) - low) / (high - low)
    return bars[min(int(position * len(bars)), len(bars) - 1)]


def can_encode(text: str, encoding: str | None) -> bool:
    """Whether ``text`` survives a stream of ``encoding`` (for the ASCII sparkline fallback)."""
    try:
        text.encode(encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Tables, CSV, JSON


def display_width(text: str) -> int:
    """Terminal columns of ``text``: wide (East Asian, emoji) characters take two, combining
    marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def style(cell: Cell, color: bool) -> str:
    if isinstance(cell, Styled) and color and (cell.fg or cell.bold):
        return _click_style(cell.text, fg=cell.fg, bold=cell.bold)
    return str(cell)


def _click_style(text: str, fg: str | None, bold: bool) -> str:
    import click  # local: keeps the pure helpers importable without click's terminal setup

    return click.style(text, fg=fg, bold=bold or None)


def render_table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    align: str = "",
    color: bool = False,
    indent: str = "",
) -> str:
    """Columns padded to their widest cell, two spaces apart.

    ``align`` has one letter per column, ``l`` or ``r`` (missing letters mean ``l``). Widths are
    measured on the plain text, so colour never breaks the alignment.
    """
    body = [list(row) for row in rows]
    widths = [display_width(h) for h in headers]
    for row in body:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], display_width(str(cell)))
    header = [Styled(h, bold=True) for h in headers]
    lines = [_line(header, widths, align, color)]
    lines += [_line(row, widths, align, color) for row in body]
    return "\n".join(indent + line for line in lines)


def _line(row: Sequence[Cell], widths: Sequence[int], align: str, color: bool) -> str:
    parts = []
    for index, cell in enumerate(row):
        pad = " " * (widths[index] - display_width(str(cell)))
        text = style(cell, color)
        right = index < len(align) and align[index] == "r"
        parts.append(pad + text if right else text + pad)
    return "  ".join(parts).rstrip()


def render_pairs(pairs: Iterable[tuple[str, Cell]], color: bool = False, indent: str = "") -> str:
    """``label: value`` lines with the values aligned."""
    items = list(pairs)
    width = max((len(label) for label, _ in items), default=0)
    return "\n".join(
        f"{indent}{label + ':':<{width + 1}} {style(value, color)}".rstrip()
        for label, value in items
    )


# What a terminal acts on instead of showing: C0 controls (ESC starts the sequences that clear
# the screen or set the window title; NUL, BEL), DEL, C1 controls (0x9B is a one-byte CSI) and
# the bidirectional overrides that reorder what is shown. Tabs and line breaks become spaces:
# every value is shown on one line.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile("[\t\n\r]")


def printable(text: str) -> str:
    """``text`` without the characters a terminal would act on (Gerrit text is anyone's)."""
    return _BREAKS.sub(" ", _CONTROL.sub("", text))


def printable_document(value: Any) -> Any:
    """A decoded API document with every string (keys too) made ``printable``."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list):
        return [printable_document(item) for item in value]
    if isinstance(value, dict):
        return {printable(str(k)): printable_document(v) for k, v in value.items()}
    return value


def csv_value(value: Any) -> str:
    """A raw API value for CSV: empty for null, ``true``/``false`` for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def render_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """RFC 4180 CSV with a header row; values are raw (ratios as floats, times in ISO 8601)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_value(value) for value in row])
    return buffer.getvalue().rstrip("\n")


def render_json(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)
