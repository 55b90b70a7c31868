"""The ``$ command`` examples of README.md and docs/, run against a live Radar.

A fenced block whose first line starts with ``$ `` holds examples: each ``$ `` line is a command,
the lines after it (up to the next ``$ ``) its output, and a last ``[exit N]`` line its exit
status. tests/e2e/test_doc_examples.py runs every command against the test stack and checks that
the output has the documented shape (``same_shape``); the figures themselves differ from run to
run, the shape must not.

Refresh the outputs from a real run of the demo (``scripts/demo`` in another terminal):

    .venv/bin/python -m tests.doc_examples --rewrite --api-url http://127.0.0.1:8080
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
DOC_URL = "http://127.0.0.1:8080"  # where the examples' API is, as the README starts the demo
_BLOCK = re.compile(r"^```\n(\$ .*?)^```$", re.S | re.M)
_EXIT = re.compile(r"^\[exit (\d+)\]$")


@dataclass
class Example:
    path: Path
    command: str
    output: str  # without the [exit N] line
    exit_status: int | None  # None when the doc does not show it

    @property
    def name(self) -> str:
        return f"{self.path.name}: {self.command}"

    def shown(self) -> str:
        status = "" if self.exit_status is None else f"[exit {self.exit_status}]\n"
        return f"$ {self.command}\n{self.output}{status}"


def examples(path: Path) -> list[Example]:
    found = []
    for block in _BLOCK.findall(path.read_text()):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, output = chunk.partition("\n")
            lines = output.splitlines(keepends=True)
            status = None
            if lines and _EXIT.match(lines[-1].strip()):
                status = int(_EXIT.match(lines.pop().strip()).group(1))
            found.append(Example(path, command, "".join(lines), status))
    return found


def all_examples() -> list[Example]:
    return [example for path in DOCUMENTS for example in examples(path)]


def run(example: Example, api_url: str, bin_dir: Path) -> tuple[str, int]:
    """The command's output (stdout then stderr) and exit status, against ``api_url``."""
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "RADAR_API_URL": api_url,
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    command = example.command.replace(DOC_URL, api_url)
    result = subprocess.run(
        ["bash", "-c", command], env=env, capture_output=True, text=True, timeout=120
    )
    return result.stdout + result.stderr, result.returncode


# --- shape ---------------------------------------------------------------------------------------

_KEY = re.compile(r'"(\w+)":')
_LABEL = re.compile(r"^\s*([a-z][a-z ]*[a-z]):(?:\s|$)")
_HEADER_WORD = re.compile(r"^[A-Z][A-Z0-9_,]*$")
_CHECK = re.compile(r"^RADAR (\w+) - ")


def _headers(text: str) -> set[str]:
    """Table header lines: three or more words, every one in capitals."""
    headers = set()
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 3 and all(_HEADER_WORD.match(word) for word in words):
            headers.add(" ".join(words))
    return headers


def _csv_header(text: str) -> str | None:
    first = text.splitlines()[0] if text.strip() else ""
    return first if first.count(",") >= 3 and " " not in first else None


def _check_lines(text: str) -> list[tuple[str, set[str]]]:
    """(state, perfdata labels) of each Nagios-style status line."""
    lines = []
    for line in text.splitlines():
        match = _CHECK.match(line)
        if match:
            perfdata = line.partition(" | ")[2]
            lines.append((match.group(1), {item.split("=")[0] for item in perfdata.split()}))
    return lines


def shape(text: str) -> dict:
    return {
        "json keys": set(_KEY.findall(text)),
        "labels": {m.group(1) for line in text.splitlines() if (m := _LABEL.match(line))},
        "table headers": _headers(text),
        "csv header": _csv_header(text),
        "checks": _check_lines(text),
    }


def same_shape(expected: str, actual: str) -> list[str]:
    """What of ``expected``'s shape ``actual`` lacks; empty when it has all of it."""
    want, got = shape(expected), shape(actual)
    problems = []
    for part in ("json keys", "labels", "table headers"):
        missing = want[part] - got[part]
        if missing:
            problems.append(f"{part} missing: {sorted(missing)}")
    if want["csv header"] != got["csv header"]:
        problems.append(f"csv header {got['csv header']!r} instead of {want['csv header']!r}")
    if [state for state, _ in want["checks"]] != [state for state, _ in got["checks"]]:
        problems.append(f"check states {got['checks']} instead of {want['checks']}")
    for (_, wanted), (_, given) in zip(want["checks"], got["checks"], strict=False):
        if wanted - given:
            problems.append(f"perfdata missing: {sorted(wanted - given)}")
    return problems


# --- rewriting the documents from a real run ----------------------------------------------------


def rewrite(api_url: str, bin_dir: Path) -> None:
    for path in DOCUMENTS:
        text = path.read_text()
        for example in examples(path):
            output, status = run(example, api_url, bin_dir)
            output = output.replace(api_url, DOC_URL).rstrip("\n") + "\n"
            if example.output.endswith("\n\n"):  # a blank line before the next example
                output += "\n"
            shown_status = status if example.exit_status is not None else None
            fresh = Example(path, example.command, output, shown_status)
            text = text.replace(example.shown(), fresh.shown(), 1)
        path.write_text(text)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rewrite", action="store_true", required=True)
    parser.add_argument("--api-url", default=DOC_URL)
    options = parser.parse_args()
    rewrite(options.api_url, Path(sys.executable).parent)
