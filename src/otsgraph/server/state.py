"""What the server holds while it runs: the store, the reasoning result (for /explain), the config."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from flask import Flask, current_app

from otsgraph.core.graphs import DEFAULT_GRAPHS
from otsgraph.core.loading import Layout, load_sources
from otsgraph.core.store import open_store
from otsgraph.gate.audit import recover
from otsgraph.gate.gate import Gate
from otsgraph.gate.seed import seed_from_sources
from otsgraph.reasoning.closure import Reasoned, reason

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
    # queries one client (remote address) runs at once; one more gets 429 at once.
    # One fewer than the cores, so a client's slow queries cannot take every core.
    max_queries_per_client: int = field(default_factory=lambda: max(1, (os.cpu_count() or 2) - 1))
    # where client-written SPARQL runs: "process" (a pool of killable, memory-capped worker
    # processes, pool.py) or "thread" (threads of this process, which cannot be stopped)
    executor: str = "process"
    query_workers: int = 4  # worker processes (or threads, with executor="thread")
    query_queue: int = 8  # requests that may wait for a free worker; one more gets 503 busy at once
    reserved_workers: int = 2  # kept for short queries: the long lane has the others
    long_query_after: float = 0.25  # CPU seconds after which a query is in the long lane
    query_memory_mb: int = 1024  # what one query may allocate
    server_memory_mb: int = 0  # the whole server (0: 512 MB + workers x query_memory_mb)
    max_nesting: int = 100  # SPARQL nesting depth (brackets, unary operators) taken at most
    # X-Forwarded-* is honoured only from these peers (addresses or networks, e.g. 127.0.0.1 or
    # 10.0.0.0/8: the reverse proxies in front), or from any peer when trust_forwarded (--trust-proxy)
    trusted_proxies: tuple[str, ...] = ()
    trust_forwarded: bool = False
    max_validate_triples: int = 1_000  # POST /validate (no token needed): a larger submission gets 400
    cache_entries: int = 512  # serialised answers kept per data version (0: no cache)
    # `serve --empty`: a plain, empty, in-memory SPARQL store; no shapes gate, a real default graph
    empty: bool = False
    # `serve --backend URL`: the data is in the remote SPARQL 1.1 store whose query endpoint this is
    # (server/backend/); this process keeps a copy for its pages and the gate, and runs queries there
    backend: str | None = None
    backend_poll: float = 0.0  # seconds between two reads of the backend's data version (0: every request)


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

    scratch: Path | None = None  # a folder this state made (removed when the process ends)
    # made on first use by the modules that own them, one per state (tests run several apps):
    # the gate (protocol/validate_route.gate_of), the write path (protocol/writes.writes_for) and
    # the triple counts of /health and the Service Description (protocol/sparql)
    gate: Gate | None = field(default=None, init=False, repr=False)
    writes: Any = field(default=None, init=False, repr=False)
    counts: Any = field(default=None, init=False, repr=False)
    backend: Any = None  # a backend.front.Backend under `serve --backend`

    @property
    def remote(self):
        """The remote store (`serve --backend`), or None."""
        return self.backend.remote if self.backend is not None else None

    def __post_init__(self) -> None:
        from .execution.execute import ResultCache

        self.cache = ResultCache(self.config.cache_entries)
        self._lock = threading.Lock()
        # one writer at a time (Graph Store writes, gated updates); re-entrant, because an update
        # that computes its effect holding it also makes the checkpoint its worker reads under it.
        # In front of a backend, the write lock also holds the fronts' lock in the store.
        self.store_lock = threading.RLock()
        self.write_lock: Any = self.store_lock
        if self.backend is not None:
            from .backend.front import FrontWriteLock

            self.write_lock = FrontWriteLock(
                self.store_lock, self._hold_backend, self._leave_backend, self.config.query_timeout
            )
            self.version = self.backend.version.number
        self.executor = make_executor(self)
        # a state dropped without close() (tests make many) still stops its workers
        self._finalizer = weakref.finalize(self, _close, self.executor, self.scratch)

    def close(self) -> None:
        self._finalizer()

    @property
    def default_graphs(self) -> list[ox.NamedNode | ox.DefaultGraph]:
        """The served default graph: the documented union, plus the store's own default graph so
        that an update's INSERT DATA without GRAPH is visible to queries."""
        return [*DEFAULT_GRAPHS, ox.DefaultGraph()] if self.union_default else [ox.DefaultGraph()]

    @property
    def writable(self) -> bool:
        return bool(self.config.update_tokens)

    def changed(self) -> None:
        """Record a change of the data (call after every write): new version, stale cache dropped.
        In front of a backend the version is the backend's, shared by every front."""
        with self._lock:
            self.version = self.backend.version.number if self.backend is not None else self.version + 1
            self.modified = time.time()
            self.cache.clear()
        self.executor.changed()

    # ---- in front of a backend (server/backend/front.py) ------------------------------------------

    def sync(self, force: bool = False) -> None:
        """Bring this front's copy to the backend's data version (before a request)."""
        release = self.backend.release
        if self.backend.refresh(self.store, self.store_lock, force):
            if self.backend.release != release:
                self.gate = None  # a publish changed the ontology or shapes' data: a new gate reads them
            self.changed()

    def _hold_backend(self, deadline: float) -> bool:
        from .backend.front import switching, unreachable

        try:
            if not self.backend.lock.acquire(deadline):
                return False
        except Exception as err:  # BackendUnreachable, BackendError
            raise unreachable(err) from None
        try:
            self.sync(force=True)
            if self.backend.switching:
                raise switching(self.backend.switching)
        except BaseException:
            self._leave_backend()
            raise
        return True

    def _leave_backend(self) -> None:
        with contextlib.suppress(
            Exception
        ):  # a claim left behind expires with its lease (core/fronts_lock.py)
            self.backend.lock.release()


