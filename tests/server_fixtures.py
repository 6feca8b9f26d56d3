"""Helpers shared by the tests of the SPARQL endpoint (test_server_*.py, pages, reconcile, federation)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from serve_command import LiveApp, serve_app

TOKEN = "test-token"


@contextmanager
def serve(threads: int = 4, **config) -> Iterator[LiveApp]:
    """A live server (the app under waitress on 127.0.0.1, a free port) with this ServerConfig."""
    with serve_app(threads=threads, **config) as server:
        yield server
