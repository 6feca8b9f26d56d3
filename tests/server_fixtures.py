"""Helpers shared by the tests of the SPARQL endpoint (test_server_*.py).

`serve` is server_support.live_server with three fixes, made by the shim below until that
helper has them: it casts waitress 3's effective_port (a str) to int, so the probe loop can
connect; it passes serve.waitress_options (as `otsgraph serve` does), so X-Forwarded-* reach
the app; and closing the server also closes the clients' kept-alive connections, without
which the server thread outlives close() and live_server waits 5 s for it on every exit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from waitress.channel import HTTPChannel
from waitress.server import create_server

import server_support
from otsgraph.server.serve import waitress_options
from otsgraph.server.state import ServerConfig


def _create_server(app, **kwargs):
    config = app.extensions["otsgraph"].config
    server = create_server(app, **{**waitress_options(config), **kwargs})
    server.effective_port = int(server.effective_port)
    close = server.close

    def close_all() -> None:
        for channel in list(server._map.values()):
            if isinstance(channel, HTTPChannel):
                channel.handle_close()
        close()

    server.close = close_all
    return server


server_support.create_server = _create_server  # the shim; remove once server_support casts the port

TOKEN = "test-token"


@contextmanager
def serve(threads: int = 4, **config) -> Iterator[server_support.LiveServer]:
    """A live server with this config (keyword arguments of ServerConfig)."""
    with server_support.live_server(ServerConfig(**config), threads=threads) as server:
        yield server
