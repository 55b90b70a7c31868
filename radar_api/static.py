"""The web client's files, served from one directory, never from outside it.

webclient/build.mjs writes the bundles under ``assets/`` with their content's hash in the
name, so a new build never reuses a name: browsers may keep them for a year without asking
again. Every other file (index.html, which names the current bundles) is revalidated on each
load. Next to each text file the build writes a gzip copy, sent to browsers that accept it.
"""

import logging
import mimetypes
import pathlib

import pecan
import webob

LOG = logging.getLogger(__name__)

# The built web client, package data of radar_api (webclient/build.sh writes it; the wheel
# carries it). The sources in the repository's webclient/ are never served.
DEFAULT_ROOT = pathlib.Path(__file__).resolve().parent / "webclient"
# Files below this folder are named by their content (app.<hash>.js).
IMMUTABLE_DIR = "assets"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def check_root(root: pathlib.Path) -> bool:
    """Whether ``root`` holds a dashboard; logs a warning saying how to get one when not."""
    if (root / "index.html").is_file():
        return True
    LOG.warning(
        "no dashboard to serve: %s has no index.html; the API works, / answers 404 "
        "(build it with 'npm ci && npm run build' in webclient/, or install Radar's wheel)",
        root,
    )
    return False


def resolve(root: pathlib.Path, parts) -> pathlib.Path | None:
    """The file at ``parts`` below ``root``; None when it is missing, hidden or outside."""
    parts = [part for part in parts if part]
    if any(part.startswith(".") or "/" in part or "\\" in part or "\0" in part for part in parts):
        return None  # '..', dotfiles and smuggled separators
    try:
        root = root.resolve()
        path = root.joinpath(*parts).resolve()
        if path.is_dir():
            path = path / "index.html"
        if path.is_relative_to(root) and path.is_file():
            return path
    except (OSError, ValueError):
        pass
    return None


def accepts_gzip(request: webob.Request) -> bool:
    """Only when the client says so: a request without Accept-Encoding (curl) gets plain bytes."""
    return "Accept-Encoding" in request.headers and bool(
        request.accept_encoding.acceptable_offers(["gzip"])
    )


def serve(root: pathlib.Path, parts, request: webob.Request) -> webob.Response:
    """The file at ``parts``, gzipped when the client accepts it, with validators and caching.

    ``conditional_response`` lets webob answer If-None-Match (304) and Range requests.
    """
    path = resolve(root, parts)
    if path is None:
        pecan.abort(404)
    content_type, encoding = mimetypes.guess_type(path.name)
    compressed = path.with_name(path.name + ".gz")
    has_gzip = encoding is None and compressed.is_file()
    body_path = compressed if has_gzip and accepts_gzip(request) else path
    stat = body_path.stat()
    response = webob.Response(
        body=body_path.read_bytes(),
        content_type=content_type or "application/octet-stream",
        conditional_response=True,
    )
    if body_path is compressed:
        response.content_encoding = "gzip"
    elif encoding:
        response.content_encoding = encoding
    if has_gzip:
        response.vary = ("Accept-Encoding",)
    response.last_modified = stat.st_mtime
    # Each variant its own tag, so a cache never answers one encoding with the other.
    response.etag = f"{stat.st_mtime_ns:x}-{stat.st_size:x}"
    relative = path.relative_to(root.resolve())
    immutable = len(relative.parts) > 1 and relative.parts[0] == IMMUTABLE_DIR
    response.cache_control = IMMUTABLE if immutable else REVALIDATE
    return response
