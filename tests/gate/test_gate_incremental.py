"""Incremental validation and reasoning give the same answers as doing everything again."""

from __future__ import annotations

import sys

import pyoxigraph as ox
import pytest

from gate_support import LAYOUT, REPO, SUBMISSIONS, gate_on, seeded_store_dir, shapes
from otsgraph.core.graphs import INFERRED, REASONED, VISIBLE
from otsgraph.core.loading import Layout
from otsgraph.gate.change import change_from_quads, change_from_update
from otsgraph.gate.submission import read_file
from otsgraph.gate.view import View
from otsgraph.reasoning.closure import reason_triples
from otsgraph.validation import shacl
from otsgraph.validation.report import finding_of


def visible_triples(store: ox.Store) -> set[tuple]:
    return {(q.subject, q.predicate, q.object) for q in store if q.graph_name in VISIBLE}


def full_findings(context, triples: set[tuple]) -> set:
    """Every SHACL result of a full validation, in the gate's Finding form."""
    results = shacl.validate_triples(triples, context.shapes_triples)
    return {finding_of(r, context.parent_shape(r.shape)) for r in results}


def focus_of(finding) -> str:
    return finding.focus


def _text(nodes) -> set[str]:
    from otsgraph.validation.report import term_text

    return {term_text(n) for n in nodes}


@pytest.fixture
def gate(tmp_path, tmp_path_factory):
    return gate_on(seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp()))


def test_validating_every_node_from_its_neighbourhood_equals_full_validation(gate):
    """The neighbourhood (two hops out, one in) holds everything the shipped shapes read."""
    context = gate.context
    everything = visible_triples(gate.store)
    nodes = {s for s, _, _ in everything} | {o for _, _, o in everything if not isinstance(o, ox.Literal)}
    local = set(context.validate_nodes(View(gate.store), nodes))
    full = full_findings(context, everything)
    assert local == full


_UPDATES = {
    "delete a required fact": (
        "DELETE DATA { <https://w3id.org/otsgraph/resource/summit-tc-2012-bishkek> "
        "<https://w3id.org/otsgraph/ontology/heldIn> <https://w3id.org/otsgraph/resource/bishkek> }"
    ),
    "delete a label of a hub": (
        "DELETE { <https://w3id.org/otsgraph/resource/kazakhstan> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l } "
        "WHERE { <https://w3id.org/otsgraph/resource/kazakhstan> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) = 'ru') }"
    ),
    "delete nothing that exists": (
        "DELETE DATA { <https://w3id.org/otsgraph/resource/nowhere> "
        "<http://www.w3.org/2000/01/rdf-schema#label> 'x'@ru }"
    ),
    "retype a city": (
        "INSERT DATA { <https://w3id.org/otsgraph/resource/bishkek> "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/otsgraph/ontology/Region> }"
    ),
}


def _change(gate, name: str):
    if name in _UPDATES:
        return change_from_update(gate.store, _UPDATES[name])
    return change_from_quads(read_file(SUBMISSIONS / name))


@pytest.mark.parametrize(
    "name",
    [
        "summit.trig",
        "problems.trig",
        "datatype.trig",
        "city-in-country.trig",
        "city.ttl",
        "delete a required fact",
        "delete a label of a hub",
        "delete nothing that exists",
        "retype a city",
        "delete a type and a country",
        "move a city",
        "move a summit in time",
    ],
)
def test_incremental_validation_equals_full_revalidation_for_touched_nodes(gate, name):
    context = gate.context
    change = _change(gate, name)
    plan = context.plan(change)
    before = visible_triples(gate.store)
    after = plan.view.applied_to(before)
    incremental = set(context.validate_nodes(plan.view, plan.focus))
    full_before, full_after = full_findings(context, before), full_findings(context, after)
    touched = _text(plan.focus)
    assert incremental == {f for f in full_after if f.focus in touched}
    # and no node outside the touched set changes its results
    assert {f for f in full_before if f.focus not in touched} == {
        f for f in full_after if f.focus not in touched
    }


_UPDATES["delete a type and a country"] = (
    "DELETE DATA { <https://w3id.org/otsgraph/resource/summit-tc-2012-bishkek> "
    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/otsgraph/ontology/Summit> . "
    "<https://w3id.org/otsgraph/resource/bishkek> <https://w3id.org/otsgraph/ontology/inCountry> "
    "<https://w3id.org/otsgraph/resource/kyrgyzstan> }"
)
_UPDATES["move a summit in time"] = (
    "PREFIX ots: <https://w3id.org/otsgraph/ontology/> PREFIX res: <https://w3id.org/otsgraph/resource/> "
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
    "DELETE { res:summit-tc-2012-bishkek ots:date ?d } "
    'INSERT { res:summit-tc-2012-bishkek ots:date "1995-05-05"^^xsd:date } '
    "WHERE { res:summit-tc-2012-bishkek ots:date ?d }"
)
_UPDATES["move a period"] = (  # a period's dates: every dated node may move in or out of it
    "PREFIX res: <https://w3id.org/otsgraph/resource/> PREFIX time: <http://www.w3.org/2006/time#> "
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
    'DELETE { ?end time:inXSDgYear ?y } INSERT { ?end time:inXSDgYear "2012"^^xsd:gYear } '
    "WHERE { res:period-strategic-partnership time:hasEnd ?end . ?end time:inXSDgYear ?y }"
)
_UPDATES["move a city"] = (
    "PREFIX ots: <https://w3id.org/otsgraph/ontology/> PREFIX res: <https://w3id.org/otsgraph/resource/> "
    "DELETE { res:astana ots:inCountry ?c } INSERT { res:astana ots:inCountry res:turkey } "
    "WHERE { res:astana ots:inCountry ?c }"
)


