"""The Flask application factory."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

from flask import Flask, current_app
from werkzeug.middleware.proxy_fix import ProxyFix

from otsgraph.core.loading import Layout

from .errors import CORS
from .execution.safety import ProtocolError
from .state import ServerConfig, ServerState, install, load_state, state_of

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ForwardedHeaders:
    """Honour X-Forwarded-For/-Proto/-Host/-Port/-Prefix (one proxy hop) only from trusted peers.

    Trusted are the peers in `proxies` (the reverse proxies in front: --trusted-proxy), or any
    peer when `trust_all` (--trust-proxy). Loopback is not trusted by default: any local client
    could otherwise pick the address the per-client query limit counts it under, and the URLs the
    server gives out. From other peers the headers are dropped. waitress must pass the headers
    through (serve.waitress_options: clear_untrusted_proxy_headers=False); this decides instead,
    because waitress trusts a single address and knows no X-Forwarded-Prefix.
    """

    def __init__(self, app: Any, proxies: tuple[Network, ...] = (), trust_all: bool = False) -> None:
        self.plain = app
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1)
        self.proxies = proxies
        self.trust_all = trust_all

    def __call__(self, environ: dict, start_response: Any) -> Any:
        if self.trust_all or _within(environ.get("REMOTE_ADDR"), self.proxies):
            return self.fixed(environ, start_response)
        for key in [k for k in environ if k.startswith("HTTP_X_FORWARDED_")]:
            del environ[key]
        return self.plain(environ, start_response)


def _json_error(
    start_response: Any, status: str, code: str, message: str, headers: dict[str, str]
) -> list[bytes]:
    """A JSON error answered below Flask (the app's own format, errors.py)."""
    body = json.dumps({"error": code, "message": message}).encode()
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *CORS.items(),
         *headers.items()],
    )  # fmt: skip
    return [body]


class Admission:
    """Refuse a client over its CPU budget (429) before Flask routes the request or reads a body.

    An attacker's refused requests are the bulk of the server's own work under attack (a soak saw
    ~400 a second); answered here, each costs a dictionary look-up instead of a Flask request.
    Installed inside ForwardedHeaders, so REMOTE_ADDR is the client as the per-client limit sees it."""

    PATHS = frozenset({"/sparql", "/sparql/", "/validate"})

    def __init__(self, app: Any, executor: Any) -> None:
        self.app = app
        self.executor = executor

    def __call__(self, environ: dict, start_response: Any) -> Any:
        if environ.get("PATH_INFO") in self.PATHS:
            try:
                self.executor.admit(environ.get("REMOTE_ADDR") or "?")
            except ProtocolError as err:
                status = f"{err.status} Too Many Requests"
                return _json_error(start_response, status, err.code, err.message, err.headers or {})
        return self.app(environ, start_response)


class ReadableQueryString:
    """Answer 400 (JSON) to a query string with raw bytes that are not UTF-8.

    waitress refuses such a byte in most request targets, but lets it through after a `//`; werkzeug
    then fails decoding `request.args` deep inside any route (a 500). Percent-encoded bytes are
    each route's to judge; raw ones are never valid in a URL."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Any) -> Any:
        try:
            environ.get("QUERY_STRING", "").encode("latin-1").decode("utf-8")
        except UnicodeError:
            message = "the query string holds raw bytes that are not UTF-8"
            return _json_error(start_response, "400 Bad Request", "bad-encoding", message, {})
        return self.app(environ, start_response)


def trusted_networks(entries: tuple[str, ...] | list[str]) -> tuple[Network, ...]:
    """The --trusted-proxy entries as networks (an address is a network of one); ValueError, naming
    the entry, for one that is neither (a host name included: a proxy is named by its address)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"--trusted-proxy {entry!r} is not an IP address or network "
                "(e.g. 127.0.0.1, ::1 or 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def _within(address: str | None, networks: tuple[Network, ...]) -> bool:
    if not networks:
        return False
    try:
        peer = ipaddress.ip_address((address or "").split("%")[0])  # no IPv6 zone
    except ValueError:  # a unix socket, or no peer at all
        return False
    if isinstance(peer, ipaddress.IPv6Address) and peer.ipv4_mapped:  # ::ffff:127.0.0.1 on a dual stack
        peer = peer.ipv4_mapped
    return any(peer in network for network in networks)


def create_app(
    config: ServerConfig | None = None,
    layout: Layout | None = None,
    server_state: ServerState | None = None,
    **flask_config: Any,
) -> Flask:
    """A new app: its own state, so tests each get a fresh one."""
    config = config or (server_state.config if server_state else ServerConfig())
    proxies = trusted_networks(config.trusted_proxies)  # before any work: a bad entry is a startup error
    app = Flask(__name__)
    app.config.update(flask_config)
    # one byte over the limit, so that a body sent without a Content-Length (chunked) and over the
    # limit is read far enough to be refused with 413 by the routes, not cut to the limit and run
    app.config["MAX_CONTENT_LENGTH"] = config.max_request_bytes + 1
    install(app, server_state or load_state(layout or Layout.default(), config))
    executor = state_of(app).executor
    app.wsgi_app = Admission(app.wsgi_app, executor)  # type: ignore[method-assign]
    app.wsgi_app = ForwardedHeaders(app.wsgi_app, proxies, config.trust_forwarded)  # type: ignore[method-assign]
    app.wsgi_app = ReadableQueryString(app.wsgi_app)  # type: ignore[method-assign]

    from . import errors
    from .pages.pages import error_page, pages
    from .protocol.graph_store import graph_store
    from .protocol.sparql import sparql
    from .protocol.validate_route import validate_route
    from .reconcile.reconcile import reconcile

    app.register_blueprint(sparql)
    app.register_blueprint(graph_store)
    app.register_blueprint(validate_route)
    app.register_blueprint(pages)
    app.register_blueprint(reconcile)
    errors.register(app, error_page)  # once, for every route and for paths no route matches
    server = state_of(app)
    if server.backend is not None and not config.empty:
        app.before_request(_current_copy)
    elif server.backend is not None:  # serve --empty --backend: writes pass on, ungated
        from .backend.plain import RemotePlainWrites

        server.writes = RemotePlainWrites(server)
    return app


def _current_copy() -> None:
    """In front of a backend: this front's copy brought to the backend's data version first."""
    state_of(current_app).sync()
