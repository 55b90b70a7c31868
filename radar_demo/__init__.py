"""Gerrit REST simulator with a scenario of third-party CI systems, for tests and the demo.

- `scenario.Scenario.generate()` builds a deterministic Gerrit world (changes, humans, CI systems),
- `render` writes the message texts each kind of CI posts,
- `truth` computes the figures Radar should show, straight from the generation records,
- `server.GerritSimulator` serves the world over Gerrit's REST API, with injectable faults,
- `query` parses and matches Gerrit change queries.

Stdlib only: nothing here imports Radar's own packages.
"""

from radar_demo.scenario import CI_GROUP_NAME, SYSTEMS, Scenario
from radar_demo.server import GerritSimulator
from radar_demo.truth import expected_figures, expected_totals

__all__ = [
    "CI_GROUP_NAME",
    "SYSTEMS",
    "GerritSimulator",
    "Scenario",
    "expected_figures",
    "expected_totals",
]
