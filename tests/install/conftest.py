"""What users install is what these tests use: the wheel built from a clean copy of the checkout.

The wheel is built once per session by docs/deploying.md's own build commands, in a copy of the
files git tracks (plus new files it does not ignore), so nothing built in the work tree (the
web client in radar_api/webclient/, .venv, node_modules) can leak into it.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOYING = REPO / "docs" / "deploying.md"
IN_CI = os.environ.get("CI") == "true"
_BLOCK = re.compile(r"<!-- run: (\w+) -->\n```sh\n(.*?)```", re.S)


def doc_blocks(phase: str) -> list[str]:
    """The ``sh`` blocks of docs/deploying.md marked ``<!-- run: phase -->``, in order."""
    blocks = [body for name, body in _BLOCK.findall(DEPLOYING.read_text()) if name == phase]
    assert blocks, f"docs/deploying.md has no '{phase}' block"
    return blocks


def need(condition: bool, reason: str):
    """Skip without ``condition``; in CI, where everything must run, fail instead."""
    if not condition:
        if IN_CI:
            pytest.fail(f"required in CI: {reason}")
        pytest.skip(reason)


def bash(script: str, cwd, env=None, timeout=900) -> subprocess.CompletedProcess:
    """Run ``script`` with bash, stopping at the first failing command."""
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
    )


def clean_copy(destination: Path) -> Path:
    """The checkout as git sees it (tracked and unignored files), without anything built."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the work tree is left out
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built by the build commands of docs/deploying.md in a clean copy."""
    need(shutil.which("npm") is not None, "npm is needed to build the wheel's web client")
    checkout = clean_copy(tmp_path_factory.mktemp("checkout"))
    script = "\n".join(doc_blocks("build"))
    if os.geteuid() != 0:  # apt-get needs root; without it the packages must be there already
        script = "\n".join(line for line in script.splitlines() if "apt-get" not in line)
    result = bash(script, cwd=checkout)
    assert result.returncode == 0, f"the build commands failed:\n{result.stdout}{result.stderr}"
    wheels = list((checkout / "dist").glob("radar-*-py3-none-any.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="session")
def wheelhouse(wheel, tmp_path_factory) -> Path:
    """The wheel and every dependency, downloaded for Debian's python3, for offline installs."""
    house = tmp_path_factory.mktemp("wheelhouse")
    venv = house / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", str(venv)], check=True)
    result = subprocess.run(
        # setuptools and wheel build the dependencies that come as source only (simplegeneric).
        [str(venv / "bin" / "pip"), "download", "--quiet", "--dest", str(house), str(wheel),
         "setuptools", "wheel", "pip"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    shutil.rmtree(venv)
    return house
