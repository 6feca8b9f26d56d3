"""Helpers shared by the tests of the SPARQL endpoint (test_server_*.py, pages, reconcile, federation)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pyoxigraph as ox

from otsgraph.server.state import state_of
from serve_command import LiveApp, serve_app

TOKEN = "test-token"


@contextmanager
def serve(threads: int = 4, **config) -> Iterator[LiveApp]:
    """A live server (the app under waitress on 127.0.0.1, a free port) with this ServerConfig."""
    with serve_app(threads=threads, **config) as server:
        yield server


@contextmanager
def added(server: LiveApp, quads: list[ox.Quad]) -> Iterator[None]:
    """The quads in the server's store for the block, then gone again (the data version bumps both times)."""
    state = state_of(server.app)
    state.store.extend(quads)
    state.changed()
    try:
        yield
    finally:
        for quad in quads:
            state.store.remove(quad)
        state.changed()
