"""The gate's own promises, with answers written by hand (for `make mutate MODULE=gate`, docs/testing.md):
a change refused by the non-SHACL checks alone is refused by commit too (not only by check), the
report counts what the change adds and removes and how many nodes it touched, carries the time it
took, and the log's summary defaults to what the change does."""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest

from gate_support import SUBMISSIONS, gate_on, seeded_store_dir, snapshot
from otsgraph.gate.change import change_from_quads
from otsgraph.gate.gate import Rejected
from otsgraph.gate.submission import read_file

RES = "https://w3id.org/otsgraph/resource/"
OTS = "https://w3id.org/otsgraph/ontology/"


@pytest.fixture
def gate(tmp_path, tmp_path_factory):
    return gate_on(seeded_store_dir(tmp_path, tmp_path_factory.getbasetemp()))


def unsourced_fact() -> list[ox.Quad]:
    """A fact in the asserted default graph, outside any claim graph: only checks.py refuses it
    ("Fact without provenance"); the shapes have nothing against it."""
    return [
        ox.Quad(
            ox.NamedNode(RES + "summit-tc-2013-gabala"),
            ox.NamedNode(OTS + "heldIn"),
            ox.NamedNode(RES + "bishkek"),
            ox.DefaultGraph(),
        )
    ]


def test_a_change_only_the_provenance_check_refuses_is_refused_by_commit_and_changes_nothing(gate):
    change = change_from_quads(unsourced_fact())
    checked = gate.check(change)
    assert not checked.conforms
    assert [f.message.split(":")[0] for f in checked.findings if f.severity == "Violation"] == [
        "Fact without provenance"
    ]
    before = snapshot(gate.store)
    with pytest.raises(Rejected) as refused:
        gate.commit(change, "mallory")
    assert [f.key() for f in refused.value.report.findings] == [f.key() for f in checked.findings]
    assert snapshot(gate.store) == before and gate.log() == []


def test_a_report_counts_the_quads_added_and_removed_and_the_nodes_touched(gate):
    quads = read_file(SUBMISSIONS / "summit.trig")
    report = gate.check(change_from_quads(quads))
    assert (report.added, report.removed) == (len(quads), 0) == (10, 0)
    assert report.touched > 0
    accepted = gate.commit(change_from_quads(quads), "alice")
    assert (accepted.added, accepted.removed, accepted.touched) == (10, 0, report.touched)
    date = [q for q in quads if q.predicate.value.endswith("date")]
    removal = gate.check(change_from_quads([], date))
    assert (removal.added, removal.removed) == (0, 1)


def test_a_commit_reports_its_time_and_an_empty_one_too(gate):
    started = time.perf_counter()
    accepted = gate.commit(change_from_quads(read_file(SUBMISSIONS / "summit.trig")), "alice")
    assert 0 < accepted.timings["commit"] <= time.perf_counter() - started  # the time it took, no more
    started = time.perf_counter()
    again = gate.commit(change_from_quads(read_file(SUBMISSIONS / "summit.trig")), "alice")  # nothing new
    assert again.change_id is None
    assert 0 < again.timings["commit"] <= time.perf_counter() - started
    assert isinstance(gate.check(change_from_quads([])).timings["check"], float)


def test_the_logged_summary_defaults_to_what_the_change_does(gate):
    gate.commit(change_from_quads(read_file(SUBMISSIONS / "summit.trig")), "alice")
    gate.commit(change_from_quads(read_file(SUBMISSIONS / "city.ttl")), "bob", "a city")
    assert [(r.who, r.summary) for r in gate.log()] == [("alice", "add 10 quads"), ("bob", "a city")]
