"""Validating a whole graph: the fast validator, or pySHACL (the reference), as one Report."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox
import rdflib
from pyshacl import validate as pyshacl_validate
from rdflib.namespace import RDF

from otsgraph.core.convert import to_oxigraph_term, to_rdflib_graph
from otsgraph.core.interning import Interner
from otsgraph.core.namespaces import SH

from . import shacl
from .report import Finding, Report, finding_of, term_text, value_text

SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


def _term(report: rdflib.Graph, result, predicate) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
    node = report.value(result, predicate)
    return None if node is None else to_oxigraph_term(node)


def read_report(
    report: rdflib.Graph, named_parent: Callable[[ox.BlankNode], ox.NamedNode | None] = lambda _: None
) -> list[Finding]:
    """The results of a SHACL validation report graph (pySHACL's) as Findings, written as the fast
    validator's are (report.finding_of): focus and shape as text (a blank property shape named
    after its node shape, where `named_parent` knows it), a predicate path or none, the value in
    N-Triples syntax."""
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        messages = [str(m) for m in report.objects(result, SH.resultMessage)]
        severity = report.value(result, SH.resultSeverity)
        path = _term(report, result, SH.resultPath)
        component = report.value(result, SH.sourceConstraintComponent)
        shape = _term(report, result, SH.sourceShape)
        parent = named_parent(shape) if isinstance(shape, ox.BlankNode) else None
        results.append(
            Finding(
                focus=term_text(_term(report, result, SH.focusNode)),
                path=path.value if isinstance(path, ox.NamedNode) else None,
                value=value_text(_term(report, result, SH.value)),
                message="; ".join(messages) or "(no message)",
                severity=SEVERITY_NAMES.get(severity, str(severity)),
                shape=parent.value if parent is not None else term_text(shape),
                kind="shape",
                component=None if component is None else str(component),
            )
        )
    return _sorted(results)


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.focus, f.path or "", f.message, f.value or ""))


_PATH_HOLDERS = (
    SH.path,
    SH.inversePath,
    SH.alternativePath,
    SH.zeroOrMorePath,
    SH.oneOrMorePath,
    SH.zeroOrOnePath,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
)


def relevant_predicates(shapes: rdflib.Graph) -> set[rdflib.URIRef] | None:
    """The predicates some shape can look at, or None when any predicate may matter.

    A closed shape or a SPARQL constraint can look at every predicate, so then nothing is filtered.
    """
    if any(shapes.triples((None, SH.closed, None))) or any(shapes.triples((None, SH.sparql, None))):
        return None
    found = {RDF.type, rdflib.RDFS.subClassOf}
    pending = [o for p in _PATH_HOLDERS for o in shapes.objects(None, p)]
    while pending:
        node = pending.pop()
        if isinstance(node, rdflib.URIRef):
            found.add(node)
        elif isinstance(node, rdflib.BNode):
            pending += [o for p, o in shapes.predicate_objects(node) if p != RDF.type]
    return found


def relevant_triples(data: Iterable[tuple], shapes: rdflib.Graph) -> Iterable[tuple]:
    """The data triples whose predicate a shape can look at (all of them if that cannot be known)."""
    predicates = relevant_predicates(shapes)
    if predicates is None:
        return data
    wanted = {p.toPython() for p in predicates}
    return (t for t in data if t[1].value in wanted)


def validate(
    data: Iterable[tuple], shapes: Iterable[tuple], engine: str = "fast", terms: Interner | None = None
) -> Report:
    """Validate data triples (already reasoned over) against shape triples: the report.

    engine "fast" is otsgraph's own SHACL Core validator (see shacl.py); it falls back to
    pySHACL when the shapes use a construct it does not implement. "pyshacl" is the reference.
    With `terms`, the data triples are its ids (the build's, core/interning.py).
    """
    shapes = list(shapes)
    shapes_graph = shacl.ShapesGraph(shapes)
    if engine == "fast" and not shapes_graph.unsupported():
        results = shacl.validate_triples(data, shapes, terms)
        return Report(
            _sorted(finding_of(r, shapes_graph.named_parent(r.shape)) for r in results), engine="fast"
        )
    data = list(data) if terms is None else [terms.decode(t) for t in data]
    rdflib_shapes = to_rdflib_graph(shapes)
    data_graph = to_rdflib_graph(relevant_triples(data, rdflib_shapes))
    _, report, _ = pyshacl_validate(
        data_graph,
        shacl_graph=rdflib_shapes,
        inference="none",
        allow_warnings=True,
        advanced=True,
        inplace=True,
    )
    return Report(read_report(report, shapes_graph.named_parent), engine="pyshacl")
