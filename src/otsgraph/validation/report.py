"""The one report of the project: findings grouped by focus node, as text, JSON or a SHACL
ValidationReport graph. The build, `otsgraph validate`, the gate and /validate all speak it.

A report conforms when it holds no Violation: warnings and infos are listed, never blocking (as
pySHACL's allow_warnings, and the gate, always did). That is the one meaning of "conforms" here."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import pyoxigraph as ox

from otsgraph.core.namespaces import BASE, RDF_TYPE, SH
from otsgraph.core.results import short

from . import shacl

SEVERITIES = ("Violation", "Warning", "Info")
#: where a finding comes from: a SHACL shape, or one of the gate's own checks (checks.py)
KINDS = ("shape", "reasoning", "provenance", "term", "literal", "graph")
GATE_CHECK = BASE + "shapes/gate/"


@dataclass(frozen=True)
class Finding:
    """One problem: on which node, along which path, which value, why, how bad, found by what."""

    focus: str
    path: str | None
    value: str | None
    message: str
    severity: str = "Violation"
    shape: str | None = None
    kind: str = "shape"
    component: str | None = None
    label: str | None = None

    def key(self) -> tuple:
        return (self.focus, self.path or "", self.value or "", self.message)


@dataclass
class Report:
    """The gate's verdict on one change."""

    findings: list[Finding]
    touched: int = 0  # focus nodes validated
    added: int = 0  # quads the change adds
    removed: int = 0  # quads the change removes
    change_id: str | None = None  # set by Gate.commit when the change was applied
    timings: dict[str, float] = field(default_factory=dict)
    engine: str | None = None  # the validator that made a whole-graph report: "fast" or "pyshacl"

    @classmethod
    def of(cls, findings: Iterable[Finding], touched: int = 0, change=None) -> Report:
        unique = {f.key(): f for f in findings}
        ordered = sorted(unique.values(), key=lambda f: (f.focus, SEVERITIES.index(f.severity), f.key()))
        added = len(change.add) if change is not None else 0
        removed = len(change.remove) if change is not None else 0
        return cls(ordered, touched, added, removed)

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "Violation" for f in self.findings)

    @property
    def results(self) -> list[Finding]:
        """The findings (SHACL's name for them)."""
        return self.findings

    @property
    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in SEVERITIES}

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def violations(self) -> int:
        return self.count("Violation")

    @property
    def warnings(self) -> int:
        return self.count("Warning")

    def by_focus(self) -> dict[str, list[Finding]]:
        groups: dict[str, list[Finding]] = defaultdict(list)
        for f in self.findings:
            groups[f.focus].append(f)
        return dict(groups)

    def summary(self) -> str:
        counts = ", ".join(
            f"{self.count(s)} {s.lower()}{'s' if self.count(s) != 1 else ''}" for s in SEVERITIES
        )
        verdict = "conforms" if self.conforms else "does not conform"
        groups = len(self.by_focus())
        nodes = f"{groups} focus node{'s' if groups != 1 else ''} with results"
        checked = f", {self.touched} checked" if self.touched else ""  # a whole-graph report counts none
        return f"{verdict}: {counts}; {nodes}{checked}"

    # ---- renderings -----------------------------------------------------------------------------

    def to_text(self, source: str | None = None) -> str:
        lines = [f"Report for {source}" if source else "Report"]
        for focus, group in self.by_focus().items():
            label = next((f.label for f in group if f.label), None)
            lines.append(f"\n{_short(focus)}" + (f"  “{label}”" if label else ""))
            for f in group:
                where = _short(f.path) if f.path else "(node)"
                lines.append(
                    f"  {f.severity:<9} {where}  [{f.kind}{': ' + _short(f.shape) if f.shape else ''}]"
                )
                if f.value is not None:
                    lines.append(f"            value: {_short_value(f.value)}")
                lines.append(f"            {f.message}")
        lines.append("")
        lines.append(self.summary())
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(
            {
                "conforms": self.conforms,
                "change": self.change_id,
                "counts": {s.lower(): self.count(s) for s in SEVERITIES},
                "focusNodes": len(self.by_focus()),
                "checkedNodes": self.touched,
                "results": [
                    {
                        "focus": focus,
                        "label": next((f.label for f in group if f.label), None),
                        "results": [_result_json(f) for f in group],
                    }
                    for focus, group in self.by_focus().items()
                ],
            },
            ensure_ascii=False,
            indent=2,
        )

    def to_graph(self) -> list[ox.Triple]:
        """A SHACL ValidationReport (sh:conforms, one sh:ValidationResult per finding)."""
        sh = lambda name: ox.NamedNode(str(SH) + name)  # noqa: E731
        rdf_type = RDF_TYPE
        report = ox.BlankNode("report")
        boolean = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
        out = [
            ox.Triple(report, rdf_type, sh("ValidationReport")),
            ox.Triple(report, sh("conforms"), ox.Literal(str(self.conforms).lower(), datatype=boolean)),
        ]
        for i, f in enumerate(self.findings):
            node = ox.BlankNode(f"r{i}")
            out += [
                ox.Triple(report, sh("result"), node),
                ox.Triple(node, rdf_type, sh("ValidationResult")),
                ox.Triple(node, sh("focusNode"), _term(f.focus)),
                ox.Triple(node, sh("resultMessage"), ox.Literal(f.message, language="en")),
                ox.Triple(node, sh("resultSeverity"), sh(f.severity)),
                ox.Triple(node, sh("sourceShape"), _term(f.shape or GATE_CHECK + f.kind)),
                ox.Triple(
                    node,
                    sh("sourceConstraintComponent"),
                    _term(f.component or GATE_CHECK + f.kind + "Component"),
                ),
            ]
            if f.path:
                out.append(ox.Triple(node, sh("resultPath"), _term(f.path)))
            if f.value is not None:
                out.append(ox.Triple(node, sh("value"), _value_term(f.value)))
        return out

    def to_turtle(self) -> str:
        prefixes = {"sh": str(SH), "xsd": "http://www.w3.org/2001/XMLSchema#"}
        return ox.serialize(self.to_graph(), format=ox.RdfFormat.TURTLE, prefixes=prefixes).decode("utf-8")


