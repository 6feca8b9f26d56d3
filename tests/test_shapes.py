"""Every SHACL node shape has a valid and an invalid fixture; each behaves as its name says."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF

from otsgraph.convert import to_rdflib_graph
from otsgraph.loading import Layout, load_sources
from otsgraph.namespaces import SH, SHP
from otsgraph.validation import read_report

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "shapes"


def shapes_graph() -> rdflib.Graph:
    return to_rdflib_graph(tuple(t) for t in load_sources(Layout(REPO)).shapes)


SHAPES = shapes_graph()
NODE_SHAPES = sorted(str(s).removeprefix(str(SHP)) for s in SHAPES.subjects(RDF.type, SH.NodeShape))


def validate_fixture(path: Path):
    from pyshacl import validate

    data = rdflib.Graph().parse(path)
    ontology = rdflib.Graph().parse(REPO / "ontology" / "otsgraph.ttl")
    conforms, report, _ = validate(
        data, shacl_graph=SHAPES, ont_graph=ontology, inference="rdfs", allow_warnings=False
    )
    return conforms, read_report(report)


def test_there_is_a_node_shape_per_instantiated_class():
    assert len(NODE_SHAPES) >= 20


def test_every_constraint_has_a_message_and_a_severity():
    missing = []
    for shape in set(SHAPES.subjects(RDF.type, SH.NodeShape)) | set(SHAPES.objects(None, SH.property)):
        if isinstance(shape, rdflib.BNode) and not any(SHAPES.triples((shape, SH.path, None))):
            continue
        if SHAPES.value(shape, SH.message) is None and SHAPES.value(shape, SH.severity) is None:
            if (shape, RDF.type, SH.NodeShape) in SHAPES:
                continue  # a node shape may leave messages to its property shapes
            missing.append(str(shape))
    assert not missing, missing[:10]


@pytest.mark.parametrize("shape", NODE_SHAPES)
def test_valid_fixture_conforms(shape):
    path = FIXTURES / f"{shape}-valid.ttl"
    assert path.exists(), f"missing fixture {path.name}"
    conforms, results = validate_fixture(path)
    assert conforms, [f"{r.focus} {r.path} {r.message}" for r in results]


@pytest.mark.parametrize("shape", NODE_SHAPES)
def test_invalid_fixture_is_caught_by_its_shape(shape):
    path = FIXTURES / f"{shape}-invalid.ttl"
    assert path.exists(), f"missing fixture {path.name}"
    conforms, results = validate_fixture(path)
    assert not conforms
    sources = {r.shape for r in results}
    own = str(SHP[shape])
    owned_property_shapes = {str(p) for p in SHAPES.objects(SHP[shape], SH.property)}
    assert (
        own in sources
        or sources & owned_property_shapes
        or any(r.message and shape.removesuffix("Shape") in (r.shape or "") for r in results)
    ), f"violations come from other shapes only: {sources}"
