"""/rdf-graphs: the SPARQL 1.1 Graph Store HTTP Protocol.

- Indirect identification: `/rdf-graphs?graph=IRI` and `/rdf-graphs?default`.
- Direct identification: `/rdf-graphs/anything` is the graph whose IRI is that URL (as the client
  sees it: the public URL, or the request's, see sparql.public_base).
- POST to `/rdf-graphs` itself makes a new graph, `<…/rdf-graphs/{uuid}>`, and answers 201 with its
  IRI in `Location` (the IRI is also its direct URL).

GET and HEAD negotiate the format (404 for a graph that does not exist); PUT replaces a graph,
POST merges into it, DELETE drops it. Writes need the update token, and every write is one
transaction. How a write lands depends on the server (writes.py): `serve --empty` writes the store
as asked; the served graph sends every write through the shapes gate.
"""

from __future__ import annotations

import hashlib
import uuid
from urllib.parse import parse_qs, quote

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.routing import PathConverter

from ..execution.safety import ProtocolError, check_token
from ..state import ServerState, state
from .negotiation import GRAPH_FORMATS, NotAcceptable, choose
from .sparql import public_base
from .validate_route import report_response
from .writes import Graph, RejectedWrite, Target, writes_for

graph_store = Blueprint("graph_store", __name__)


class AnyPath(PathConverter):
    """A path that may hold any character: werkzeug's own stops at a line break (its `.` does not
    match one), so /rdf-graphs/a%0D%0Ab matched no route. Its graph IRI is the URL as sent (the
    break percent-encoded again by _direct), as for any other name."""

    regex = "[^/](?s:.*?)"


# registered before the routes below, which use it
graph_store.record_once(lambda setup: setup.app.url_map.converters.setdefault("anypath", AnyPath))

PATH = "rdf-graphs"
_METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"]
_ALLOW = ", ".join(_METHODS)
_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "ETag, Location"}


# other errors are JSON by the app's handlers (errors.py)
@graph_store.errorhandler(RejectedWrite)
def _rejected(err: RejectedWrite) -> Response:
    """The gate said no: 422 with its report (JSON, or the SHACL report by Accept); nothing changed."""
    return report_response(err.report, 422)


# ---------------------------------------------------------------------------------------- targets


