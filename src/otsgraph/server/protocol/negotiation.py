"""Which serialisation a client gets: by a `format` parameter (for browsers) or else by Accept."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header


@dataclass(frozen=True)
class Format:
    name: str  # what the `format` parameter and the downloads call it
    media_type: str  # what the response says it is
    oxigraph: ox.QueryResultsFormat | ox.RdfFormat | None  # None: an HTML page
    accepts: tuple[str, ...]  # media types a client may ask for, the canonical one first

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


# Order is preference: the first is the default when the client does not say (SPARQL JSON, Turtle).
RESULT_FORMATS = (
    Format("json", "application/sparql-results+json", ox.QueryResultsFormat.JSON,
           ("application/sparql-results+json", "application/json")),
    Format("xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML,
           ("application/sparql-results+xml", "application/xml", "text/xml")),
    Format("csv", "text/csv", ox.QueryResultsFormat.CSV, ("text/csv",)),
    Format("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV, ("text/tab-separated-values",)),
)  # fmt: skip
GRAPH_FORMATS = (
    Format("turtle", "text/turtle", ox.RdfFormat.TURTLE, ("text/turtle", "application/x-turtle", "text/n3")),
    Format("ntriples", "application/n-triples", ox.RdfFormat.N_TRIPLES, ("application/n-triples",)),
    Format("rdfxml", "application/rdf+xml", ox.RdfFormat.RDF_XML,
           ("application/rdf+xml", "application/xml", "text/xml")),
    Format("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD,
           ("application/ld+json", "application/json")),
)  # fmt: skip
# Linked-data pages (/resource/…, /ontology, /claim/…): HTML first, so that `*/*`, no Accept and
# browsers get the page; an RDF client names its format. A browser's `application/xml;q=0.9` loses to
# its `text/html`, while Protégé's `application/rdf+xml, application/xml; q=0.5, … */*; q=0.2` gets RDF/XML.
PAGE_FORMATS = (
    Format("html", "text/html", None, ("text/html", "application/xhtml+xml")),
    Format("turtle", "text/turtle", ox.RdfFormat.TURTLE, ("text/turtle", "application/x-turtle", "text/n3")),
    Format("ntriples", "application/n-triples", ox.RdfFormat.N_TRIPLES, ("application/n-triples",)),
    Format("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD,
           ("application/ld+json", "application/json")),
    Format("trig", "application/trig", ox.RdfFormat.TRIG, ("application/trig",)),
    Format("nquads", "application/n-quads", ox.RdfFormat.N_QUADS, ("application/n-quads",)),
    Format("rdfxml", "application/rdf+xml", ox.RdfFormat.RDF_XML,
           ("application/rdf+xml", "application/xml", "text/xml")),
)  # fmt: skip

# The names clients use in `format` (SPARQLWrapper sends json, xml, turtle, n3, rdf+xml, csv, tsv, json-ld).
_ALIASES = {
    "srj": "json", "application/sparql-results+json": "json",
    "srx": "xml", "application/sparql-results+xml": "xml",
    "ttl": "turtle", "n3": "turtle", "text/turtle": "turtle",
    "nt": "ntriples", "n-triples": "ntriples", "application/n-triples": "ntriples",
    "rdf": "rdfxml", "rdf+xml": "rdfxml", "rdf/xml": "rdfxml", "application/rdf+xml": "rdfxml",
    "json-ld": "jsonld", "application/ld+json": "jsonld",
    "trig": "trig", "application/trig": "trig", "nq": "nquads", "n-quads": "nquads",
    "application/n-quads": "nquads", "text/html": "html", "htm": "html",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}  # fmt: skip
# The same name means the natural counterpart for the other kind of result.
_CROSS = {"json": "jsonld", "xml": "rdfxml", "jsonld": "json", "rdfxml": "xml"}


class NotAcceptable(Exception):
    """No format fits what the client asked for."""


def choose(formats: tuple[Format, ...], format_param: str | None, accept: MIMEAccept | None) -> Format:
    """The format for this request, or NotAcceptable."""
    by_name = {f.name: f for f in formats}
    if format_param:
        wanted = format_param.strip().lower()
        wanted = _ALIASES.get(wanted, wanted)
        if wanted in by_name:
            return by_name[wanted]
        if _CROSS.get(wanted) in by_name:
            return by_name[_CROSS[wanted]]
        raise NotAcceptable(f"format={format_param!r} is not one of {', '.join(by_name)}")
    if accept is None or not accept:
        return formats[0]
    # werkzeug matches "type; charset=utf-8" to nothing; a parameter never rules a format out here
    accept = MIMEAccept([(value.split(";", 1)[0].strip(), quality) for value, quality in accept])
    best_quality, best = 0.0, None
    for rank, fmt in enumerate(formats):
        for media_type in fmt.accepts:
            quality = accept.quality(media_type)
            # an exact mention beats a wildcard of the same quality; then the order of `formats`
            exact = any(value.lower() == media_type for value, _ in accept)
            score = quality + (1e-3 if exact else 0) - rank * 1e-6
            if quality > 0 and score > best_quality:
                best_quality, best = score, fmt
    if best is None:
        offered = ", ".join(f.media_type for f in formats)
        raise NotAcceptable(f"cannot answer with {accept.to_header()}; this result can be: {offered}")
    return best


@lru_cache(maxsize=1024)
def choose_for_header(formats: tuple[Format, ...], format_param: str | None, accept: str | None) -> Format:
    """`choose` keyed by the raw Accept header: clients repeat the same few headers, and parsing and
    matching one costs about as much as a small query (bench/app_cost.py)."""
    return choose(formats, format_param, parse_accept_header(accept, MIMEAccept) if accept else None)
