"""What the server holds while it runs: the store, the reasoning result (for /explain), the config."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from flask import Flask, current_app

from ..build import Reasoned, inferred_quads, reason
from ..loading import Layout, load_sources
from ..store import DEFAULT_GRAPHS, open_store, seed

EXTENSION = "otsgraph"


@dataclass
class ServerConfig:
    """Settings, from flags, the environment or a test mapping."""

    store_path: Path | None = None  # None: an in-memory store
    update_tokens: dict[str, str] = field(default_factory=dict)  # token -> name; empty: read-only
    service_allowlist: tuple[str, ...] = ()  # hosts SERVICE may call; empty by default
    public_url: str | None = None  # e.g. https://example.org/otsgraph, for links behind a proxy
    query_timeout: float = 10.0  # seconds
    max_request_bytes: int = 1_000_000
    max_results: int = 100_000


@dataclass
class ServerState:
    store: ox.Store
    reasoned: Reasoned
    layout: Layout
    config: ServerConfig

    @property
    def default_graphs(self) -> list[ox.NamedNode]:
        return DEFAULT_GRAPHS


def load_state(layout: Layout, config: ServerConfig) -> ServerState:
    """Build the shipped graph (fast: reasoning, no shape check) and seed the store with it."""
    sources = load_sources(layout)
    reasoned = reason(sources)
    store = open_store(config.store_path)
    seed(store, sources.quads() + inferred_quads(reasoned))
    return ServerState(store, reasoned, layout, config)


def state() -> ServerState:
    """The running app's state (inside a request or app context)."""
    return current_app.extensions[EXTENSION]


def install(app: Flask, server_state: ServerState) -> None:
    app.extensions[EXTENSION] = server_state