def _query_parameters() -> dict[str, list[str]]:
    """The raw query string's parameters, percent-decoded exactly once, as UTF-8 (400 otherwise)."""
    try:
        raw = request.query_string.decode("utf-8")
        return parse_qs(raw, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(400, "bad-encoding", "the query string is not percent-encoded UTF-8") from None


def _indirect() -> Target | None:
    """The graph named by ?graph= or ?default; None when the request is for the store itself."""
    params = _query_parameters()
    graphs, default = params.get("graph", []), "default" in params
    if default and graphs:
        raise ProtocolError(400, "ambiguous-graph", "give either ?default or ?graph=IRI, not both")
    if len(graphs) > 1:
        raise ProtocolError(400, "ambiguous-graph", f"the request names {len(graphs)} graphs; name one")
    if default:
        return Target(ox.DefaultGraph(), "the default graph")
    if graphs:
        try:
            iri = ox.NamedNode(graphs[0])
        except ValueError as err:
            raise ProtocolError(400, "bad-graph-iri", f"?graph= must be an absolute IRI: {err}") from None
        if ":" not in graphs[0]:
            raise ProtocolError(400, "bad-graph-iri", f"?graph= must be an absolute IRI, not {graphs[0]!r}")
        return Target(iri, f"the graph <{iri.value}>")
    return None


def _direct(rest: str) -> Target:
    if request.query_string:
        params = _query_parameters()
        if "graph" in params or "default" in params:
            raise ProtocolError(
                400,
                "ambiguous-graph",
                f"this URL names a graph itself (direct identification); ?graph= or ?default go to /{PATH}",
            )
    iri = ox.NamedNode(public_base() + PATH + "/" + quote(rest, safe="/:@!$&'()*+,;=-._~"))
    return Target(iri, f"the graph <{iri.value}>")


@graph_store.route(f"/{PATH}", methods=_METHODS, strict_slashes=False)
def store_or_indirect() -> Response:
    target = _indirect()
    if target is None:
        return _graph_store_itself()
    return _handle(target)


@graph_store.route(f"/{PATH}/<anypath:rest>", methods=_METHODS)
def direct(rest: str) -> Response:
    return _handle(_direct(rest))


# ---------------------------------------------------------------------------------------- handlers


def _options() -> Response:
    return Response(status=204, headers={**_CORS, "Allow": _ALLOW})


def _graph_store_itself() -> Response:
    """POST to the store makes a new graph; other methods need a graph."""
    if request.method == "OPTIONS":
        return _options()
    if request.method != "POST":
        raise ProtocolError(
            400,
            "missing-graph",
            f"{request.method} needs a graph: /{PATH}?graph=IRI, /{PATH}?default, or a graph's own URL "
            f"(/{PATH}/…); a POST to /{PATH} makes a new graph",
        )
    iri = ox.NamedNode(public_base() + PATH + "/" + uuid.uuid4().hex)
    server, who = _writer()
    writes = writes_for(server)
    writes.add(Target(iri, f"the new graph <{iri.value}>"), writes.read(request, iri.value), who)
    return Response(status=201, headers={"Location": iri.value, "Cache-Control": "no-store", **_CORS})


def _handle(target: Target) -> Response:
    method = request.method
    if method == "OPTIONS":
        return _options()
    if method in ("GET", "HEAD"):
        return _get(state(), target)
    server, who = _writer()
    writes = writes_for(server)
    if method == "DELETE":
        writes.delete(target, who)
        return _written(204)
    base = target.graph.value if isinstance(target.graph, ox.NamedNode) else public_base() + PATH
    quads = writes.read(request, base)
    write = writes.replace if method == "PUT" else writes.add
    created = write(target, quads, who)
    return _written(201 if created else 204)


def _writer() -> tuple[ServerState, str]:
    server = state()
    who = check_token(request.headers.get("Authorization"), server.config.update_tokens)
    return server, who


def _written(status: int) -> Response:
    return Response(status=status, headers={"Cache-Control": "no-store", **_CORS})


def _accept() -> MIMEAccept | None:
    """The Accept header without media type parameters: werkzeug matches `text/turtle; charset=utf-8`
    to nothing, and a charset other than UTF-8 is never served anyway."""
    if not request.accept_mimetypes:
        return None
    return MIMEAccept([(value.partition(";")[0].strip(), q) for value, q in request.accept_mimetypes])


def _get(server: ServerState, target: Target) -> Response:
    try:
        fmt = choose(GRAPH_FORMATS, request.args.get("format"), _accept())
    except NotAcceptable as err:
        raise ProtocolError(406, "not-acceptable", str(err)) from None
    writes = writes_for(server)
    version = server.version  # read first: a write meanwhile makes this ETag stale, never wrong
    if not writes.exists(target.graph):
        raise ProtocolError(404, "no-such-graph", f"{target.label} does not exist in this store")
    etag = hashlib.blake2b(repr((version, target.graph, fmt.name)).encode(), digest_size=12).hexdigest()
    headers = {**_CORS, "Vary": "Accept", "Cache-Control": "no-cache"}
    if request.if_none_match and request.if_none_match.contains_weak(etag):
        response = Response(status=304, headers=headers)
    else:
        graph: Graph = writes.graph(target)
        if graph is None:  # dropped since the check above
            raise ProtocolError(404, "no-such-graph", f"{target.label} does not exist in this store")
        body = ox.serialize(graph, format=fmt.oxigraph) or b""
        response = Response(body, headers={**headers, "Content-Type": fmt.content_type})
    response.set_etag(etag)
    return response
