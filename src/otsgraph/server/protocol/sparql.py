"""/sparql (the SPARQL 1.1 Protocol), /health and the VoID description.

Every error is JSON {"error": code, "message": ...} (errors.py, registered once on the app) with
a status that says what is wrong (STYLE D11); the statuses follow the protocol's negative tests:
400 malformed or too deep, 405 method, 415 media type or charset, 401/403 updates, 406 no fitting
format, 413 too large, 429 too many queries at once, 503 time limit, memory, crash or busy.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from email.utils import formatdate
from functools import lru_cache
from urllib.parse import parse_qs

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, redirect, request

from otsgraph.core.namespaces import PREFIXES
from otsgraph.core.sparql_tokens import ScanError

from ..errors import CORS as _CORS
from ..execution.dispatch import run_job
from ..execution.jobs import DEFAULT_GRAPH, QueryJob
from ..execution.safety import ProtocolError, check_nesting, check_services, check_token, check_update_clauses
from ..execution.scan import scan, with_using
from ..state import ServerState, state
from .negotiation import GRAPH_FORMATS, NotAcceptable, choose
from .service_description import Counts, service_description, void_description

sparql = Blueprint("sparql", __name__)
log = logging.getLogger("otsgraph.server")

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]


def _counts(server: ServerState) -> Counts:
    """The triple counts of this server's store (one Counts per state: tests run several apps)."""
    if server.counts is None:
        server.counts = Counts()
    return server.counts.of(server)


@dataclass
class Operation:
    kind: str  # "query", "update" or "" (none: a description is wanted)
    text: str = ""
    params: dict[str, list[str]] = field(default_factory=dict)

    def graphs(self, name: str) -> list[str]:
        return self.params.get(name, [])


def public_base() -> str:
    """The server's public root URL, ending in '/': the configured public URL, else this request's
    (which honours X-Forwarded-* from trusted peers, see app.py)."""
    configured = state().config.public_url
    if configured:
        return configured.rstrip("/") + "/"
    # what request.url_root gives, without its costly percent-decoding of the whole URL
    base = f"{request.scheme}://{request.host}{request.script_root}/"
    problem = _iri_problem(base)
    if problem:  # a trusted proxy may still send X-Forwarded-* that make no IRI (a space, a bad scheme)
        raise ProtocolError(
            400,
            "bad-forwarded-headers",
            f"the X-Forwarded-Proto/-Host/-Prefix headers make no valid IRI ({base!r}: {problem}); "
            "fix the proxy's settings, or start the server with --public-url",
        )
    return base


@lru_cache(maxsize=64)
def _iri_problem(base: str) -> str:
    """Why `base` + a path is no absolute IRI ('' when it is one); the same few bases recur."""
    try:
        ox.NamedNode(base + "sparql")
    except ValueError as err:
        return str(err)
    return ""


# ---------------------------------------------------------------------------------------- reading


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProtocolError(400, "bad-encoding", f"the {what} is not valid UTF-8 ({err.reason})") from None


def _body(limit: int) -> bytes:
    if (request.content_length or 0) > limit:
        raise ProtocolError(413, "too-large", f"the request body is larger than {limit:,} bytes")
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise ProtocolError(413, "too-large", f"the request body is larger than {limit:,} bytes")
    return data