@pytest.mark.parametrize(
    "name",
    [
        "summit.trig",
        "problems.trig",
        "city-in-country.trig",
        "retype a city",
        "delete a required fact",
        "delete a label of a hub",
        "delete a type and a country",
        "move a city",
        "move a summit in time",
        "move a period",
    ],
)
def test_incremental_reasoning_equals_full_reasoning(gate, name):
    """Additions are forward-chained, removals deleted and re-derived: both equal a full recomputation."""
    context = gate.context
    change = _change(gate, name)
    plan = context.plan(change)
    assert plan.full_recompute == (name == "move a period")  # the only change recomputed in full
    if name == "move a summit in time":  # the date bounds and the period move with the date
        moved = {(q.predicate.value.rsplit("/", 1)[-1], q.object.value) for q in plan.inferred_adds}
        assert ("earliestDate", "1995-05-05") in moved
        assert ("fallsInPeriod", "https://w3id.org/otsgraph/resource/period-independence") in moved
    base = {
        (q.subject, q.predicate, q.object)
        for g in REASONED
        for q in gate.store.quads_for_pattern(None, None, None, g)
    }
    entering = {(q.subject, q.predicate, q.object) for q in plan.quad_adds if q.graph_name in REASONED} - base
    removed = {(q.subject, q.predicate, q.object) for q in plan.quad_removes if q.graph_name in REASONED}
    still = {(q.subject, q.predicate, q.object) for q in _remaining(gate.store, plan.quad_removes)}
    base = (base - removed) | (removed & still)
    reasoned = reason_triples(base | entering, set(context.ontology))
    inferred_before = {
        (q.subject, q.predicate, q.object) for q in gate.store.quads_for_pattern(None, None, None, INFERRED)
    }
    expected_adds = (reasoned.inferred - base - entering) - inferred_before
    expected_removes = inferred_before - (reasoned.inferred - base - entering)
    assert {(q.subject, q.predicate, q.object) for q in plan.inferred_adds} == expected_adds
    assert {(q.subject, q.predicate, q.object) for q in plan.inferred_removes} == expected_removes
    # the same inconsistencies about the touched nodes
    full = {i.message for i in reasoned.closure.inconsistencies}
    assert {i.message for i in plan.inconsistencies} <= full
    touched_full = {
        i.message for i in reasoned.closure.inconsistencies if any(t[0] in plan.focus for t in i.triples)
    }
    assert touched_full <= {i.message for i in plan.inconsistencies}


def _remaining(store, removes) -> list:
    """Removed triples some other reasoned graph still holds."""
    gone = set(removes)
    return [
        q
        for r in removes
        for q in store.quads_for_pattern(r.subject, r.predicate, r.object)
        if q.graph_name in REASONED and q not in gone
    ]


def test_incremental_equals_full_on_generated_data(tmp_path):
    """A generated graph (every class the generator makes), with a change to each kind of node."""
    sys.path.insert(0, str(REPO / "bench"))
    from generate import write_project
    from otsgraph.gate.commands import seed_store
    from otsgraph.gate.gate import Gate, load_shapes

    root = write_project(tmp_path / "project", REPO, 3000)
    layout = Layout(root)
    seed_store(tmp_path / "store", layout)
    gate = Gate(ox.Store(str(tmp_path / "store")), layout, shapes=load_shapes(layout))
    update = """
    PREFIX ots: <https://w3id.org/otsgraph/ontology/> PREFIX res: <https://w3id.org/otsgraph/resource/>
    PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    DELETE { res:gen-fig-3 ots:value ?v } INSERT { res:gen-fig-3 ots:value "12"^^xsd:decimal ;
        ots:unit res:unit-usd-typo .
      res:gen-term-4 ots:holder res:gen-state-0 .
      res:gen-city-5 ots:inCountry res:gen-person-5 . }
    WHERE { res:gen-fig-3 ots:value ?v }
    """
    context = gate.context
    plan = context.plan(change_from_update(gate.store, update))
    before = visible_triples(gate.store)
    after = plan.view.applied_to(before)
    incremental = set(context.validate_nodes(plan.view, plan.focus))
    full_before, full_after = full_findings(context, before), full_findings(context, after)
    touched = _text(plan.focus)
    assert incremental == {f for f in full_after if f.focus in touched}
    assert incremental  # the change does break shapes
    assert {f for f in full_before if f.focus not in touched} == {
        f for f in full_after if f.focus not in touched
    }


_ = (LAYOUT, shapes)
