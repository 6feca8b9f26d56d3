"""A SPARQL 1.1 store over HTTP: queries and updates by the SPARQL 1.1 Protocol, whole graphs by the
Graph Store Protocol. What `otsgraph publish --to` writes to (docs/deploy.md).

The store is named by its endpoints. `RemoteStore.at(url)` takes the query endpoint and derives the
others for the engines it knows, or takes them as given:

| engine | query | update | graph store |
|---|---|---|---|
| Oxigraph (`oxigraph serve`) | `/query` | `/update` | `/store` |
| Fuseki | `/ds/query` (or `/ds/sparql`) | `/ds/update` | `/ds/data` |
| Virtuoso, GraphDB, others | `/sparql` | the same | none: graphs are written by SPARQL Update |

Credentials come from the environment, never from the command line (where `ps` and shell histories
would show them): `OTSGRAPH_BACKEND_TOKEN` (sent as a Bearer token), else `OTSGRAPH_BACKEND_USER` and
`OTSGRAPH_BACKEND_PASSWORD` (HTTP Basic).

The transport is injected (`send(request, timeout) -> (status, headers, body)`), as the Wikidata
client's is, so that tests can record what is sent; the default keeps connections alive (urllib3).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
import urllib3

Response = tuple[int, Mapping[str, str], bytes]
Transport = Callable[[urllib.request.Request, float], Response]

TOKEN_VARIABLE = "OTSGRAPH_BACKEND_TOKEN"
USER_VARIABLE = "OTSGRAPH_BACKEND_USER"
PASSWORD_VARIABLE = "OTSGRAPH_BACKEND_PASSWORD"
#: a request may carry the most bytes of an answer to read (send_query's max_bytes); a longer
#: answer comes back cut there, marked by a header of ours
LIMIT_ATTRIBUTE = "otsgraph_max_bytes"
TRUNCATED_HEADER = "X-Otsgraph-Truncated"
#: triples per INSERT DATA when a graph is written by SPARQL Update
UPDATE_BATCH = 2000
#: triples per Graph Store request: Oxigraph's server takes a PUT in one transaction, whose cost grows
#: faster than its size (50k triples 1.2 s, 200k 8.9 s; 724k timed out at 300 s)
GRAPH_STORE_BATCH = 50_000


class BackendUnreachable(Exception):
    """The store could not be reached (refused, timed out, no such host)."""


class BackendError(Exception):
    """The store answered with an error: the status and what it said."""

    def __init__(self, what: str, status: int, body: bytes) -> None:
        text = body.decode("utf-8", "replace").strip()
        super().__init__(f"{what}: HTTP {status}" + (f": {text[:300]}" if text else ""))
        self.status = status


# Virtuoso echoes each default-graph-uri and named-graph-uri of a request as a response header
# (X-SPARQL-named-graph); Python's http.client refuses an answer with more than 100 headers, and a
# dataset of every published graph has hundreds. The limit is a module global of http.client.
_HEADERS_ALLOWED = 200_000


#: kept-alive connections to the store, shared by the threads of a process: a front sends one or two
#: requests to the store for each of its own, and a new TCP connection for each doubled their cost
_POOL = urllib3.PoolManager(num_pools=8, maxsize=32, retries=False)


def http_transport(request: urllib.request.Request, timeout: float) -> Response:
    """Send the request on a kept-alive connection; read at most the request's byte limit."""
    http.client._MAXHEADERS = max(http.client._MAXHEADERS, _HEADERS_ALLOWED)  # type: ignore[attr-defined]
    limit = getattr(request, LIMIT_ATTRIBUTE, None)
    try:
        answer = _POOL.request(
            request.get_method(),
            request.full_url,
            body=request.data,
            headers=dict(request.header_items()),
            timeout=urllib3.Timeout(connect=min(timeout, 10.0), read=timeout),
            preload_content=False,
            redirect=False,
        )
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise BackendUnreachable(f"{request.full_url}: {error}") from None
    try:
        body = answer.read() if limit is None else answer.read(limit + 1)
        headers = dict(answer.headers)
        if limit is not None and len(body) > limit:  # the rest is never read into memory
            headers[TRUNCATED_HEADER] = "1"
            answer.close()  # the connection holds the unread rest: it is not reused
        return answer.status, headers, body
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise BackendUnreachable(f"{request.full_url}: {error}") from None
    finally:
        answer.release_conn()


