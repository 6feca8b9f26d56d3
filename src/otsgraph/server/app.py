"""The Flask application factory."""

from __future__ import annotations

import ipaddress
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from ..loading import Layout
from .state import ServerConfig, ServerState, install, load_state


class ForwardedHeaders:
    """Honour X-Forwarded-For/-Proto/-Host/-Port/-Prefix (one proxy hop) only from trusted peers.

    A reverse proxy on the same machine (a loopback peer) is always trusted, any peer when
    `trust_all` (--trust-proxy); from other peers the headers are dropped, so no client can make
    the server believe it lives elsewhere. waitress must pass the headers through
    (serve.waitress_options: clear_untrusted_proxy_headers=False); this decides instead, because
    waitress trusts a single address and knows no X-Forwarded-Prefix.
    """

    def __init__(self, app: Any, trust_all: bool) -> None:
        self.plain = app
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)
        self.trust_all = trust_all

    def __call__(self, environ: dict, start_response: Any) -> Any:
        if self.trust_all or _loopback(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        for key in [k for k in environ if k.startswith("HTTP_X_FORWARDED_")]:
            del environ[key]
        return self.plain(environ, start_response)


def _loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def create_app(
    config: ServerConfig | None = None,
    layout: Layout | None = None,
    server_state: ServerState | None = None,
    **flask_config: Any,
) -> Flask:
    """A new app: its own state, so tests each get a fresh one."""
    app = Flask(__name__)
    app.config.update(flask_config)
    config = config or (server_state.config if server_state else ServerConfig())
    app.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes
    install(app, server_state or load_state(layout or Layout.default(), config))
    app.wsgi_app = ForwardedHeaders(app.wsgi_app, config.trust_forwarded)  # type: ignore[method-assign]

    from . import errors
    from .graph_store import graph_store
    from .pages import pages
    from .reconcile import reconcile
    from .sparql import sparql
    from .validate_route import validate_route

    app.register_blueprint(sparql)
    app.register_blueprint(graph_store)
    app.register_blueprint(validate_route)
    app.register_blueprint(pages)
    app.register_blueprint(reconcile)
    errors.register(app)  # once, for every route and for paths no route matches
    return app
