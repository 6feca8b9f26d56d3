"""The write gate's API on real on-disk stores: what it catches, what it writes, the log, revert, reset."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib

from gate_support import (
    LAYOUT,
    SUBMISSIONS,
    additions,
    audit,
    gate_on,
    graph,
    inferred,
    ots,
    res,
    seeded_store_dir,
    snapshot,
)
from otsgraph.core.graphs import ADDITIONS, ASSERTED, INFERRED
from otsgraph.gate.change import change_from_quads, change_from_update
from otsgraph.gate.gate import Rejected
from otsgraph.gate.seed import seed_from_sources
from otsgraph.gate.submission import read_file

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture
def store_dir(tmp_path, tmp_path_factory):
    return seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp())


def submission(name: str):
    return change_from_quads(read_file(SUBMISSIONS / name))


def test_a_valid_submission_conforms_and_is_committed_with_its_inferences(store_dir):
    gate = gate_on(store_dir)
    report = gate.commit(submission("summit.trig"), "alice", "a new summit")
    assert report.conforms and report.change_id
    summit = res("summit-tc-2025-gabala")
    assert (summit, ots("heldIn"), res("gabala")) in additions(gate.store)
    claim = ox.NamedNode("https://w3id.org/otsgraph/claim/added-gabala-2025")
    assert (summit, ots("heldIn"), res("gabala")) in graph(gate.store, claim)
    # reasoning updated: the chain heldIn ∘ inCountry gives the host country, the date its bounds
    assert (summit, ots("hostCountry"), res("azerbaijan")) in inferred(gate.store)
    assert (summit, RDF_TYPE, ots("Event")) in inferred(gate.store)
    assert any(p == ots("earliestDate") for s, p, _ in inferred(gate.store) if s == summit)
    [record] = gate.log()
    assert record.who == "alice" and record.summary == "a new summit" and record.id == report.change_id
    full = gate.record(report.change_id)  # the logged quads: exactly what was written
    assert len(full.added_asserted) == record.added_count > 0
    assert {(q.subject, q.predicate, q.object) for q in full.added_asserted if q.graph_name == ADDITIONS} == (
        additions(gate.store)
    )


def test_the_served_default_union_includes_additions(store_dir):
    gate = gate_on(store_dir)
    gate.commit(submission("summit.trig"), "alice")
    from otsgraph.core.store import query

    ask = "ASK { <https://w3id.org/otsgraph/resource/summit-tc-2025-gabala> ?p ?o }"
    assert bool(query(gate.store, ask))  # the default union (store.DEFAULT_GRAPHS) holds graph:additions
    assert not bool(gate.store.query(ask))  # while the store's own default graph stays empty


def _kinds(report) -> dict[str, list]:
    found: dict[str, list] = {}
    for f in report.findings:
        found.setdefault(f.kind, []).append(f)
    return found


def test_every_problem_of_issue_5_is_named(store_dir):
    gate = gate_on(store_dir)
    report = gate.check(submission("problems.trig"))
    assert not report.conforms
    kinds = _kinds(report)
    messages = [f.message for f in report.findings]
    # a fact without provenance: the claim graph has no source, and a fact outside any claim
    assert any(f.focus.endswith("claim/nosource") for f in kinds["provenance"])
    assert any(
        f.focus.endswith("resource/astana") and f.path.endswith("inCountry") for f in kinds["provenance"]
    )
    # a typo in a property name, with the nearest term suggested
    assert any("ots:particpant" in m and "Did you mean ots:participant?" in m for m in messages)
    # an undeclared entity (a typo in an IRI), with the nearest entity suggested
    assert any("res:astna" in m and "Did you mean res:astana?" in m for m in messages)
    # an impossible date, by the gate and by the shape
    assert any(f.kind == "literal" and "2023-02-30" in f.value for f in report.findings)
    assert any(f.shape and f.shape.endswith("shapes/date") for f in report.findings)
    # missing labels (the summit has only an English one)
    labels = {
        f.shape.rsplit("/", 1)[-1] for f in report.findings if f.focus.endswith("summit-bad") and f.shape
    }
    assert {"labelKk", "labelRu"} <= labels
    # reasoning first: a person typed a state is in two disjoint classes; a city gets a second country
    reasoning = [f.message for f in kinds["reasoning"]]
    assert any("disjoint" in m and "nursultan-nazarbayev" in m for m in reasoning)
    assert any("functional-property" in m and "res:astana" in m for m in reasoning)


def test_a_literal_of_the_wrong_datatype_is_reported(store_dir):
    report = gate_on(store_dir).check(submission("datatype.trig"))
    assert not report.conforms
    wrong = [f for f in report.findings if f.kind == "literal" and "Wrong datatype" in f.message]
    assert wrong and wrong[0].path.endswith("ordinal") and "xsd:positiveInteger" in wrong[0].message
    assert any("2010-13-01" in (f.value or "") and "Impossible value" in f.message for f in report.findings)


def test_a_rejected_change_leaves_the_store_exactly_as_it_was(store_dir):
    gate = gate_on(store_dir)
    before = snapshot(gate.store)
    with pytest.raises(Rejected) as rejected:
        gate.commit(submission("problems.trig"), "mallory")
    assert not rejected.value.report.conforms
    assert snapshot(gate.store) == before
    assert gate.log() == []


def test_a_fact_outside_a_claim_graph_is_rejected_but_a_declaration_is_accepted(store_dir):
    gate = gate_on(store_dir)
    fact = ox.Quad(res("bishkek"), ots("inCountry"), res("kyrgyzstan"), ox.DefaultGraph())
    report = gate.check(change_from_quads([ox.Quad(res("gabala"), ots("locatedIn"), res("caspian-region"))]))
    assert any(f.kind == "provenance" for f in report.findings)
    assert gate.check(submission("city.ttl")).conforms  # type and labels only: an entity declaration
    # bishkek's country is already asserted (with its claim): not a new fact, so no provenance is asked
    assert not [f for f in gate.check(change_from_quads([fact])).findings if f.kind == "provenance"]


def test_additions_survive_a_rebuild_of_the_shipped_graphs(store_dir):
    from otsgraph.core.loading import load_sources

    gate = gate_on(store_dir)
    gate.commit(submission("summit.trig"), "alice")
    summit = res("summit-tc-2025-gabala")
    added, claims = additions(gate.store), graph(gate.store, _claim("added-gabala-2025"))
    seed_from_sources(gate.store, load_sources(LAYOUT))  # what `otsgraph build` does
    assert additions(gate.store) == added
    assert graph(gate.store, _claim("added-gabala-2025")) == claims
    assert (summit, ots("hostCountry"), res("azerbaijan")) in inferred(gate.store)  # recomputed
    assert len(gate.log()) == 1


def _claim(name: str) -> ox.NamedNode:
    return ox.NamedNode("https://w3id.org/otsgraph/claim/" + name)


def test_reset_drops_additions_and_the_log_and_restores_the_inferences(store_dir):
    gate = gate_on(store_dir)
    before = snapshot(gate.store)
    gate.commit(submission("summit.trig"), "alice")
    assert gate.reset() > 0
    assert snapshot(gate.store) == before
    assert gate.log() == [] and not additions(gate.store) and not audit(gate.store)


@pytest.mark.parametrize("name", ["summit.trig", "summit-numbered.trig"])  # the second has a blank node
def test_revert_undoes_a_change_by_a_new_logged_change(store_dir, name):
    """Also when the change holds a blank node and a number the store keeps in canonical form
    ("12"^^xsd:positiveInteger is stored as xsd:integer)."""
    gate = gate_on(store_dir)
    data_before = {q for q in snapshot(gate.store) if q.graph_name != ADDITIONS}
    first = gate.commit(submission(name), "alice")
    second = gate.revert(first.change_id, "bob")
    assert second.conforms and second.change_id
    records = gate.log()
    assert [r.who for r in records] == ["alice", "bob"] and records[1].summary == f"revert {first.change_id}"
    from gate_support import AUDIT

    after = {q for q in snapshot(gate.store) if q.graph_name not in (ADDITIONS, AUDIT)}
    assert after == {q for q in data_before if q.graph_name != AUDIT}
    # and the revert can itself be reverted
    gate.revert(second.change_id, "carol")
    assert (res("summit-tc-2025-gabala"), ots("heldIn"), res("gabala")) in additions(gate.store)


def test_deleting_a_fact_a_shape_requires_is_rejected(store_dir):
    gate = gate_on(store_dir)
    update = (
        "DELETE DATA { <https://w3id.org/otsgraph/resource/summit-tc-2012-bishkek> "
        "<https://w3id.org/otsgraph/ontology/heldIn> <https://w3id.org/otsgraph/resource/bishkek> }"
    )
    change = change_from_update(gate.store, update)
    assert change.remove and not change.add
    before = snapshot(gate.store)
    with pytest.raises(Rejected) as rejected:
        gate.commit(change, "alice")
    assert any(
        f.focus.endswith("summit-tc-2012-bishkek") and (f.path or "").endswith("heldIn")
        for f in rejected.value.report.findings
    )
    assert snapshot(gate.store) == before


def test_an_accepted_deletion_removes_the_fact_everywhere_and_updates_the_inferences(store_dir):
    gate = gate_on(store_dir)
    gate.commit(read_change("city-in-country.trig"), "alice")
    shusha = res("shusha")
    assert (shusha, ots("locatedIn"), res("azerbaijan")) in inferred(gate.store)
    update = (
        "DELETE WHERE { <https://w3id.org/otsgraph/resource/shusha> "
        "<https://w3id.org/otsgraph/ontology/inCountry> ?state }"
    )
    report = gate.commit(change_from_update(gate.store, update), "alice")
    assert report.conforms  # the city shape only warns about a missing country
    assert not list(gate.store.quads_for_pattern(shusha, ots("inCountry"), None))
    assert (shusha, ots("locatedIn"), res("azerbaijan")) not in inferred(gate.store)


def read_change(name: str):
    return submission(name)


def test_an_update_to_the_default_graph_changes_the_asserted_data(store_dir):
    gate = gate_on(store_dir)
    update = (
        "PREFIX ots: <https://w3id.org/otsgraph/ontology/> PREFIX res: <https://w3id.org/otsgraph/resource/> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        'INSERT DATA { res:shusha a ots:City ; rdfs:label "Shusha"@en, "Шуша"@kk, "Шуша"@ru }'
    )
    change = change_from_update(gate.store, update)
    assert {q.graph_name for q in change.add} == {ox.DefaultGraph()}
    gate.commit(change, "alice")
    assert (res("shusha"), RDF_TYPE, ots("City")) in additions(gate.store)
    assert not list(gate.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def test_writes_to_read_only_graphs_are_rejected(store_dir):
    gate = gate_on(store_dir)
    quad = ox.Quad(res("astana"), ots("locatedIn"), res("europe"), INFERRED)
    report = gate.check(change_from_quads([quad]))
    assert not report.conforms and report.findings[0].kind == "graph"
    assert "read-only" in report.findings[0].message


def test_an_inferred_triple_that_becomes_asserted_leaves_the_inferred_graph(store_dir):
    gate = gate_on(store_dir)
    summit = res("summit-tc-2012-bishkek")
    event_type = (summit, RDF_TYPE, ots("Event"))
    assert event_type in inferred(gate.store) and event_type not in graph(gate.store, ASSERTED)
    gate.commit(change_from_quads([ox.Quad(*event_type, ox.DefaultGraph())]), "alice")
    assert event_type in additions(gate.store) and event_type not in inferred(gate.store)


def test_the_turtle_report_is_a_shacl_validation_report(store_dir):
    report = gate_on(store_dir).check(submission("problems.trig"))
    graph_ = rdflib.Graph().parse(data=report.to_turtle(), format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    [node] = list(graph_.subjects(rdflib.RDF.type, sh.ValidationReport))
    assert graph_.value(node, sh.conforms).toPython() is False
    results = list(graph_.objects(node, sh.result))
    assert len(results) == len(report.findings)
    for r in results:
        assert graph_.value(r, sh.focusNode) is not None and graph_.value(r, sh.resultSeverity) is not None
    data = json.loads(report.to_json())
    assert data["conforms"] is False
    assert data["counts"]["violation"] == report.count("Violation")
    assert sum(len(group["results"]) for group in data["results"]) == len(report.findings)


def test_the_text_report_is_grouped_by_focus_node_with_labels_and_counts(store_dir):
    text = gate_on(store_dir).check(submission("problems.trig")).to_text("problems.trig")
    assert "res:nursultan-nazarbayev  “Nursultan Nazarbayev”" in text
    assert text.count("\nres:summit-bad") == 1  # one group per focus node
    assert text.strip().splitlines()[-1].startswith("does not conform: ")
    assert "violations" in text.strip().splitlines()[-1]
