"""Packaging: the metadata is in setup.cfg; this file only builds the web client into the wheel.

``build_py`` runs ``npm ci`` and ``npm run build`` in webclient/ when the built client
(radar_api/webclient/, generated, never committed) is missing or older than its sources, so a
wheel built from a clean checkout carries the dashboard. It needs Node.js and npm (Debian:
``apt-get install nodejs npm``) and the npm registry, at build time only.
"""

import shutil
import subprocess
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
WEBCLIENT = ROOT / "webclient"
BUILT_STAMP = ROOT / "radar_api" / "webclient" / ".built"


def _newest_source() -> float:
    sources = [path for path in WEBCLIENT.rglob("*") if "node_modules" not in path.parts]
    return max(path.stat().st_mtime for path in sources if path.is_file())


def build_webclient() -> None:
    if BUILT_STAMP.is_file() and BUILT_STAMP.stat().st_mtime >= _newest_source():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "building Radar needs npm for its web client (Debian: apt-get install nodejs npm)"
        )
    quiet = ["--no-audit", "--no-fund", "--loglevel=error"]
    subprocess.run([npm, "ci", *quiet], cwd=WEBCLIENT, check=True)
    subprocess.run([npm, "run", "--silent", "build"], cwd=WEBCLIENT, check=True)


class BuildWithWebclient(build_py):
    def run(self):
        build_webclient()
        super().run()


setup(
    packages=find_packages(include=["radar_*"], exclude=["radar_api.webclient*"])
    + ["radar_migrations", "radar_migrations.versions"],
    package_dir={
        "radar_migrations": "migrations",
        "radar_migrations.versions": "migrations/versions",
    },
    cmdclass={"build_py": BuildWithWebclient},
)
