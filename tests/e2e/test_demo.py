"""The demo command, as the README runs it, collects a populated database."""

import re
import sqlite3
import subprocess
import sys


def test_demo_collects_and_reports_counts(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", "from radar_demo.cmd import main; main()",
         "--data-dir", str(tmp_path), "--no-serve", "--days", "5"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    match = re.search(r"collected (\d+) changes, (\d+) patchsets, (\d+) reports, (\d+) rechecks "
                      r"from (\d+) CI systems", result.stdout)
    assert match, result.stdout
    changes, patchsets, reports, _rechecks, systems = map(int, match.groups())
    assert changes > 20 and patchsets >= changes and reports > 200 and systems == 12
    with sqlite3.connect(tmp_path / "radar.sqlite") as db:
        assert db.execute("select count(*) from changes").fetchone()[0] == changes
        assert db.execute("select count(*) from reports where kind = 'report'").fetchone()[0] \
            == reports
