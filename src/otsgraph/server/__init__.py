"""The SPARQL endpoint and the pages: a Flask app (create_app) served by a production WSGI server.

create_app is imported on first use, so that a query worker process (worker.py), which needs
only the job runner, starts without Flask and the pages."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
