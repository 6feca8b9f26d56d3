"""What the server holds while it runs: the store, the reasoning result (for /explain), the config."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from flask import Flask, current_app

from ..audit import recover
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
    query_timeout: float = 30.0  # seconds (issue 3: configurable, 30 s by default)
    max_request_bytes: int = 1_000_000  # a request body or a query string; larger gets 413
    max_results: int = 100_000  # rows a page shows at most (the pages' tables)
    max_result_bytes: int = 50_000_000  # a serialised SPARQL answer; larger gets 400 result-too-large
    # queries one client (remote address) runs at once; the others wait for a slot until their deadline.
    # One fewer than the cores, so a client's slow queries cannot take every core.
    max_queries_per_client: int = field(default_factory=lambda: max(1, (os.cpu_count() or 2) - 1))
    query_workers: int = 32  # threads that run queries (a query past its deadline holds one until it ends)
    # X-Forwarded-* is honoured only from these peers (addresses or networks, e.g. 127.0.0.1 or
    # 10.0.0.0/8: the reverse proxies in front), or from any peer when trust_forwarded (--trust-proxy)
    trusted_proxies: tuple[str, ...] = ()
    trust_forwarded: bool = False
    max_validate_triples: int = 1_000  # POST /validate (no token needed): a larger submission gets 400
    cache_entries: int = 512  # serialised answers kept per data version (0: no cache)
    # `serve --empty`: a plain, empty, in-memory SPARQL store; no shapes gate, a real default graph
    empty: bool = False


@dataclass
class ServerState:
    store: ox.Store
    reasoned: Reasoned | None
    layout: Layout
    config: ServerConfig
    # the data version: bumped by every change, it keys the cache and the ETags
    version: int = 0
    modified: float = field(default_factory=time.time)  # for Last-Modified
    # False for a plain SPARQL store (`serve --empty`): the default graph is the store's own
    union_default: bool = True

    def __post_init__(self) -> None:
        from .execute import ResultCache, Runner
        from .safety import ClientLimiter

        self.runner = Runner(self.config.query_workers)
        self.limiter = ClientLimiter(self.config.max_queries_per_client)
        self.cache = ResultCache(self.config.cache_entries)
        self._lock = threading.Lock()
        self.write_lock = threading.Lock()  # one writer at a time (Graph Store writes, gated updates)

    @property
    def default_graphs(self) -> list[ox.NamedNode | ox.DefaultGraph]:
        """The served default graph: the documented union, plus the store's own default graph so
        that an update's INSERT DATA without GRAPH is visible to queries."""
        return [*DEFAULT_GRAPHS, ox.DefaultGraph()] if self.union_default else [ox.DefaultGraph()]

    @property
    def writable(self) -> bool:
        return bool(self.config.update_tokens)

    def changed(self) -> None:
        """Record a change of the data (call after every write): new version, stale cache dropped."""
        with self._lock:
            self.version += 1
            self.modified = time.time()
            self.cache.clear()


def load_state(layout: Layout, config: ServerConfig) -> ServerState:
    """Build the shipped graph (fast: reasoning, no shape check) and seed the store with it."""
    if config.empty:  # never opens the persistent store
        return ServerState(open_store(None), None, layout, config, union_default=False)
    sources = load_sources(layout)
    reasoned = reason(sources)
    store = open_store(config.store_path)
    recover(store)  # a change a crash interrupted is rolled back before anything is served
    seed(store, sources.quads() + inferred_quads(reasoned))
    return ServerState(store, reasoned, layout, config)


def state() -> ServerState:
    """The running app's state (inside a request or app context)."""
    return current_app.extensions[EXTENSION]


def install(app: Flask, server_state: ServerState) -> None:
    app.extensions[EXTENSION] = server_state
