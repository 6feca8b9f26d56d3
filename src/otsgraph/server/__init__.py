"""The SPARQL endpoint and the pages: a Flask app (create_app) served by a production WSGI server."""

from .app import create_app

__all__ = ["create_app"]
