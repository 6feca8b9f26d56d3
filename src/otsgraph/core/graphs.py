"""The dataset's named graphs as pyoxigraph nodes, and their roles: what is shipped, what the default
graph serves, what reasoning reads, which hold asserted data, which are read-only."""

from __future__ import annotations

import pyoxigraph as ox

from .namespaces import BASE, CLAIM, Graphs


def _node(iri) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


ONTOLOGY = _node(Graphs.ONTOLOGY)
ASSERTED = _node(Graphs.ASSERTED)
BACKGROUND = _node(Graphs.BACKGROUND)
PROVENANCE = _node(Graphs.PROVENANCE)
INFERRED = _node(Graphs.INFERRED)
LINKS = _node(Graphs.LINKS)
#: the project's labels and translations (data/labels/): shipped data, apart from the article's wording
LABELS = _node(Graphs.LABELS)
ADDITIONS = _node(Graphs.ADDITIONS)
AUDIT = _node(Graphs.AUDIT)
#: the inferred triples that hold only with graph:background (a listing the build writes; docs/background.md)
INFERRED_FROM_BACKGROUND = _node(Graphs.INFERRED_FROM_BACKGROUND)
#: a change being applied in several steps (one with removals); see audit.py
JOURNAL = _node(BASE + "graph/journal")

#: the asserted data: what "the default graph" means for a write. The project's labels are in it: a
#: write may delete one (a rebuild brings it back, as for any shipped triple) and a revert restores it
ASSERTED_DATA = (ASSERTED, BACKGROUND, PROVENANCE, LABELS, ADDITIONS)
#: what reasoning reads (the ontology and the asserted data)
REASONED = (ONTOLOGY, *ASSERTED_DATA)
#: what validation sees: the reasoned graphs and the inferences
VISIBLE = (*REASONED, INFERRED)
#: the shipped graphs reasoning and validation see (REASONED without graph:additions): claims'
#: descriptions are data too, and the project's labels describe the entities whose shapes ask for
#: en/kk/ru labels
REASONED_GRAPHS = (ONTOLOGY, ASSERTED, BACKGROUND, PROVENANCE, LABELS)
#: the fixed graphs a seeding replaces (with the claim graphs): what the shipped files hold
SHIPPED_GRAPHS = (
    ONTOLOGY,
    ASSERTED,
    BACKGROUND,
    INFERRED,
    INFERRED_FROM_BACKGROUND,
    PROVENANCE,
    LINKS,
    LABELS,
)
#: the served default graph: the documented union (namespaces.Graphs.DEFAULT_UNION)
DEFAULT_GRAPHS = [_node(g) for g in Graphs.DEFAULT_UNION]
#: graphs no write may touch directly
READ_ONLY_GRAPHS = (ONTOLOGY, INFERRED, INFERRED_FROM_BACKGROUND, AUDIT, JOURNAL, LINKS)

_SPECIAL = {*VISIBLE, AUDIT, JOURNAL, LINKS, INFERRED_FROM_BACKGROUND}


def is_data_graph(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> bool:
    """Does a write to this graph mean 'the asserted data' (the default graph or one of its parts)?"""
    return isinstance(graph, ox.DefaultGraph) or graph in ASSERTED_DATA


def is_claim_graph(graph) -> bool:
    """A named graph that groups facts (a claim graph, shipped or added)."""
    return isinstance(graph, ox.NamedNode | ox.BlankNode) and graph not in _SPECIAL


def is_shipped_claim(graph) -> bool:
    return isinstance(graph, ox.NamedNode) and graph.value.startswith(str(CLAIM))


def asserted_graphs_of(store: ox.Store, triple: tuple) -> list[ox.NamedNode]:
    """The asserted-data graphs that hold this triple."""
    s, p, o = triple
    return [q.graph_name for q in store.quads_for_pattern(s, p, o) if q.graph_name in ASSERTED_DATA]
