"""The version has one source: the package; the ontology header repeats it."""

from pathlib import Path

import rdflib
from rdflib.namespace import OWL

import otsgraph

REPO = Path(__file__).resolve().parents[2]


def test_ontology_version_matches_the_package():
    graph = rdflib.Graph().parse(REPO / "ontology" / "otsgraph.ttl")
    ontology = rdflib.URIRef("https://w3id.org/otsgraph/ontology")
    assert str(graph.value(ontology, OWL.versionInfo)) == otsgraph.__version__
    assert str(graph.value(ontology, OWL.versionIRI)).endswith("/" + otsgraph.__version__)
