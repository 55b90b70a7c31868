"""How radar-api serves the built web client: caching by name, gzip when asked, one build."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import webob

from radar_api import static
from radar_api.app import make_app

WEBCLIENT = Path(__file__).resolve().parents[2] / "webclient"
SCRIPT = "angular.module('radar', []);" * 40
GZIP = {"Accept-Encoding": "gzip, deflate, br"}


class Site:
    """GETs through the WSGI app as they arrive: WebTest would undo the gzip we check for."""

    def __init__(self, root):
        self.app = make_app(None, static_root=str(root))

    def get(self, url, headers=None, status=200):
        response = webob.Request.blank(url, headers=headers or {}).get_response(self.app)
        assert response.status_code == status, (url, response.status)
        return response


@pytest.fixture
def site(tmp_path):
    """A client laid out as webclient/build.mjs writes it."""
    root = tmp_path / "webclient"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text('<!doctype html><script src="assets/app.AB12CD34.js">')
    (root / "index.html.gz").write_bytes(gzip.compress((root / "index.html").read_bytes()))
    (root / "assets" / "app.AB12CD34.js").write_text(SCRIPT)
    (root / "assets" / "app.AB12CD34.js.gz").write_bytes(gzip.compress(SCRIPT.encode()))
    (root / "assets" / "logo.svg").write_text("<svg/>")  # no gzip copy
    (root / "robots.txt").write_text("User-agent: *")
    return Site(root)


def test_hashed_assets_are_cached_for_a_year(site):
    script = site.get("/assets/app.AB12CD34.js")
    assert script.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert site.get("/assets/logo.svg").headers["Cache-Control"] == static.IMMUTABLE


def test_index_and_other_files_are_revalidated(site):
    for url in ("/", "/index.html", "/robots.txt"):
        response = site.get(url)
        assert response.headers["Cache-Control"] == "no-cache", url
        site.get(url, headers={"If-None-Match": response.etag}, status=304)


def test_gzip_copy_when_the_client_accepts_it(site):
    packed = site.get("/assets/app.AB12CD34.js", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "javascript" in packed.content_type
    assert packed.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.body).decode() == SCRIPT
    assert int(packed.headers["Content-Length"]) == len(packed.body) < len(SCRIPT)
    index = site.get("/", headers=GZIP)
    assert index.headers["Content-Encoding"] == "gzip"
    assert b"app.AB12CD34.js" in gzip.decompress(index.body)
    # A revalidation of the gzip variant is answered for that variant.
    site.get("/", headers={**GZIP, "If-None-Match": index.etag}, status=304)


@pytest.mark.parametrize(
    "headers", [{}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip;q=0, br"}]
)
def test_plain_bytes_unless_gzip_is_accepted(site, headers):
    plain = site.get("/assets/app.AB12CD34.js", headers=headers)
    assert "Content-Encoding" not in plain.headers
    assert plain.text == SCRIPT
    # Caches keep the variants apart.
    assert plain.headers["Vary"] == "Accept-Encoding"
    packed = site.get("/assets/app.AB12CD34.js", headers=GZIP)
    assert packed.etag != plain.etag


def test_files_without_a_gzip_copy_are_sent_as_they_are(site):
    svg = site.get("/assets/logo.svg", headers=GZIP)
    assert "Content-Encoding" not in svg.headers and "Vary" not in svg.headers
    assert svg.text == "<svg/>"


def test_a_gzip_copy_asked_for_by_name_is_marked_as_gzip(site):
    direct = site.get("/assets/app.AB12CD34.js.gz")
    assert direct.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(direct.body).decode() == SCRIPT


# --- the real build -----------------------------------------------------------------------------


def build(out):
    node = shutil.which("node")
    if node is None or not (WEBCLIENT / "node_modules" / "esbuild").is_dir():
        pytest.skip("the web client's npm packages are not installed (scripts/test does it)")
    result = subprocess.run(
        [node, "build.mjs", str(out)], cwd=WEBCLIENT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return out


def tree(root):
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def test_the_build_is_one_script_one_stylesheet_and_reproducible(tmp_path):
    first, second = tree(build(tmp_path / "a")), tree(build(tmp_path / "b"))
    assert first == second
    names = sorted(first)
    assert names == sorted(
        [
            ".built",
            "index.html",
            "index.html.gz",
            *[name for name in names if re.fullmatch(r"assets/app\.\w{8}\.(js|css)(\.gz)?", name)],
        ]
    )
    assert len(names) == 7, names  # the stamp, index.html and the two bundles, with .gz copies
    index = first["index.html"].decode()
    for bundle in (n for n in names if n.startswith("assets/") and not n.endswith(".gz")):
        assert f'"{bundle}"' in index
        assert gzip.decompress(first[bundle + ".gz"]) == first[bundle]
    # Templates are inside the script, and no source file is shipped.
    script = next(first[n] for n in names if n.endswith(".js")).decode()
    assert "app/core/nav.html" in script and "$templateCache" in script
    assert index.count("<script") == 1 and index.count('rel="stylesheet"') == 1


def test_the_built_client_is_served_gzipped_and_cached(tmp_path):
    root = build(tmp_path / "client")
    app = Site(root)
    index = app.get("/", headers=GZIP)
    assert index.headers["Cache-Control"] == "no-cache"
    html = gzip.decompress(index.body).decode()
    for bundle in re.findall(r'"(assets/[^"]+)"', html):
        response = app.get("/" + bundle, headers=GZIP)
        assert response.headers["Cache-Control"] == static.IMMUTABLE
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.body) == (root / bundle).read_bytes()
