"""The SPARQL 1.1 Service Description of /sparql and the VoID description of the dataset.

Both are built from the store (triple counts) and the running config (update allowed? SERVICE
allowed?), so they state what really works on this server, and both name the endpoint by its
public URL (see app.public_base).
"""

from __future__ import annotations

import threading

import pyoxigraph as ox

from otsgraph.core.namespaces import BASE, CLAIM, LANGUAGES, OTS, RDF_TYPE, RES, Graphs
from otsgraph.core.queries import load

from ..state import ServerState
from .negotiation import GRAPH_FORMATS, RESULT_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
FORMATS = "http://www.w3.org/ns/formats/"
DATASET = ox.NamedNode(BASE + "dataset")  # the IRI of the dataset as a whole, described by VoID
LICENCE = ox.NamedNode("https://creativecommons.org/licenses/by/4.0/")
TITLE = "otsgraph: the Organization of Turkic States and Kazakhstan–Turkey relations"

_FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "rdfxml": "RDF_XML",
    "jsonld": "JSON-LD",
}
_FIXED = (
    Graphs.ONTOLOGY,
    Graphs.ASSERTED,
    Graphs.BACKGROUND,
    Graphs.INFERRED,
    Graphs.PROVENANCE,
    Graphs.LINKS,
    Graphs.LABELS,
    Graphs.INFERRED_FROM_BACKGROUND,
)


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n("http://www.w3.org/2001/XMLSchema#integer"))


class Counts:
    """Triples per graph and in the default graph, computed once per data version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version = -1
        self.per_graph: dict[str, int] = {}
        self.default = 0  # in the served default graph
        self.total = 0  # in the whole store

    def of(self, state: ServerState) -> Counts:
        with self._lock:
            if self._version != state.version:
                self.per_graph = {
                    row["graph"].value: int(row["triples"].value)
                    for row in state.store.query(load("server", "graph-triples"))
                }
                answer = state.store.query(
                    load("server", "default-triples"), default_graph=state.default_graphs
                )
                self.default = int(next(iter(answer))["triples"].value)
                self.total = len(state.store)
                self._version = state.version
            return self


def service_description(state: ServerState, counts: Counts, endpoint: str) -> list[ox.Triple]:
    service, dataset, default_graph = ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    t = ox.Triple
    triples = [
        t(service, RDF_TYPE, _n(SD + "Service")),
        t(service, _n(SD + "endpoint"), _n(endpoint)),
        t(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        t(service, _n(SD + "feature"), _n(SD + "EmptyGraphs")),
        t(service, _n(SD + "defaultDataset"), dataset),
        t(dataset, RDF_TYPE, _n(SD + "Dataset")),
        t(dataset, _n(DCT + "title"), ox.Literal(TITLE, language="en")),
        t(dataset, _n(DCT + "license"), LICENCE),
        t(dataset, _n(SD + "defaultGraph"), default_graph),
        t(default_graph, RDF_TYPE, _n(SD + "Graph")),
        t(default_graph, _n(VOID + "triples"), _int(counts.default)),
    ]
    if state.writable:
        triples.append(t(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Update")))
    if state.config.service_allowlist:
        triples.append(t(service, _n(SD + "feature"), _n(SD + "BasicFederatedQuery")))
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        triples.append(t(service, _n(SD + "resultFormat"), _n(FORMATS + _FORMAT_IRIS[fmt.name])))
    for graph in _FIXED:
        named, inner = ox.BlankNode(), ox.BlankNode()
        triples += [
            t(dataset, _n(SD + "namedGraph"), named),
            t(named, RDF_TYPE, _n(SD + "NamedGraph")),
            t(named, _n(SD + "name"), _n(str(graph))),
            t(named, _n(SD + "graph"), inner),
            t(inner, RDF_TYPE, _n(SD + "Graph")),
            t(inner, _n(VOID + "triples"), _int(counts.per_graph.get(str(graph), 0))),
        ]
    return triples


def void_description(state: ServerState, counts: Counts, endpoint: str, base: str) -> list[ox.Triple]:
    t = ox.Triple
    claims = sum(n for g, n in counts.per_graph.items() if g.startswith(str(CLAIM)))
    triples = [
        t(DATASET, RDF_TYPE, _n(VOID + "Dataset")),
        t(DATASET, _n(DCT + "title"), ox.Literal(TITLE, language="en")),
        t(DATASET, _n(DCT + "license"), LICENCE),
        t(DATASET, _n(VOID + "sparqlEndpoint"), _n(endpoint)),
        t(DATASET, _n(VOID + "triples"), _int(counts.default)),
        t(DATASET, _n(VOID + "uriSpace"), ox.Literal(str(RES))),
        t(DATASET, _n(VOID + "vocabulary"), _n(str(OTS))),
        t(DATASET, _n(DCT + "language"), ox.Literal(", ".join(LANGUAGES))),
        t(DATASET, _n(VOID + "rootResource"), _n(str(RES) + "organization-of-turkic-states")),
        t(DATASET, _n(DCT + "isReferencedBy"), _n(base + ".well-known/void")),
    ]
    subsets = [
        (g.rsplit("/", 1)[-1], counts.per_graph.get(g, 0), _n(SD + "name"), _n(g)) for g in map(str, _FIXED)
    ]
    # the claim graphs together: one named graph per quote of the article, all under claim:
    subsets.append(("claims", claims, _n(VOID + "uriSpace"), ox.Literal(str(CLAIM))))
    for name, size, predicate, value in subsets:
        subset = _n(f"{DATASET.value}/{name}")
        triples += [
            t(DATASET, _n(VOID + "subset"), subset),
            t(subset, RDF_TYPE, _n(VOID + "Dataset")),
            t(subset, _n(DCT + "title"), ox.Literal(name, language="en")),
            t(subset, _n(DCT + "license"), LICENCE),
            t(subset, _n(VOID + "triples"), _int(size)),
            t(subset, predicate, value),
        ]
    return triples
