"""Each figure is declared once, in radar_core.catalogue: a figure added there shows in
/v1/figures, in the OpenAPI document, in the API's answers and in the CLI's JSON and CSV, with
nothing else touched.

The made-up figure is added in a fresh Python process before anything else of Radar is imported
(as if it were written in catalogue.py), then the API is served and the CLI asks it.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from radar_core import catalogue

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from radar_core import catalogue

    made_up = catalogue.Figure("made_up_ratio", "stats", "ratio", "Made up",
                               "A figure only this test knows.", "higher")
    catalogue.FIGURES_LIST = catalogue.FIGURES_LIST + (made_up,)
    catalogue.FIGURES = {f.name: f for f in catalogue.FIGURES_LIST}

    from click.testing import CliRunner
    from radar_api import openapi
    from radar_api.app import make_app
    from radar_client.cli import cli as main
    from radar_core import migration
    from radar_core.db import make_engine
    from radar_core.service import Radar, Settings
    from radar_demo.stack import ApiServer
    from tests.functional.test_api import insert_scenario

    engine = make_engine(sys.argv[1])
    migration.upgrade(engine)
    insert_scenario(engine)
    api = ApiServer(make_app(Radar(engine, Settings()))).start()
    try:
        import requests
        out = {
            "figures": requests.get(api.url + "/v1/figures").json(),
            "openapi": requests.get(api.url + "/v1/openapi.json").json(),
            "systems": requests.get(api.url + "/v1/systems").json(),
            "schema": openapi.document()["components"]["schemas"]["Stats"],
        }
        runner = CliRunner()
        out["cli_json"] = runner.invoke(
            main, ["systems", "--api-url", api.url, "--format", "json"], prog_name="radar").output
        out["cli_csv"] = runner.invoke(
            main, ["systems", "--api-url", api.url, "--format", "csv"], prog_name="radar").output
    finally:
        api.stop()
    print(json.dumps(out))
    """
)


def test_a_figure_added_to_the_catalogue_is_served_everywhere(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, f"sqlite:///{tmp_path / 'radar.sqlite'}"],
        capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert "made_up_ratio" in {f["name"] for f in out["figures"]["figures"]}
    stats_schema = out["openapi"]["components"]["schemas"]["Stats"]
    assert stats_schema["properties"]["made_up_ratio"]["maximum"] == 1
    assert "made_up_ratio" in stats_schema["required"]
    assert all("made_up_ratio" in s["stats"] for s in out["systems"]["systems"])
    assert out["cli_json"].startswith("{"), out["cli_json"]
    cli = json.loads(out["cli_json"])
    assert all("made_up_ratio" in s["stats"] for s in cli["systems"])
    assert "made_up_ratio" in out["cli_csv"].splitlines()[0].split(",")


def test_the_catalogue_is_what_the_api_serves(engine):
    """Every figure of the catalogue, and nothing else, in each system's health and stats."""
    from radar_core.service import Radar, Settings
    from tests.functional.test_api import insert_scenario

    insert_scenario(engine)
    system = Radar(engine, Settings()).systems(_week())[0]
    assert list(system["health"]) == [f.name for f in catalogue.group("health")]
    assert list(system["stats"]) == [f.name for f in catalogue.group("stats")]
    assert set(catalogue.SORT_KEYS) >= {"severity", "name", "score"}


def _week():
    from datetime import UTC, datetime, timedelta

    from radar_core.stats import Window

    now = datetime.now(UTC).replace(tzinfo=None)
    return Window(now - timedelta(days=7), now)
