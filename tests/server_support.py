"""A real HTTP server for tests: the app under waitress on 127.0.0.1, on a random free port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from waitress.server import create_server

from otsgraph.loading import Layout
from otsgraph.server import create_app
from otsgraph.server.state import ServerConfig

REPO = Path(__file__).resolve().parents[1]


@dataclass
class LiveServer:
    url: str  # e.g. http://127.0.0.1:54321
    app: object


@contextmanager
def live_server(config: ServerConfig | None = None, threads: int = 4) -> Iterator[LiveServer]:
    """Serve a fresh app until the block ends."""
    app = create_app(config or ServerConfig(), layout=Layout(REPO))
    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    port = int(server.effective_port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app)
    finally:
        server.close()
        thread.join(timeout=5)
