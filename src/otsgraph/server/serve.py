"""`otsgraph serve`: build the graph into the store and serve it with waitress (threads, one process).

An on-disk Oxigraph store can be opened by one process at a time, so the server is one process
with a pool of threads: pyoxigraph releases the GIL while it evaluates, reads run in parallel and
see every committed update (each update is one transaction). See docs/server.md.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from otsgraph.core.exit_codes import EXIT_UNREACHABLE
from otsgraph.core.loading import Layout
from otsgraph.core.remote import BackendError, BackendUnreachable

from .execution.safety import ProtocolError
from .state import ServerConfig, load_state

TOKEN_ENV = "OTSGRAPH_UPDATE_TOKEN"


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `otsgraph serve` (cli.py adds the subcommand and calls run(...))."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    parser.add_argument(
        "--threads",
        type=int,
        default=16,
        help="request threads (default 16: more than the queries that "
        "may run or wait, so that pages and /health always find one)",
    )
    parser.add_argument(
        "--store",
        type=Path,
        default=None,
        help="on-disk store folder (default: build/store of --root or $OTSGRAPH_HOME or the checkout; "
        "./otsgraph-build/store for an installed package; see docs/install.md); ':memory:' for none",
    )
    parser.add_argument(
        "--update-token",
        action="append",
        default=None,
        help=f"allow updates with this bearer token (repeatable; 'name:token' pairs, comma-separated, "
        f"are accepted too; default ${TOKEN_ENV}); without one the server is read-only",
    )
    parser.add_argument(
        "--allow-service",
        action="append",
        default=[],
        metavar="HOST",
        help="a host (or host:port) SERVICE may call (repeatable; none by default)",
    )
    parser.add_argument(
        "--public-url", default=None, help="the URL clients see, e.g. https://example.org/otsgraph"
    )
    parser.add_argument(
        "--query-timeout", type=float, default=30.0, help="seconds a query may run (default 30)"
    )
    parser.add_argument(
        "--executor",
        choices=("process", "thread"),
        default="process",
        help="where client-written SPARQL runs: 'process' (default: worker processes that are killed at "
        "the time limit or their memory cap, or when they crash; the server stays up) or 'thread' "
        "(threads of the server's process: a little faster, but a query cannot be stopped)",
    )
    parser.add_argument("--workers", type=int, default=4, help="query worker processes (default 4)")
    parser.add_argument(
        "--queue", type=int, default=8,
        help="requests that may wait for a free worker (default 8); when it is full, a request from a "
        "client that used less CPU lately takes the place of the heaviest waiter, else gets 503 busy",
    )  # fmt: skip
    parser.add_argument(
        "--reserved-workers", type=int, default=2,
        help="workers kept for short queries (default 2): queries that used more than 0.25 s of CPU, and "
        "those of clients that used much CPU lately, share the others (the long lane)",
    )  # fmt: skip
    parser.add_argument(
        "--per-client", type=int, default=0,
        help="queries one client runs at once (default: the cores minus one, at least 1); one more gets 429",
    )  # fmt: skip
    parser.add_argument(
        "--query-memory", type=int, default=1024, metavar="MB",
        help="memory one query may allocate (default 1024 MB); past it the query gets 503 query-memory",
    )  # fmt: skip
    parser.add_argument(
        "--server-memory", type=int, default=0, metavar="MB",
        help="memory of the whole server, workers included (default 512 + workers x --query-memory); past "
        "it the biggest running query is stopped",
    )  # fmt: skip
    parser.add_argument(
        "--max-nesting", type=int, default=100,
        help="deepest SPARQL nesting taken (brackets, unary operators; default 100); deeper gets 400",
    )  # fmt: skip
    parser.add_argument(
        "--empty",
        action="store_true",
        help="serve a plain, empty, in-memory SPARQL 1.1 store (no shipped graph, no shapes gate; "
        "the default graph is a real graph); the on-disk store is not touched",
    )
    parser.add_argument(
        "--backend",
        default=None,
        metavar="URL",
        help="serve the data of this SPARQL 1.1 store (its query endpoint; publish to it first with "
        "`otsgraph publish --to URL`): queries run there, accepted writes are written there; credentials "
        "from OTSGRAPH_BACKEND_TOKEN or OTSGRAPH_BACKEND_USER/_PASSWORD (docs/deploy.md)",
    )
    parser.add_argument(
        "--backend-poll", type=float, default=0.0, metavar="SECONDS",
        help="with --backend: read the backend's data version at most this often (default 0: before every "
        "request, so a write through another front is seen at once)",
    )  # fmt: skip
    parser.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="honour X-Forwarded-* from this peer: an address or a network such as 10.0.0.0/8 "
        "(repeatable; none by default, loopback included: name 127.0.0.1 behind a local proxy)",
    )
    parser.add_argument(
        "--trust-proxy",
        action="store_true",
        help="honour X-Forwarded-* from any peer (only when no client can reach the server directly)",
    )


def run_from_arguments(args: argparse.Namespace, layout: Layout) -> int:
    """`otsgraph serve` with the parsed flags of add_serve_arguments."""
    if args.empty and args.store is not None:
        print("--empty serves an in-memory store; it cannot be combined with --store", file=sys.stderr)
        return 2
    if args.backend and args.store is not None:
        print("--backend serves the backend's data; it cannot be combined with --store", file=sys.stderr)
        return 2
    store_path: Path | None = args.store or layout.build_dir / "store"
    if args.empty or args.backend:
        store_path = None
    if store_path is not None and str(store_path) == ":memory:":
        store_path = None
    bad = [flag for flag, value in (("--workers", args.workers), ("--queue", args.queue)) if value < 1]
    bad += [flag for flag, value in (("--query-timeout", args.query_timeout),) if value <= 0]
    if bad:
        print(f"{', '.join(bad)} must be positive", file=sys.stderr)
        return 2
    from .app import trusted_networks

    try:  # before the graph is loaded: a typo costs no wait
        trusted_networks(args.trusted_proxy)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 2
    config = ServerConfig(
        store_path=store_path,
        update_tokens=parse_tokens(args.update_token),
        service_allowlist=tuple(args.allow_service),
        public_url=args.public_url,
        query_timeout=args.query_timeout,
        trust_forwarded=args.trust_proxy,
        trusted_proxies=tuple(args.trusted_proxy),
        empty=args.empty,
        executor=args.executor,
        query_workers=args.workers,
        query_queue=args.queue,
        reserved_workers=min(args.reserved_workers, max(0, args.workers - 1)),
        query_memory_mb=args.query_memory,
        server_memory_mb=args.server_memory,
        max_nesting=args.max_nesting,
        backend=args.backend,
        backend_poll=args.backend_poll,
        **({"max_queries_per_client": args.per_client} if args.per_client else {}),
    )
    return serve(config, args.host, args.port, args.threads, layout, args.quiet)


def waitress_options(config: ServerConfig) -> dict[str, object]:
    """Settings for waitress.create_server (also for the tests' live server)."""
    return {
        # well above the app's own limit, so that the app answers an oversized body (413 as JSON,
        # with CORS; it reads no more than its limit); waitress stops only a flood of ten times that
        "max_request_body_size": 10 * config.max_request_bytes,
        # the app decides which peers' X-Forwarded-* to trust (app.ForwardedHeaders)
        "clear_untrusted_proxy_headers": False,
        "ident": "otsgraph",
    }


def parse_tokens(values: list[str] | None, environ: dict[str, str] | None = None) -> dict[str, str]:
    """{token: name} from flags or the environment: 'token', 'name:token', comma-separated.

    >>> parse_tokens(["alice:s3cret, b0b"])
    {'s3cret': 'alice', 'b0b': 'client-2'}
    """
    environ = os.environ if environ is None else environ
    raw = values if values else [environ.get(TOKEN_ENV, "")]
    tokens: dict[str, str] = {}
    for item in ",".join(raw).split(","):
        item = item.strip()
        if not item:
            continue
        name, colon, token = item.partition(":")  # the name is up to the first ':', the token may hold ':'
        if not colon:
            name, token = "", item
        tokens[token] = name or f"client-{len(tokens) + 1}"
    return tokens


def serve(config: ServerConfig, host: str, port: int, threads: int, layout: Layout, quiet: bool) -> int:
    """Build the state, print where it listens and what it serves, and serve until interrupted."""
    from waitress.server import create_server

    from .app import create_app

    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    where = config.store_path or "an in-memory store"
    if not config.empty:
        say(f"Inputs: {layout.root} ({layout.origin})")
    if config.backend:
        say(f"Reading the data of the backend {config.backend} …")
    elif config.empty:
        say("An empty in-memory store (--empty) …")
    else:
        say(f"Loading the graph into {where} …")
    try:
        state = load_state(layout, config)
    except ValueError as err:  # a bad --backend URL
        print(err, file=sys.stderr)
        return 2
    except OSError as err:  # most often: another process has the on-disk store open
        print(f"Store error: cannot open {config.store_path}: {err}", file=sys.stderr)
        return 2
    except (BackendUnreachable, BackendError, ProtocolError) as err:  # the backend's, at start
        print(f"Backend error: {getattr(err, 'message', err)}", file=sys.stderr)
        return EXIT_UNREACHABLE
    app = create_app(config, layout=layout, server_state=state)
    server = create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        **waitress_options(config),
    )
    address = f"http://{host}:{server.effective_port}"  # type: ignore[union-attr]
    graphs = sum(1 for _ in state.store.named_graphs())
    say(f"Serving {len(state.store):,} triples in {graphs} named graphs")
    say(f"  SPARQL endpoint {address}/sparql  (query page {address}/, health {address}/health)")
    say(
        "  updates: "
        + (
            f"allowed with a bearer token ({len(config.update_tokens)} configured)"
            if config.update_tokens
            else "off (read-only)"
        )
        + "; SERVICE hosts: "
        + (", ".join(config.service_allowlist) or "none")
        + f"; query time limit {config.query_timeout:g} s; {threads} threads"
    )
    say(
        f"  queries run in {config.query_workers} worker processes, {config.query_memory_mb:,} MB each"
        if config.executor == "process"
        else "  queries run on threads of this process (--executor thread: they cannot be stopped)"
    )
    from otsgraph.core.serving import announce

    # the command line's readers refuse a store a server holds: they find it by this note (serving.py)
    with announce(state.config.store_path, address):
        print(address, flush=True)  # stdout: just the address, for scripts
        try:
            server.run()
        except KeyboardInterrupt:
            say("Stopped.")
        finally:
            server.close()
            state.close()
    return 0