def _form(raw: bytes, what: str) -> dict[str, list[str]]:
    try:
        return parse_qs(raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(400, "bad-encoding", f"the {what} is not valid percent-encoded UTF-8") from None


def _read_operation(limit: int) -> Operation:
    """What the request asks for, or the protocol error that says why it cannot be read."""
    if len(request.query_string) > limit:
        raise ProtocolError(413, "too-large", f"the query string is longer than {limit:,} bytes")
    params = _form(request.query_string, "query string")
    if request.method in ("GET", "HEAD"):
        if "update" in params:
            raise ProtocolError(
                400,
                "update-by-get",
                "an update must be sent by POST (form-encoded or application/sparql-update)",
            )
        return _single(params, "query") if "query" in params else Operation("", params=params)
    media_type = request.mimetype.lower()
    charset = (request.mimetype_params.get("charset") or "utf-8").lower()
    if not media_type:
        raise ProtocolError(
            415,
            "missing-content-type",
            f"a POST needs a Content-Type: {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}",
        )
    if media_type not in (FORM, QUERY_TYPE, UPDATE_TYPE):
        raise ProtocolError(
            415,
            "unsupported-media-type",
            f"cannot take a {media_type} body here; send {FORM}, {QUERY_TYPE} or {UPDATE_TYPE}",
        )
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(415, "unsupported-charset", f"the body must be UTF-8, not {charset}")
    body = _body(limit)
    if media_type == FORM:
        fields = _form(body, "form body")
        for name, values in params.items():  # the dataset may be given in the URL too
            fields.setdefault(name, []).extend(values)
        if "query" in fields and "update" in fields:
            raise ProtocolError(400, "query-and-update", "a request carries a query or an update, not both")
        if "query" not in fields and "update" not in fields:
            raise ProtocolError(400, "missing-query", "the form has neither a 'query' nor an 'update' field")
        return _single(fields, "query" if "query" in fields else "update")
    if "query" in params or "update" in params:
        raise ProtocolError(
            400, "ambiguous", f"with {media_type} the operation is the body; the URL must not carry another"
        )
    kind = "query" if media_type == QUERY_TYPE else "update"
    return Operation(kind, _utf8(body, kind), params)


def _single(fields: dict[str, list[str]], kind: str) -> Operation:
    if len(fields[kind]) != 1:
        raise ProtocolError(
            400, f"multiple-{kind}s", f"the request has {len(fields[kind])} '{kind}' fields; send one"
        )
    return Operation(kind, fields[kind][0], fields)


def _nodes(iris: list[str], parameter: str) -> list[ox.NamedNode]:
    try:
        return [ox.NamedNode(iri) for iri in iris]
    except ValueError as err:
        raise ProtocolError(400, "bad-graph-iri", f"{parameter} must be an absolute IRI: {err}") from None


def _scan(text: str, base: str, update: bool = False, nesting: int = 0):
    if nesting:
        check_nesting(text, nesting)
    try:
        return scan(text, base, PREFIXES, update)
    except ScanError as err:
        raise ProtocolError(400, "syntax", f"the SPARQL text cannot be read: {err}") from None


# ---------------------------------------------------------------------------------------- routes


@sparql.route("/sparql", methods=_METHODS)
@sparql.route("/sparql/", methods=_METHODS)
def endpoint() -> Response:
    if request.method == "OPTIONS":
        return Response(status=204, headers={**_CORS, "Allow": "GET, HEAD, POST, OPTIONS",
                                             "Access-Control-Allow-Methods": "GET, HEAD, POST",
                                             "Access-Control-Allow-Headers": "Content-Type, Accept",
                                             "Access-Control-Max-Age": "86400"})  # fmt: skip
    if request.method not in ("GET", "HEAD", "POST"):
        raise ProtocolError(
            405,
            "method-not-allowed",
            f"{request.method} is not allowed: query by GET or POST, update by POST",
            {"Allow": "GET, HEAD, POST, OPTIONS"},
        )
    server = state()
    operation = _read_operation(server.config.max_request_bytes)
    if operation.kind == "query":
        return _query(server, operation)
    if operation.kind == "update":
        return _update(server, operation)
    if request.accept_mimetypes.quality("text/html") > 0 and "text/html" in (
        request.headers.get("Accept") or ""
    ):
        return redirect(request.script_root + "/", 303)  # a browser: the query page
    return _describe(server, service_description(server, _counts(server), public_base() + "sparql"))


def _describe(server: ServerState, triples: list[ox.Triple]) -> Response:
    try:
        fmt = choose(GRAPH_FORMATS, request.args.get("format"), _accept())
    except NotAcceptable as err:
        raise ProtocolError(406, "not-acceptable", str(err)) from None
    body = ox.serialize(triples, format=fmt.oxigraph)
    return _answer(server, fmt.content_type, body or b"", etag=None)


@sparql.route("/.well-known/void")
@sparql.route("/void")
def void() -> Response:
    server = state()
    base = public_base()
    return _describe(server, void_description(server, _counts(server), base + "sparql", base))


@sparql.route("/health")
def health() -> Response:
    """200 "ok"; 503 "degraded" with a reason when the served graph is empty, so that a load balancer
    takes the instance out (an empty graph is a broken deployment, unless `serve --empty` asked for it)."""
    server = state()
    counts = _counts(server)
    body: dict[str, object] = {"status": "ok"}
    if counts.total == 0 and not server.config.empty:
        body = {
            "status": "degraded",
            "reason": "the served graph is empty: the store holds no triples (serve --empty is for a "
            "deliberately empty store; see docs/install.md for where the inputs and the store are)",
        }
    body |= {
        "triples": counts.total,
        "graphs": len(counts.per_graph),
        "version": server.version,
        "writable": server.writable,
        "queries": server.executor.health(),
    }
    return _answer(
        server,
        "application/json",
        current_app.json.dumps(body).encode(),
        etag=None,
        cache="no-store",
        status=200 if body["status"] == "ok" else 503,
    )


# ---------------------------------------------------------------------------------------- queries


def _accept():
    return request.accept_mimetypes if request.headers.get("Accept") else None


def _query(server: ServerState, op: Operation) -> Response:
    config = server.config
    base = public_base() + "sparql"
    default, named = op.graphs("default-graph-uri"), op.graphs("named-graph-uri")
    format_param = (op.params.get("format") or [None])[0]  # the URL's or the form's
    accept = request.headers.get("Accept")
    # relative IRIs resolve against `base`, so it belongs to the key
    key = (
        server.version,
        base,
        op.text,
        tuple(default),
        tuple(named),
        format_param,
        accept,
    )
    etag = hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()
    # a cached answer passed the guards below with the same text and the same config
    cached = server.cache.get(key)
    if request.method in ("GET", "HEAD") and _not_modified(server, etag, cached is not None):
        return _answer(server, None, b"", etag, status=304)
    if cached is not None:
        return _answer(server, cached[0], cached[1], etag)

    found = _scan(op.text, base, nesting=config.max_nesting)
    check_services(found, config.service_allowlist)
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    if default or named:  # the protocol's dataset replaces the query's FROM / FROM NAMED
        _nodes(default, "default-graph-uri")
        _nodes(named, "named-graph-uri")
        default_graph, named_graphs = tuple(default), tuple(named)
    elif not found.has_dataset_clause:
        default_graph = tuple(_iri(g) for g in server.default_graphs)
    job = QueryJob(op.text, base, default_graph, named_graphs, format_param, accept, config.max_result_bytes)
    _, answer = run_job(server, job)
    server.cache.put(key, answer.content_type, answer.body)
    return _answer(server, answer.content_type, answer.body, etag)


def _iri(graph: ox.NamedNode | ox.DefaultGraph) -> str:
    return graph.value if isinstance(graph, ox.NamedNode) else DEFAULT_GRAPH


def _not_modified(server: ServerState, etag: str, known: bool) -> bool:
    """Does the client's copy still hold? A date alone is trusted only for a query answered before
    (`known`), so that a malformed query is never answered 304."""
    headers = request.headers
    if "If-None-Match" not in headers and "If-Modified-Since" not in headers:
        return False
    if request.if_none_match:  # takes precedence over If-Modified-Since (RFC 9110 13.2.2)
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    return known and since is not None and int(server.modified) <= since.timestamp()


@lru_cache(maxsize=8)
def _http_date(timestamp: float) -> str:
    """Last-Modified for a data version (it changes only when the data does)."""
    return formatdate(timestamp, usegmt=True)


def _answer(server: ServerState, content_type: str | None, body: bytes, etag: str | None,
            status: int = 200, cache: str = "no-cache") -> Response:  # fmt: skip
    response = Response(body, status=status)
    if content_type:
        response.headers["Content-Type"] = content_type
    response.headers.update(_CORS)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = cache
    if etag:
        response.set_etag(etag)
        response.headers["Last-Modified"] = _http_date(server.modified)
    return response


# ---------------------------------------------------------------------------------------- updates


def _update(server: ServerState, op: Operation) -> Response:
    who = check_token(request.headers.get("Authorization"), server.config.update_tokens)
    base = public_base() + "sparql"
    found = _scan(op.text, base, update=True, nesting=server.config.max_nesting)
    check_update_clauses(found)
    check_services(found, server.config.service_allowlist)
    using, using_named = op.graphs("using-graph-uri"), op.graphs("using-named-graph-uri")
    text = op.text
    if using or using_named:
        if found.has_using_or_with:
            raise ProtocolError(
                400,
                "dataset-conflict",
                "using-graph-uri / using-named-graph-uri cannot be combined with USING or WITH in the update",
            )
        _nodes(using, "using-graph-uri")
        _nodes(using_named, "using-named-graph-uri")
        text = with_using(text, found.modify_where_offsets, using, using_named)
    if not server.config.empty:  # the served graph: the change goes through the shapes gate (422 if refused)
        from .writes import gated_update

        return gated_update(server, text, base, who)
    from .writes import writes_for

    writes_for(server).update(text, base, who)
    log.info("update by %s (%d bytes)", who, len(op.text))
    return Response(status=204, headers={**_CORS, "Cache-Control": "no-store"})  # as the Graph Store's writes
