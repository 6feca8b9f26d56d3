"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from ..loading import Layout
from .state import ServerConfig, ServerState, install, load_state


def create_app(
    config: ServerConfig | None = None,
    layout: Layout | None = None,
    server_state: ServerState | None = None,
    **flask_config: Any,
) -> Flask:
    """A new app: its own state, so tests each get a fresh one."""
    app = Flask(__name__)
    app.config.update(flask_config)
    config = config or ServerConfig()
    app.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes
    install(app, server_state or load_state(layout or Layout.default(), config))

    from .pages import pages
    from .sparql import sparql

    app.register_blueprint(sparql)
    app.register_blueprint(pages)
    return app
