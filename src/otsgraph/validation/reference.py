"""SHACL validation with pySHACL, turned into plain result objects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import rdflib
from pyshacl import validate as pyshacl_validate
from rdflib.namespace import RDF

from otsgraph.core.convert import to_rdflib_graph
from otsgraph.core.namespaces import SH

from . import shacl

SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class ShapeResult:
    """One SHACL validation result, with everything a reader needs to act on it."""

    focus: str
    path: str | None
    value: str | None
    message: str
    severity: str
    shape: str | None


@dataclass
class ValidationReport:
    conforms: bool
    results: list[ShapeResult]
    graph: rdflib.Graph | None  # the SHACL report graph, when pySHACL made one

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def violations(self) -> int:
        return self.count("Violation")

    @property
    def warnings(self) -> int:
        return self.count("Warning")


def _text(node) -> str | None:
    return None if node is None else str(node)


def read_report(report: rdflib.Graph) -> list[ShapeResult]:
    """The results of a SHACL validation report graph, sorted by focus node."""
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        messages = [str(m) for m in report.objects(result, SH.resultMessage)]
        severity = report.value(result, SH.resultSeverity)
        results.append(
            ShapeResult(
                focus=str(report.value(result, SH.focusNode)),
                path=_text(report.value(result, SH.resultPath)),
                value=_text(report.value(result, SH.value)),
                message="; ".join(messages) or "(no message)",
                severity=SEVERITY_NAMES.get(severity, str(severity)),
                shape=_text(report.value(result, SH.sourceShape)),
            )
        )
    return sorted(results, key=lambda r: (r.focus, r.path or "", r.message))


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


def validate(data: Iterable[tuple], shapes: Iterable[tuple], engine: str = "fast") -> ValidationReport:
    """Validate data triples (already reasoned over) against shape triples.

    engine "fast" is otsgraph's own SHACL Core validator (see shacl.py); it falls back to
    pySHACL when the shapes use a construct it does not implement. "pyshacl" is the reference.
    """
    data, shapes = list(data), list(shapes)
    if engine == "fast" and not shacl.ShapesGraph(shapes).unsupported():
        results = sorted(
            (_from_fast(r) for r in shacl.validate_triples(data, shapes)),
            key=lambda r: (r.focus, r.path or "", r.message),
        )
        conforms = not results
        return ValidationReport(conforms, results, None)
    shapes_graph = to_rdflib_graph(shapes)
    data_graph = to_rdflib_graph(relevant_triples(data, shapes_graph))
    conforms, report, _ = pyshacl_validate(
        data_graph,
        shacl_graph=shapes_graph,
        inference="none",
        allow_warnings=True,
        advanced=True,
        inplace=True,
    )
    return ValidationReport(bool(conforms), read_report(report), report)


def _from_fast(result: shacl.Result) -> ShapeResult:
    def text(term) -> str | None:
        return None if term is None else term.value

    return ShapeResult(
        focus=result.focus.value,
        path=text(result.path),
        value=text(result.value),
        message=result.message or "(no message)",
        severity=SEVERITY_NAMES.get(rdflib.URIRef(result.severity.value), result.severity.value),
        shape=text(result.shape),
    )
