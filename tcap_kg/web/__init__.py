"""The Flask application: SPARQL endpoint, APIs and pages, one blueprint per concern."""

from .app import create_app

__all__ = ["create_app"]
