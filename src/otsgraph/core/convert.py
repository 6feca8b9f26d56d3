"""Conversions between pyoxigraph terms (storage, SPARQL) and rdflib terms (pySHACL, owlrl)."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib


def to_rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def to_oxigraph_term(term: rdflib.term.Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r}")


def to_rdflib_graph(triples: Iterable[tuple]) -> rdflib.Graph:
    """An rdflib Graph holding the given pyoxigraph triples (terms converted once each)."""
    graph = rdflib.Graph()
    cache: dict = {}

    def convert(term):
        found = cache.get(term)
        if found is None:
            found = cache[term] = to_rdflib_term(term)
        return found

    graph.addN((convert(s), convert(p), convert(o), graph) for s, p, o in triples)
    return graph
