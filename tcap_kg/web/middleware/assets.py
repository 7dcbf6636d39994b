"""Fingerprinted static assets: `asset_url('js/tcap.js')` is `/static/js/tcap.js?v=<digest>`.

A URL that carries the digest of the file it names can be cached for a year and never asked for
again (`immutable`): a changed file gets a new digest, so a new URL. A request whose `v` is not the
file's current digest (an old page, a hand-typed URL) gets `no-cache`, so it is revalidated by its
ETag instead of being pinned to content it does not name. Digests are computed once per file
state (size and modification time) and kept for the life of the worker.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for

YEAR = 365 * 24 * 3600
IMMUTABLE = f"public, max-age={YEAR}, immutable"
REVALIDATE = "no-cache"


@lru_cache(maxsize=256)
def _digest(path: str, size: int, mtime: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def fingerprint(folder: Path, filename: str) -> str | None:
    """The digest of a file under the static folder, or None if there is no such file."""
    path = (folder / filename).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        return None
    stat = path.stat()
    return _digest(str(path), stat.st_size, stat.st_mtime_ns)


def asset_url(filename: str) -> str:
    """The URL of a static file with its digest (plain if there is no such file)."""
    digest = fingerprint(Path(current_app.static_folder or ""), filename)
    if digest is None:
        return url_for("static", filename=filename)
    return url_for("static", filename=filename, v=digest)


def install(app: Flask) -> None:
    folder = Path(app.static_folder or "")

    @app.after_request
    def _cache_static(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        filename = (request.view_args or {}).get("filename", "")
        wanted = request.args.get("v")
        current = fingerprint(folder, filename)
        if wanted is not None and wanted == current:
            response.headers["Cache-Control"] = IMMUTABLE
        else:
            response.headers["Cache-Control"] = REVALIDATE
        return response

    app.jinja_env.globals["asset_url"] = asset_url
