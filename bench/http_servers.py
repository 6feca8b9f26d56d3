"""The servers bench/http_bench.py compares, each started as its own process, and the data they load.

    python bench/http_servers.py prepare ROOT OUT     # load ROOT's graph; write OUT/store.nq, OUT/flat.nq
    python bench/http_servers.py waitress VARIANT STORE_NQ ROOT PORT LOG
    python bench/http_servers.py rdflib FLAT_NQ PORT

store.nq is the store exactly as `otsgraph serve` holds it (claim graphs and the fixed graphs; the
default graph is the union of the fixed graphs, chosen per query). flat.nq is the same dataset for
servers without that union: the named graphs as they are, plus the union copied into the default
graph, so every server answers the example queries over the same triples.

The waitress variants are the real otsgraph app (every safety feature on, the result cache off unless
named), the same app with one feature taken out (to measure what it costs), and a bare Flask app on
pyoxigraph with none of them. The features are taken out here, by replacing the one function or
object that implements each, so the server code itself stays as shipped.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UPDATE_TOKEN = "bench-token"  # auth configured: the server takes updates with this bearer token

# variant -> what it changes relative to "otsgraph" (all features on, no cache)
VARIANTS = {
    "otsgraph": "time limit, SERVICE guard, limits, auth and logging on; result cache off",
    "otsgraph-cached": "as otsgraph, result cache on (512 answers)",
    "no-time-limit": "queries run on the request thread, no deadline (no worker pool hand-off)",
    "no-service-guard": "the query text is not scanned for SERVICE/FROM before it runs",
    "no-limits": "no per-client query limit, no request or result size caps",
    "no-auth": "no update token configured (read-only)",
    "no-logging": "logging not configured (Python's defaults: warnings to stderr)",
    "plus-access-log": "as otsgraph, plus one access-log line per request (the server has none)",
    "bare": "bare Flask app on pyoxigraph, no safety features, no cache",
}


def prepare(root: Path, out: Path) -> None:
    """Build the graph of project folder `root` as the server does; write both N-Quads files."""
    import pyoxigraph as ox

    from otsgraph.core.graphs import DEFAULT_GRAPHS
    from otsgraph.core.loading import Layout
    from otsgraph.server.state import ServerConfig, load_state

    out.mkdir(parents=True, exist_ok=True)
    store = load_state(Layout(root), ServerConfig(cache_entries=0)).store
    store.dump(str(out / "store.nq"), format=ox.RdfFormat.N_QUADS)
    union = {
        ox.Triple(q.subject, q.predicate, q.object)
        for g in DEFAULT_GRAPHS
        for q in store.quads_for_pattern(None, None, None, g)
    }
    named = [q for q in store if not isinstance(q.graph_name, ox.DefaultGraph)]
    flat = named + [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in union]
    ox.serialize(flat, str(out / "flat.nq"), format=ox.RdfFormat.N_QUADS)
    print(json.dumps({"store_quads": len(store), "default_graph_triples": len(union)}))


class DirectRunner:
    """Runner.run without the worker pool and the deadline: the job runs on the request thread."""

    overdue = 0

    def run(self, job, timeout: float, max_bytes: int, on_done):
        from otsgraph.server.execution.jobs import Sink

        try:
            return job(Sink(max_bytes))
        finally:
            on_done()

    def shutdown(self) -> None:
        pass


class NoLimiter:
    def try_acquire(self, client: str) -> None:
        pass

    def release(self, client: str) -> None:
        pass


def access_logged(app, log: logging.Logger):
    """WSGI middleware writing one line per request, as a deployment's access log would."""

    def wrapped(environ, start_response):
        started = time.perf_counter()
        seen: dict[str, str] = {}

        def remember(status, headers, exc_info=None):
            seen["status"] = status
            return start_response(status, headers, exc_info)

        body = app(environ, remember)
        log.info(
            '%s "%s %s" %s %.2f ms',
            environ.get("REMOTE_ADDR"),
            environ.get("REQUEST_METHOD"),
            environ.get("PATH_INFO"),
            seen.get("status", "-")[:3],
            (time.perf_counter() - started) * 1000,
        )
        return body

    return wrapped


def waitress_app(variant: str, store_nq: Path, root: Path, log_file: Path):
    """The WSGI app of a waitress variant, its store loaded from store.nq."""
    import pyoxigraph as ox

    from otsgraph.core.loading import Layout
    from otsgraph.server import create_app
    from otsgraph.server.state import ServerConfig, ServerState

    if variant != "no-logging":
        logging.basicConfig(
            filename=log_file, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s"
        )
    config = ServerConfig(
        update_tokens={} if variant == "no-auth" else {UPDATE_TOKEN: "bench"},
        cache_entries=512 if variant == "otsgraph-cached" else 0,
        query_timeout=30.0,
        # the in-process executor: these variants weigh the app's own features one by one, on an
        # in-memory store; bench/isolation_bench.py weighs the process executor against it
        executor="thread",
    )
    if variant == "no-limits":
        config.max_request_bytes = config.max_result_bytes = 1 << 40
    store = ox.Store()
    store.bulk_load(path=str(store_nq), format=ox.RdfFormat.N_QUADS)
    state = ServerState(store, None, Layout(root), config)
    if variant == "bare":
        return bare_app(store, state.default_graphs)
    if variant == "no-time-limit":
        state.executor.runner = DirectRunner()  # type: ignore[attr-defined]
    if variant == "no-limits":
        state.executor.limiter = NoLimiter()  # type: ignore[attr-defined]
    if variant == "no-service-guard":
        from otsgraph.server.execution.scan import Scan
        from otsgraph.server.protocol import sparql

        # the guard reads only what _scan finds
        sparql._scan = lambda text, base, update=False, nesting=0: Scan()
    app = create_app(config, server_state=state)
    if variant == "plus-access-log":
        app.wsgi_app = access_logged(app.wsgi_app, logging.getLogger("otsgraph.access"))  # type: ignore[method-assign]
    return app


def bare_app(store, default_graphs):
    """The issue's reference point: Flask and pyoxigraph, nothing else."""
    import pyoxigraph as ox
    from flask import Flask, Response, request

    app = Flask("bare")

    @app.get("/sparql")
    def sparql() -> Response:
        result = store.query(request.args["query"], default_graph=default_graphs)
        return Response(result.serialize(format=ox.QueryResultsFormat.JSON), mimetype="application/json")

    return app


def serve_waitress(variant: str, store_nq: Path, root: Path, port: int, log_file: Path) -> None:
    from waitress.server import create_server

    from otsgraph.server.serve import waitress_options
    from otsgraph.server.state import ServerConfig

    app = waitress_app(variant, store_nq, root, log_file)
    # the same waitress settings as `otsgraph serve` (8 threads) for every variant, bare included
    server = create_server(app, host="127.0.0.1", port=port, threads=8, **waitress_options(ServerConfig()))
    server.run()


def serve_rdflib(flat_nq: Path, port: int) -> None:
    import rdflib
    import uvicorn
    from rdflib_endpoint import SparqlEndpoint

    dataset = rdflib.Dataset()
    dataset.parse(str(flat_nq), format="nquads")
    app = SparqlEndpoint(graph=dataset, public_url=f"http://127.0.0.1:{port}/")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "prepare":
        prepare(Path(args[0]), Path(args[1]))
    elif command == "waitress":
        serve_waitress(args[0], Path(args[1]), Path(args[2]), int(args[3]), Path(args[4]))
    elif command == "rdflib":
        serve_rdflib(Path(args[0]), int(args[1]))
    else:
        raise SystemExit(f"unknown command {command!r}: prepare, waitress or rdflib")
