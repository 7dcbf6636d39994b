"""HTTP middleware of the app: fingerprinted, immutably cached static assets and compression."""

from __future__ import annotations

from flask import Flask

from . import assets, compression


def install(app: Flask) -> None:
    """Add asset fingerprints (the `asset_url` template helper) and response compression."""
    assets.install(app)
    compression.install(app)


__all__ = ["install"]
