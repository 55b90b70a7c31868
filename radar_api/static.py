"""The web client's files, served from one directory, never from outside it."""

import logging
import mimetypes
import pathlib

import pecan
import webob

LOG = logging.getLogger(__name__)

# The built web client, package data of radar_api (webclient/build.sh writes it; the wheel
# carries it). The sources in the repository's webclient/ are never served.
DEFAULT_ROOT = pathlib.Path(__file__).resolve().parent / "webclient"


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


def serve(root: pathlib.Path, parts) -> webob.Response:
    """The file at ``parts``, with validators so browsers revalidate instead of re-downloading.

    ``conditional_response`` lets webob answer If-None-Match (304) and Range requests.
    """
    path = resolve(root, parts)
    if path is None:
        pecan.abort(404)
    content_type, encoding = mimetypes.guess_type(path.name)
    stat = path.stat()
    response = webob.Response(
        body=path.read_bytes(),
        content_type=content_type or "application/octet-stream",
        conditional_response=True,
    )
    if encoding:
        response.content_encoding = encoding
    response.last_modified = stat.st_mtime
    response.etag = f"{stat.st_mtime_ns:x}-{stat.st_size:x}"
    response.cache_control = "no-cache"
    return response
