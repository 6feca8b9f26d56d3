"""The IRIs otsgraph mints and the prefixes it binds, in one place."""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

BASE = "https://w3id.org/otsgraph/"
OTS = Namespace(BASE + "ontology/")
RES = Namespace(BASE + "resource/")
CLAIM = Namespace(BASE + "claim/")
GRAPH = Namespace(BASE + "graph/")
SHP = Namespace(BASE + "shapes/")
LINK = Namespace(BASE + "link/")  # records of Wikidata links (data/links/)
ONTOLOGY_IRI = BASE + "ontology"
#: rdf:type as a pyoxigraph term: every module that matches or writes types uses this one
RDF_TYPE = ox.NamedNode(str(RDF.type))

ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("http://schema.org/")
SH = Namespace("http://www.w3.org/ns/shacl#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")


class Graphs:
    """The fixed named graphs of the dataset (documented in docs/modelling.md)."""

    ONTOLOGY = GRAPH["ontology"]
    ASSERTED = GRAPH["asserted"]
    BACKGROUND = GRAPH["background"]
    INFERRED = GRAPH["inferred"]
    #: the triples of graph:inferred that hold only with graph:background (computed by the build;
    #: a listing, not in the default union; docs/background.md)
    INFERRED_FROM_BACKGROUND = GRAPH["inferred-from-background"]
    PROVENANCE = GRAPH["provenance"]
    LINKS = GRAPH["links"]
    #: the project's labels and translations of labels (data/labels/), apart from the article's wording
    LABELS = GRAPH["labels"]
    #: accepted additions (otsgraph add, HTTP writes): kept apart from the shipped graphs (docs/writes.md)
    ADDITIONS = GRAPH["additions"]
    #: the change log of accepted additions (PROV-O activities); not in the default union
    AUDIT = GRAPH["audit"]

    #: what a query sees by default: facts, background, inferences, provenance, additions and the ontology.
    #: The graphs are disjoint (see loading.py and gate.py), so their union has no duplicate triples.
    DEFAULT_UNION = (ONTOLOGY, ASSERTED, BACKGROUND, INFERRED, PROVENANCE, LABELS, ADDITIONS)


ENTITY_LABELS_CLAIM = CLAIM["entity-labels"]

PREFIXES: dict[str, str] = {
    "ots": str(OTS),
    "res": str(RES),
    "claim": str(CLAIM),
    "graph": str(GRAPH),
    "shp": str(SHP),
    "link": str(LINK),
    "org": str(ORG),
    "schema": str(SCHEMA),
    "sh": str(SH),
    "wd": str(WD),
    "wdt": str(WDT),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dct": str(DCTERMS),
    "time": str(TIME),
    "xsd": str(XSD),
}

LANGUAGES = ("en", "kk", "ru")


def prefixed(iri: str) -> str | None:
    """`iri` as a prefixed name under the project's prefixes, or None when none fits.

    The one IRI shortener: result tables, pages, the gate's messages and `otsgraph link` use it. The
    rest after the namespace must hold no '/' (`res:a/b` is no valid prefixed name without escapes,
    and pasted into a query it would fail); the namespace itself is `res:`.

    >>> prefixed("https://w3id.org/otsgraph/resource/astana")
    'res:astana'
    >>> prefixed("http://www.wikidata.org/entity/Q232")
    'wd:Q232'
    >>> prefixed("https://w3id.org/otsgraph/ontology/body/Secretariat") is None
    True
    >>> prefixed("https://example.org/x") is None
    True
    """
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    return None


def sparql_prefixes() -> str:
    """PREFIX lines for every known prefix, to put before a query."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


_POSITION = re.compile(r"(?<=error at )(\d+):(\d+)(?:-(\d+):(\d+))?")


def without_prefix_lines(message: str) -> str:
    """An engine's "error at L:C" for a text that sparql_prefixes() was put before, in the
    user's own lines.

    >>> without_prefix_lines(f"error at {len(PREFIXES) + 1}:25: expected ...")
    'error at 1:25: expected ...'
    """

    def shift(match: re.Match) -> str:
        line, column, end_line, end_column = match.groups()
        start = f"{int(line) - len(PREFIXES)}:{column}"
        return start if end_line is None else f"{start}-{int(end_line) - len(PREFIXES)}:{end_column}"

    return _POSITION.sub(shift, message)


def turtle_prefixes() -> str:
    """@prefix lines for every known prefix, to put before Turtle or TriG."""
    return "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
