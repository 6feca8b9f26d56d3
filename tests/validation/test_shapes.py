"""Every SHACL node shape has a valid and an invalid fixture; each behaves as its name says."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF

from otsgraph.core.convert import to_rdflib_graph
from otsgraph.core.loading import Layout, load_sources
from otsgraph.core.namespaces import SH, SHP

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "shapes"


# Loaded once per module (each pytest-xdist worker loads the module once): the shapes, as triples and as
# a graph, and the ontology.
SHAPE_TRIPLES = [tuple(t) for t in load_sources(Layout(REPO)).shapes]
SHAPES = to_rdflib_graph(SHAPE_TRIPLES)
NODE_SHAPES = sorted(str(s).removeprefix(str(SHP)) for s in SHAPES.subjects(RDF.type, SH.NodeShape))


@functools.cache
def ontology_triples() -> frozenset[tuple]:
    from otsgraph.core.loading import parse_file

    return frozenset(
        (q.subject, q.predicate, q.object) for q in parse_file(REPO / "ontology" / "otsgraph.ttl")
    )


def reasoned_fixture(path: Path) -> set[tuple]:
    from otsgraph.core.loading import parse_file
    from otsgraph.reasoning.closure import reason_triples

    ontology = set(ontology_triples())
    data = {(q.subject, q.predicate, q.object) for q in parse_file(path)}
    reasoned = reason_triples(ontology | data, ontology)
    return reasoned.input | reasoned.inferred


@functools.cache
def reports(path: Path):
    """The own validator's report and pySHACL's on the fixture's reasoned triples. pySHACL runs once
    per fixture: the conformance tests and the agreement test read the same reference report."""
    from otsgraph.validation.reference import validate

    data = reasoned_fixture(path)
    return validate(data, SHAPE_TRIPLES), validate(data, SHAPE_TRIPLES, engine="pyshacl")


def test_there_is_a_node_shape_per_instantiated_class():
    assert len(NODE_SHAPES) >= 20


def test_every_constraint_has_a_message_and_a_severity():
    """Shapes that report results (property shapes, node shapes with constraints of their own) say
    what is wrong in words and how bad it is; shapes nested inside sh:or/sh:not report nothing."""
    from otsgraph.validation.shacl import COMPONENTS

    components = {rdflib.URIRef(c.value) for c in COMPONENTS} - {SH.property}
    targeted = set(SHAPES.subjects(SH.targetClass, None))
    reporting = {p for s in targeted for p in SHAPES.objects(s, SH.property)}
    reporting |= {s for s in targeted if set(SHAPES.predicates(s)) & components}
    missing = [
        str(s)
        for s in reporting
        if SHAPES.value(s, SH.message) is None or SHAPES.value(s, SH.severity) is None
    ]
    assert not missing, missing[:10]


@pytest.mark.parametrize("shape", NODE_SHAPES)
def test_valid_fixture_conforms(shape):
    path = FIXTURES / f"{shape}-valid.ttl"
    assert path.exists(), f"missing fixture {path.name}"
    _, reference = reports(path)
    # no result of any severity (a warning counts too, as allow_warnings=False did)
    assert reference.conforms and reference.results == [], [
        f"{r.severity} {r.focus} {r.path} {r.message}" for r in reference.results
    ]


@pytest.mark.parametrize("shape", NODE_SHAPES)
def test_invalid_fixture_is_caught_by_its_shape(shape):
    path = FIXTURES / f"{shape}-invalid.ttl"
    assert path.exists(), f"missing fixture {path.name}"
    _, reference = reports(path)
    results = reference.results
    assert results, "pySHACL reports nothing"
    sources = {r.shape for r in results}
    own = str(SHP[shape])
    # a finding names a blank property shape as N-Triples does (_:id)
    owned_property_shapes = {
        f"_:{p}" if isinstance(p, rdflib.BNode) else str(p) for p in SHAPES.objects(SHP[shape], SH.property)
    }
    assert (
        own in sources
        or sources & owned_property_shapes
        or any(r.message and shape.removesuffix("Shape") in (r.shape or "") for r in results)
    ), f"violations come from other shapes only: {sources}"


@pytest.mark.parametrize("shape", NODE_SHAPES)
@pytest.mark.parametrize("kind", ["valid", "invalid"])
def test_fast_validator_agrees_with_pyshacl_on_the_fixture(shape, kind):
    """Both validators on the same reasoned triples report the same results."""
    fast, reference = reports(FIXTURES / f"{shape}-{kind}.ttl")
    assert (fast.engine, reference.engine) == ("fast", "pyshacl")

    def named(node: str | None) -> str | None:
        return "_:blank" if node is not None and node.startswith("_:") else node  # ids differ per parser

    def key(results):
        return sorted(
            (named(r.focus), r.path or "", named(r.value) or "", r.severity, r.message, named(r.shape))
            for r in results
        )

    assert key(fast.results) == key(reference.results)
    assert (fast.violations == 0) == (kind == "valid")
