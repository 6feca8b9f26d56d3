"""SHACL validation with pySHACL, turned into plain result objects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import rdflib
from pyshacl import validate as pyshacl_validate
from rdflib.namespace import RDF

from .convert import to_rdflib_graph
from .namespaces import SH

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
    graph: rdflib.Graph

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


def validate(data: Iterable[tuple], shapes: Iterable[tuple]) -> ValidationReport:
    """Validate data triples (already reasoned over) against shape triples."""
    data_graph = to_rdflib_graph(data)
    shapes_graph = to_rdflib_graph(shapes)
    conforms, report, _ = pyshacl_validate(
        data_graph,
        shacl_graph=shapes_graph,
        inference="none",
        allow_warnings=True,
        advanced=True,
    )
    return ValidationReport(bool(conforms), read_report(report), report)
