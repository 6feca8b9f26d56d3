"""Validation: the predicate filter that keeps it fast changes no result."""

from __future__ import annotations

import pytest
import rdflib
from pyshacl import validate as pyshacl_validate

from otsgraph.core.convert import to_rdflib_graph
from otsgraph.validation.reference import read_report, relevant_predicates, validate
from otsgraph.validation.shacl import ShapesGraph

SH = "http://www.w3.org/ns/shacl#"
SHAPES = f"""@prefix sh: <{SH}> . @prefix ex: <http://e/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ;
  sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message "needs p" ; sh:severity sh:Violation ] ;
  sh:property [ sh:path ( ex:q [ sh:inversePath ex:r ] ) ; sh:maxCount 1 ] .
"""


def test_relevant_predicates_follow_paths_of_every_kind():
    shapes = rdflib.Graph().parse(data=SHAPES, format="turtle")
    found = {str(p) for p in relevant_predicates(shapes)}
    assert {"http://e/p", "http://e/q", "http://e/r"} <= found
    assert "http://e/unrelated" not in found


def test_closed_shapes_turn_the_filter_off():
    shapes = rdflib.Graph().parse(data=SHAPES + "ex:S sh:closed true .", format="turtle")
    assert relevant_predicates(shapes) is None


def _key(results):
    return sorted(
        (r.focus, r.path or "", r.value or "", r.message, r.severity, r.shape or "") for r in results
    )


@pytest.fixture(scope="module")
def full_pyshacl(shipped_build):
    """pySHACL on the whole shipped graph, unfiltered: the reference both tests below compare with
    (it runs once: issue 14, no pySHACL run twice on the same input)."""
    data = shipped_build.reasoned.input | shipped_build.reasoned.inferred
    shapes = [tuple(t) for t in shipped_build.sources.shapes]
    _, full_report, _ = pyshacl_validate(
        to_rdflib_graph(data),
        shacl_graph=to_rdflib_graph(shapes),
        inference="none",
        allow_warnings=True,
        advanced=True,
    )
    return data, shapes, _key(read_report(full_report, ShapesGraph(shapes).named_parent))


def test_fast_validator_equals_pyshacl_on_the_shipped_graph(full_pyshacl):
    data, shapes, reference = full_pyshacl
    fast = validate(data, shapes)
    assert fast.engine == "fast", "the fast validator ran"
    assert _key(fast.results) == reference


def test_filtered_pyshacl_validation_equals_full_validation(full_pyshacl):
    data, shapes, reference = full_pyshacl
    filtered = validate(data, shapes, engine="pyshacl")
    assert _key(filtered.results) == reference