def _result_json(f: Finding) -> dict:
    out = asdict(f)
    out.pop("focus")
    out.pop("label")
    return out


def _term(text: str) -> ox.NamedNode | ox.BlankNode:
    if text.startswith("_:"):
        return ox.BlankNode(text[2:])
    try:
        return ox.NamedNode(text)
    except ValueError:
        return ox.BlankNode(text)


def _value_term(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Values are kept in N-Triples syntax (see term_text), so they read back exactly."""
    try:
        return next(iter(ox.parse(f"<urn:x:s> <urn:x:p> {text} .", format=ox.RdfFormat.N_TRIPLES))).object
    except (SyntaxError, StopIteration):
        return ox.Literal(text)


def term_text(term) -> str:
    """A focus node, path or value as text: IRIs bare, blank nodes _:id, literals in N-Triples syntax."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def value_text(term) -> str | None:
    """Values: N-Triples syntax for literals and IRIs (<...>), so they read back exactly."""
    if term is None:
        return None
    return str(term)


def _short(text: str | None) -> str:
    if text is None:
        return "-"
    if text.startswith("_:"):
        return text
    try:
        return short(ox.NamedNode(text))
    except ValueError:
        return text


def _short_value(text: str) -> str:
    """A value for people: prefixed names for IRIs and datatypes, long literals cut."""
    import re

    if text.startswith("<") and text.endswith(">"):
        return _short(text[1:-1])
    text = text if len(text) < 200 else text[:200] + "…"
    return re.sub(r"\^\^<([^<>]+)>$", lambda m: "^^" + _short(m.group(1)), text)


Labeller = Callable[[str], str | None]


def finding_of(result: shacl.Result, parent: ox.NamedNode | None = None) -> Finding:
    """A fast-validator result as a Finding; a blank property shape is named after its node shape."""
    return Finding(
        focus=term_text(result.focus),
        # a complex path (a blank node) is named by the shape; the report keeps predicate paths only
        path=result.path.value if isinstance(result.path, ox.NamedNode) else None,
        value=value_text(result.value),
        message=result.message or "(no message)",
        severity=result.severity.value.removeprefix(shacl.SH),
        shape=parent.value
        if isinstance(result.shape, ox.BlankNode) and parent is not None
        else term_text(result.shape),
        kind="shape",
        component=result.component.value,
    )