def credentials(environ: Mapping[str, str] | None = None) -> str | None:
    """The Authorization header the environment asks for, if any."""
    environ = os.environ if environ is None else environ
    if token := environ.get(TOKEN_VARIABLE):
        return f"Bearer {token}"
    user, password = environ.get(USER_VARIABLE), environ.get(PASSWORD_VARIABLE)
    if user:
        pair = f"{user}:{password or ''}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")
    return None


@dataclass
class RemoteStore:
    query_url: str
    update_url: str
    graph_store_url: str | None = None  # None: write graphs by SPARQL Update
    authorization: str | None = None
    send: Transport = http_transport
    timeout: float = 300.0
    #: the most statements one update request may hold (None: any number). Virtuoso's SPARQL
    #: compiler runs out of memory on a few thousand lines, so `/sparql` endpoints get 500
    statements_per_update: int | None = None
    calls: list[str] = field(default_factory=list, repr=False)  # what was done, for the report

    @classmethod
    def at(
        cls,
        url: str,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        environ: Mapping[str, str] | None = None,
        send: Transport = http_transport,
    ) -> RemoteStore:
        """The store whose query endpoint is `url`; the other endpoints derived for known engines."""
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{url!r} is not an http(s) URL of a SPARQL query endpoint")
        base, _, last = url.rstrip("/").rpartition("/")
        if last == "query":  # Oxigraph, and Fuseki's /ds/query
            update = update_url or f"{base}/update"
            store = graph_store_url or f"{base}/store"
        elif last == "sparql":  # Virtuoso, GraphDB, Fuseki's /ds/sparql: one endpoint for both
            update = update_url or url
            store = graph_store_url
        else:
            update = update_url or url
            store = graph_store_url
        batch = 500 if last == "sparql" else None
        return cls(url, update, store, credentials(environ), send, statements_per_update=batch)

    # ---- the protocol ---------------------------------------------------------------------------

    def _call(self, what: str, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> bytes:
        if self.authorization:
            headers = {**headers, "Authorization": self.authorization}
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        status, _, answer = self.send(request, self.timeout)
        self.calls.append(f"{method} {what}")
        if status >= 400:
            raise BackendError(what, status, answer)
        return answer

    def select(
        self, query: str, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = ()
    ) -> list[dict[str, dict]]:
        """The bindings of a SELECT, as SPARQL JSON results (each value a {type, value, …} dict).

        `default_graphs` and `named_graphs` are the protocol's dataset (default-graph-uri,
        named-graph-uri): a store's own default graph is never relied on (Virtuoso's is the union of
        every graph it holds). Given a default graph, the protocol leaves only the named graphs
        listed to GRAPH patterns, so a query that reads graphs by name needs them listed too."""
        fields = [("query", query)]
        fields += [("default-graph-uri", g) for g in default_graphs]
        fields += [("named-graph-uri", g) for g in named_graphs]
        body = urllib.parse.urlencode(fields).encode()
        answer = self._call(
            "query",
            "POST",
            self.query_url,
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json",
            },
        )
        try:
            return json.loads(answer)["results"]["bindings"]
        except (ValueError, KeyError, TypeError):
            raise BackendError("query: not SPARQL JSON results", 200, answer[:300]) from None

    def graph_rows(self, graph: str, page: int | None = None) -> list[dict]:
        """The rows (?s ?p ?o) of one graph, whole: read again in pages (LIMIT, OFFSET) when the store
        cuts an answer at fewer rows than the graph holds, as Virtuoso does at its ResultSetMaxRows
        (10,000 in the ini it ships) and says nothing; given the cut (`page`), in pages at once.
        The pages have no ORDER BY (Virtuoso caps sorted pages too): a caller that needs the rows
        whole checks them (a count, a checksum)."""
        pattern = f"WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        counted = self.select(f"SELECT (COUNT(*) AS ?n) {pattern}")
        held = int(counted[0]["n"]["value"]) if counted else 0
        if page is None:
            rows = self.select(f"SELECT ?s ?p ?o {pattern}")
            if not rows or len(rows) >= held:
                return rows
            page = len(rows)
        rows = []
        for offset in range(0, held, page):
            rows += self.select(f"SELECT ?s ?p ?o {pattern} LIMIT {page} OFFSET {offset}")
        return rows

    def send_query(
        self, query: str, accept: str, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
        extra: Sequence[tuple[str, str]] = (), timeout: float | None = None, max_bytes: int | None = None,
    ) -> Response:  # fmt: skip
        """A query as the protocol sends it, answered as the store answers: (status, headers, body).
        For the front's executor (server/backend/executor.py), which reads errors and partial answers
        itself; BackendUnreachable when the store cannot be reached in `timeout` seconds."""
        fields = [("query", query)]
        fields += [("default-graph-uri", g) for g in default_graphs]
        fields += [("named-graph-uri", g) for g in named_graphs]
        fields += list(extra)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
        if self.authorization:
            headers["Authorization"] = self.authorization
        body = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(self.query_url, data=body, method="POST", headers=headers)
        setattr(request, LIMIT_ATTRIBUTE, max_bytes)
        return self.send(request, self.timeout if timeout is None else timeout)

    def engine(self) -> str:
        """The engine behind the query endpoint, from its Server header ("virtuoso", "oxigraph", …;
        "" when it does not say)."""
        request = urllib.request.Request(
            self.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"}),
            headers={"Accept": "application/sparql-results+json", **self._auth()},
        )
        _, headers, _ = self.send(request, self.timeout)
        server = next((v for k, v in headers.items() if k.lower() == "server"), "")
        return server.split("/")[0].strip().lower()

    def _auth(self) -> dict[str, str]:
        return {"Authorization": self.authorization} if self.authorization else {}

    def update(self, text: str) -> None:
        self._call(
            "update",
            "POST",
            self.update_url,
            text.encode("utf-8"),
            {"Content-Type": "application/sparql-update"},
        )

    def put_graph(self, graph: str, ntriples: bytes, batch: int = GRAPH_STORE_BATCH) -> None:
        """Replace one graph with these N-Triples (one triple a line): a Graph Store PUT of the first
        `batch` lines and a POST (which adds) of each next `batch`; else DROP and INSERT DATA."""
        if self.graph_store_url:
            target = f"{self.graph_store_url}?{urllib.parse.urlencode({'graph': graph})}"
            kind = {"Content-Type": "application/n-triples"}
            lines = ntriples.splitlines(keepends=True)
            self._call("graph store put", "PUT", target, b"".join(lines[:batch]), kind)
            for start in range(batch, len(lines), batch):
                self._call("graph store post", "POST", target, b"".join(lines[start : start + batch]), kind)
            return
        # in batches: Virtuoso's SPARQL compiler runs out of memory on an INSERT DATA of some
        # thousands of lines (SP030 "memory exhausted")
        lines = ntriples.decode("utf-8").splitlines(keepends=True)
        self.update(f"DROP SILENT GRAPH <{graph}>")
        for start in range(0, len(lines), UPDATE_BATCH):
            batch = "".join(lines[start : start + UPDATE_BATCH])
            self.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{batch}}} }}")


def term_of(value: dict) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A term of SPARQL JSON results (Virtuoso's "typed-literal" and nodeID:// blank nodes too)."""
    kind = value["type"]
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind == "bnode":
        return ox.BlankNode(blank_label(value["value"]))
    if "xml:lang" in value:
        return ox.Literal(value["value"], language=value["xml:lang"])
    if "datatype" in value:
        return ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"]))
    return ox.Literal(value["value"])


_NOT_IN_A_LABEL = re.compile(r"[^A-Za-z0-9_]")


def blank_label(label: str) -> str:
    """A blank node label N-Triples can write: Virtuoso's `nodeID://b10001` becomes `nodeID___b10001`."""
    return _NOT_IN_A_LABEL.sub("_", label) or "b"