def make_executor(server: ServerState):
    """The executor the config names (in front of a backend, wrapped: client queries go there)."""
    local = _local_executor(server)
    if server.backend is None:
        return local
    from .backend.executor import RemoteExecutor

    config = server.config
    return RemoteExecutor(local, server, max(8, 2 * config.query_workers), config.max_queries_per_client)


def _local_executor(server: ServerState):
    """The executor of this process's store: the process pool reads checkpoints of an on-disk store."""
    config = server.config
    this = weakref.ref(server)  # the executor must not keep its state alive (see the finalizer)

    def version() -> int:
        held = this()
        return held.version if held is not None else -1

    if config.executor == "thread":
        from .execution.execute import ThreadExecutor

        return ThreadExecutor(
            server.store, version, max(8, 2 * config.query_workers),
            config.max_queries_per_client,
        )  # fmt: skip
    if config.executor != "process":
        raise ValueError(f"unknown executor {config.executor!r}: 'process' or 'thread'")
    if server.scratch is None and config.store_path is None:
        raise ValueError(
            "the process executor reads checkpoints of an on-disk store: give a store_path, let "
            "load_state make a scratch store, or choose executor='thread'"
        )
    from .execution.pool import PoolLimits, ProcessPool
    from .execution.snapshots import Snapshots

    folder = server.scratch / "snapshots" if server.scratch else Path(f"{config.store_path}.snapshots")
    limits = PoolLimits(
        workers=config.query_workers,
        reserve=config.reserved_workers,
        queue=config.query_queue,
        per_client=config.max_queries_per_client,
        memory_mb=config.query_memory_mb,
        global_mb=config.server_memory_mb,
        long_after=config.long_query_after,
    )
    return ProcessPool(Snapshots(server.store, folder, server.store_lock), version, limits)


def _close(executor, scratch: Path | None) -> None:
    executor.close()
    if scratch is not None:
        # the store in it may still be open: RocksDB closes its files when the store is dropped, and
        # pulling its folder away first invites it to fail there (a file descriptor closed twice
        # was seen to take a waitress trigger with it); the folder goes when the process ends
        atexit.register(shutil.rmtree, scratch, ignore_errors=True)


def _open(config: ServerConfig) -> tuple[ox.Store, Path | None]:
    """The store to serve, and the scratch folder made for it: the process executor's workers read
    checkpoints, which only an on-disk store makes, so "in memory" is a throwaway folder there."""
    if config.store_path is not None or config.executor == "thread":
        return open_store(config.store_path), None
    scratch = Path(tempfile.mkdtemp(prefix="otsgraph-"))
    return open_store(scratch / "store"), scratch


def load_state(layout: Layout, config: ServerConfig) -> ServerState:
    """Build the shipped graph (fast: reasoning, no shape check) and seed the store with it."""
    # read first: a root without the inputs fails (loading.MissingInputs) before a store is made there
    sources = None if config.empty else load_sources(layout)
    if config.backend is not None:
        return _front(layout, config, sources)
    store, scratch = _open(config)
    if sources is None:  # --empty: never opens the persistent store
        return ServerState(store, None, layout, config, union_default=False, scratch=scratch)
    reasoned = reason(sources)
    recover(store)  # a change a crash interrupted is rolled back before anything is served
    seed_from_sources(store, sources, reasoned)
    return ServerState(store, reasoned.as_terms(), layout, config, scratch=scratch)  # (kept: no ids)


def _front(layout: Layout, config: ServerConfig, sources) -> ServerState:
    """A front of the backend: its copy of the data read from there (never from the shipped files,
    which give /explain its reasoning only)."""
    from otsgraph.core.remote import RemoteStore

    from .backend.front import Backend

    if config.store_path is not None:
        raise ValueError("--backend keeps its copy of the data in memory: give no --store")
    backend = Backend(RemoteStore.at(config.backend), poll=config.backend_poll)
    scratch = Path(tempfile.mkdtemp(prefix="otsgraph-front-"))
    store = open_store(scratch / "store") if config.executor == "process" else open_store(None)
    if not config.empty:  # --empty --backend passes everything on: it keeps no copy
        backend.refresh(store, threading.RLock(), force=True)
    reasoned = None if sources is None else reason(sources).as_terms()  # (kept for /explain: no ids)
    return ServerState(store, reasoned, layout, config, scratch=scratch, union_default=not config.empty,
                       backend=backend)  # fmt: skip


def state() -> ServerState:
    """The running app's state (inside a request or app context)."""
    return current_app.extensions[EXTENSION]


def state_of(app: Flask) -> ServerState:
    """An app's state, from outside a request: its store, gate, version (tests, `serve`)."""
    return app.extensions[EXTENSION]


def install(app: Flask, server_state: ServerState) -> None:
    app.extensions[EXTENSION] = server_state
