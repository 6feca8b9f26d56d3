"""POST /validate: the gate's report on a submission, without changing anything; and the way every
gate report is answered over HTTP (here with 200, by the write routes with 422).

The body is RDF in any format the gate reads (by Content-Type); no token is needed. The answer is
the report as JSON (the default), or the SHACL validation report as Turtle, N-Triples or JSON-LD
by Accept. Unreadable input gets 400 with source:line:column; `serve --empty` has no gate (404).
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.datastructures import MIMEAccept

from otsgraph.gate.gate import Change, Gate, InputError, Limits, read_submission

from ..execution.dispatch import run_job
from ..execution.jobs import ValidateJob
from ..execution.safety import ProtocolError
from ..state import ServerState, state
from .negotiation import Format, NotAcceptable, choose
from .payload import rdf_format

validate_route = Blueprint("validate_route", __name__)

# the gate's own JSON first (its `oxigraph` format is unused: Report.to_json writes it)
REPORT_FORMATS = (
    Format("json", "application/json", ox.RdfFormat.JSON_LD, ("application/json",)),
    Format("turtle", "text/turtle", ox.RdfFormat.TURTLE, ("text/turtle", "application/x-turtle")),
    Format("ntriples", "application/n-triples", ox.RdfFormat.N_TRIPLES, ("application/n-triples",)),
    Format("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, ("application/ld+json",)),
)


# errors are JSON by the app's handlers (errors.py)


def report_response(report, status: int) -> Response:
    """A gate Report as JSON or as the SHACL report in RDF, by Accept (or ?format=)."""
    accept = request.accept_mimetypes
    plain = MIMEAccept([(value.partition(";")[0].strip(), q) for value, q in accept]) if accept else None
    try:
        fmt = choose(REPORT_FORMATS, request.args.get("format"), plain)
    except NotAcceptable as err:
        if status >= 400:  # a refusal must be told all the same: in JSON (RFC 9110 15.5.7 allows it)
            fmt = REPORT_FORMATS[0]
        else:
            raise ProtocolError(406, "not-acceptable", str(err)) from None
    if fmt.name == "json":
        body = report.to_json().encode("utf-8")
    elif fmt.name == "turtle":
        body = report.to_turtle().encode("utf-8")
    else:
        body = ox.serialize(report.to_graph(), format=fmt.oxigraph) or b""
    headers = {"Content-Type": fmt.content_type, "Vary": "Accept", "Cache-Control": "no-store"}
    return Response(body, status=status, headers=headers)


def require_gate(server: ServerState) -> None:
    """404 under `serve --empty`, which has no gate."""
    if server.config.empty:
        raise ProtocolError(
            404, "no-gate", "this server (serve --empty) is a plain SPARQL store: it has no shapes gate"
        )


def gate_of(server: ServerState):
    """The server's gate (made once, on first use), or 404 under `serve --empty`."""
    require_gate(server)
    if server.gate is None:
        with server.write_lock:  # the gate recovers an interrupted change on opening: no writer meanwhile
            if server.gate is None:
                if server.backend is not None:  # accepted changes go to the backend first
                    server.gate = Gate(server.store, server.layout, recover=False, apply=server.backend.write)
                else:
                    server.gate = Gate(server.store, server.layout)
    return server.gate


def read_body(
    server: ServerState, base_iri: str | None = None, max_triples: int | None = None
) -> list[ox.Quad]:
    """The request body through the gate's reader (size, UTF-8, entities, remote contexts, floods).

    Relative IRIs resolve against `base_iri` (a Graph Store write: the target graph's IRI, so `<>`
    names the graph); without one they are refused."""
    limit = server.config.max_request_bytes
    if (request.content_length or 0) > limit:
        raise ProtocolError(413, "too-large", f"the request body is larger than {limit:,} bytes")
    fmt = rdf_format(request.mimetype, request.mimetype_params.get("charset"))
    data = request.get_data(cache=False)
    try:
        limits = Limits(max_bytes=limit, max_quads=max_triples or Limits().max_quads)
        return read_submission(data, fmt, "<request body>", limits, base_iri=base_iri)
    except InputError as err:
        raise ProtocolError(400, "bad-input", str(err)) from None


@validate_route.route("/validate", methods=["POST"])
def validate() -> Response:
    server = state()
    require_gate(server)
    # no token is needed here: the submission is bounded, and the check runs like a query (a
    # worker on a checkpoint: time limit, memory cap, never the write lock)
    quads = read_body(server, max_triples=server.config.max_validate_triples)
    if server.executor.isolated:
        _, report = run_job(server, ValidateJob(tuple(quads), str(server.layout.root)))
    else:  # --executor thread: on the live store, whose context must not move under a check
        gate = gate_of(server)
        with server.write_lock:
            report = gate.check(Change(add=quads))
    return report_response(report, 200)
