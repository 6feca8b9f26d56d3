"""The project's labels (data/labels/, graph:labels): loaded apart from the article's wording, in the
default union, read-only to writes, seen by reasoning and validation (docs/languages.md)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from otsgraph.graphs import READ_ONLY_GRAPHS, REASONED, VISIBLE
from otsgraph.loading import Layout, LoadError, load_sources
from otsgraph.namespaces import Graphs
from otsgraph.store import DEFAULT_GRAPHS, SHIPPED_GRAPHS

LABELS = ox.NamedNode(str(Graphs.LABELS))
ASSERTED = ox.NamedNode(str(Graphs.ASSERTED))
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def _project(tmp_path, labels_ttl: str):
    root = tmp_path / "project"
    for folder in ("ontology", "data/entities", "data/labels"):
        (root / folder).mkdir(parents=True)
    (root / "ontology" / "o.ttl").write_text("<http://e/O> a <http://www.w3.org/2002/07/owl#Ontology> .\n")
    (root / "data" / "entities" / "e.ttl").write_text(
        '@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n<http://e/x> rdfs:label "Қазақстан"@kk .\n'
    )
    (root / "data" / "labels" / "tr.ttl").write_text(labels_ttl)
    return root


def test_labels_files_load_into_their_own_graph_not_the_asserted_one(tmp_path):
    root = _project(
        tmp_path,
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<http://e/x> rdfs:label "Kazakistan"@tr , "Қазақстан"@kk .\n',
    )
    sources = load_sources(Layout(root))
    labels = {(t.subject.value, t.object.value) for t in sources.graphs[LABELS]}
    assert labels == {("http://e/x", "Kazakistan")}  # the kk label is the article's: it stays asserted only
    assert all(t.object.value != "Kazakistan" for t in sources.graphs[ASSERTED])
    assert not any(g == LABELS for g in sources.claim_graphs)
    # reasoning and validation read the labels with the asserted data
    assert (
        ox.NamedNode("http://e/x"),
        RDFS_LABEL,
        ox.Literal("Kazakistan", language="tr"),
    ) in sources.triples(ASSERTED)


def test_a_bad_labels_file_is_located(tmp_path):
    root = _project(tmp_path, '<http://e/x> <http://e/p> "unterminated .\n')
    with pytest.raises(LoadError, match=r"tr\.ttl:1:"):
        load_sources(Layout(root))


def test_the_labels_graph_is_shipped_in_the_union_read_only_and_validated():
    assert LABELS in DEFAULT_GRAPHS and LABELS in SHIPPED_GRAPHS
    assert LABELS in READ_ONLY_GRAPHS
    assert LABELS in REASONED and LABELS in VISIBLE
