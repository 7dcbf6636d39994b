"""WSGI entry point: `gunicorn server:app` (settings from the `TCAP_*` environment)."""

from tcap_kg.web import create_app

app = create_app()
