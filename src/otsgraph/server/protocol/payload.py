"""Reading RDF from a request body (the Graph Store Protocol, /validate): media type, safety, syntax.

Every error is a ProtocolError that says what is wrong and where: 415 for a media type or charset
this server does not read, 400 for bytes that are not UTF-8, XML with a DTD, a document nested
too deeply (it would overflow the parser's stack and kill the server), or a syntax error (with its
line and column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from otsgraph.gate.submission import InputError, check_nesting, fresh_blank_nodes

from ..execution.safety import ProtocolError, check_rdf_payload

# The media types a body may have, and how to read them (N3 is left out: its formulas are not RDF).
RDF_MEDIA_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
# a multipart part without a media type is read by its file name's extension
_EXTENSIONS = {"ttl": "text/turtle", "nt": "application/n-triples", "nq": "application/n-quads",
               "trig": "application/trig", "rdf": "application/rdf+xml", "owl": "application/rdf+xml",
               "jsonld": "application/ld+json"}  # fmt: skip
MULTIPART = "multipart/form-data"
_POSITION = re.compile(r"^Parser error at line \d+ column \d+: ")  # pyoxigraph's prefix; we say file:line:col


@dataclass(frozen=True)
class Body:
    """One RDF document of a request: its bytes, its format and a name for messages."""

    data: bytes
    format: ox.RdfFormat
    source: str  # "body", or the multipart file name


def rdf_format(media_type: str, charset: str | None, what: str = "the body") -> ox.RdfFormat:
    """The format of a body with this Content-Type, or 415."""
    media_type = media_type.strip().lower()
    if not media_type:
        raise ProtocolError(
            415, "missing-content-type", f"{what} needs a Content-Type: one of {', '.join(RDF_MEDIA_TYPES)}"
        )
    fmt = RDF_MEDIA_TYPES.get(media_type)
    if fmt is None:
        raise ProtocolError(
            415,
            "unsupported-media-type",
            f"cannot read {what} as {media_type}; send one of {', '.join(RDF_MEDIA_TYPES)}",
        )
    if charset and charset.strip().lower() not in ("utf-8", "utf8"):
        raise ProtocolError(415, "unsupported-charset", f"{what} must be UTF-8, not {charset}")
    return fmt


def bodies(request, limit: int) -> list[Body]:
    """The RDF documents of a request: its body, or each file of a multipart/form-data body."""
    if request.mimetype == MULTIPART:
        found = []
        for name, part in request.files.items(multi=True):
            extension = (part.filename or "").rpartition(".")[2].lower()
            media_type = part.mimetype or _EXTENSIONS.get(extension, "")
            source = part.filename or name
            fmt = rdf_format(media_type, part.mimetype_params.get("charset"), f"the part {source!r}")
            found.append(Body(part.read(limit + 1), fmt, source))
        if not found:
            raise ProtocolError(400, "empty-multipart", "the multipart body has no file parts")
        return found
    fmt = rdf_format(request.mimetype, request.mimetype_params.get("charset"))
    if (request.content_length or 0) > limit:
        raise ProtocolError(413, "too-large", f"the request body is larger than {limit:,} bytes")
    data = request.get_data(cache=False)
    if len(data) > limit:
        raise ProtocolError(413, "too-large", f"the request body is larger than {limit:,} bytes")
    return [Body(data, fmt, "body")]


def check_bytes(body: Body) -> None:
    """UTF-8 only; a document nested too deeply, or XML with a DTD or entities, is refused before any
    parser sees it (the same nesting check as the gate's reader, submission.check_nesting)."""
    try:
        check_nesting(body.data, body.format, body.source)
    except InputError as err:
        raise ProtocolError(400, "too-deep", str(err)) from None
    if body.format == ox.RdfFormat.RDF_XML:
        check_rdf_payload(body.data)
        return
    try:
        body.data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProtocolError(
            400, "bad-encoding", f"{body.source}: byte {err.start} is not UTF-8 ({err.reason})"
        ) from None


def parse_triples(body: Body, base_iri: str) -> list[ox.Triple]:
    """The triples of one body (for one graph): 400 with line:column for a syntax error, or when a
    TriG / N-Quads body puts triples in named graphs. Its blank nodes are its own (renamed apart
    from other bodies', as a client's `_:b0` names a node of this document only)."""
    check_bytes(body)
    try:
        quads = list(ox.parse(body.data, format=body.format, base_iri=base_iri))
    except SyntaxError as err:
        raise ProtocolError(400, "syntax", syntax_message(err, body.source)) from None
    except ValueError as err:  # e.g. an IRI that does not resolve
        raise ProtocolError(400, "syntax", f"{body.source}: {err}") from None
    refuse_named_graphs(quads, f"{body.source}: a graph store request carries one graph")
    return [q.triple for q in fresh_blank_nodes(quads)]


def refuse_named_graphs(quads: list[ox.Quad], what: str) -> None:
    """A body for one graph must not put triples in another: 400 naming the first such graph."""
    named = next((q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)), None)
    if named is not None:
        raise ProtocolError(
            400,
            "named-graph-in-body",
            f"{what}, but the body puts triples in the graph {named.graph_name}; "
            "name the graph in the URL instead",
        )


def syntax_message(err: SyntaxError, source: str) -> str:
    """'source:line:column: what' from pyoxigraph's syntax error."""
    text = _POSITION.sub("", " ".join(str(err.msg or err).split()))
    if err.lineno:
        return f"{source}:{err.lineno}:{err.offset or 0}: {text}"
    return f"{source}: {text}"
