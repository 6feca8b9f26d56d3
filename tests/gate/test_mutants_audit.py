"""The change log (audit.py) on an in-memory store, with every value written out by hand: the counts,
who and what of a record, the three ways a change is applied, crash recovery, export and reset.
Written for `make mutate MODULE=audit` (docs/testing.md): the gate tests check that a change lands,
not what its record says (a record saying "removed 0" for a deletion of 2 triples went unnoticed)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox
import pytest

from otsgraph.gate import audit

G = "https://w3id.org/otsgraph/graph/"
ADDITIONS = ox.NamedNode(G + "additions")
AUDIT = ox.NamedNode(G + "audit")
JOURNAL = ox.NamedNode(G + "journal")
CLAIM = ox.NamedNode("https://w3id.org/otsgraph/claim/my-claim")
EX = "http://example.org/"
CHANGE = "https://w3id.org/otsgraph/change/"
A = "https://w3id.org/otsgraph/audit/"


def n(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def q(s: str, p: str, o, g=ADDITIONS) -> ox.Quad:
    return ox.Quad(n(s), n(p), o if not isinstance(o, str) else n(o), g)


@dataclass
class Plan:
    quad_adds: list = field(default_factory=list)
    quad_removes: list = field(default_factory=list)
    inferred_adds: list = field(default_factory=list)
    inferred_removes: list = field(default_factory=list)
    new_graphs: set = field(default_factory=set)


INFERRED = ox.NamedNode(G + "inferred")


def logged(store: ox.Store, change_id: str, predicate: str):
    values = [
        x.object
        for x in store.quads_for_pattern(
            ox.NamedNode(CHANGE + change_id), ox.NamedNode(predicate), None, AUDIT
        )
    ]
    assert len(values) == 1, values
    return values[0]


def test_a_new_record_counts_each_part_of_the_plan():
    plan = Plan(
        quad_adds=[q("a", "p", "b"), q("a", "p", "c"), q("a", "p", "d")],
        quad_removes=[q("x", "p", "y"), q("x", "p", "z")],
        inferred_adds=[q("a", "type", "T", INFERRED)],
        inferred_removes=[],
    )
    record = audit.new_record("alice", "add summit.trig", plan)
    assert (record.added_count, record.removed_count, record.inferred_added, record.inferred_removed) == (
        3,
        2,
        1,
        0,
    )
    assert (record.who, record.summary) == ("alice", "add summit.trig")
    assert re.fullmatch(r"\d{8}T\d{12}Z-[0-9a-f]{8}", record.id), record.id
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record.when), record.when
    assert record.id[:8] == record.when[:10].replace("-", "")
    assert record.iri == CHANGE + record.id
    assert sorted(map(str, record.added_asserted)) == sorted(map(str, plan.quad_adds))
    assert sorted(map(str, record.removed)) == sorted(map(str, plan.quad_removes))
    assert record.as_json() == {
        "id": record.id,
        "when": record.when,
        "who": "alice",
        "summary": "add summit.trig",
        "added": 3,
        "removed": 2,
        "inferredAdded": 1,
        "inferredRemoved": 0,
    }


def test_two_records_made_one_after_the_other_sort_by_time():
    first = audit.new_record("a", "one", Plan())
    second = audit.new_record("a", "two", Plan())
    assert first.id < second.id


def test_an_empty_plan_logs_empty_texts():
    record = audit.new_record("bob", "nothing", Plan())
    assert (record.added_text, record.removed_text) == ("", "")
    assert (record.added_asserted, record.removed) == ([], [])


def test_the_logged_record_holds_the_counts_as_integers_and_the_agent():
    store = ox.Store()
    store.extend([q("x", "p", "y"), q("x", "p", "z")])
    plan = Plan(quad_adds=[q("a", "p", "b")], quad_removes=[q("x", "p", "y"), q("x", "p", "z")])
    record = audit.new_record("Alice Smith/2", "fix", plan)
    audit.apply(store, plan, record)
    integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    assert logged(store, record.id, A + "addedCount") == ox.Literal("1", datatype=integer)
    assert logged(store, record.id, A + "removedCount") == ox.Literal("2", datatype=integer)
    assert logged(store, record.id, A + "inferredAdded") == ox.Literal("0", datatype=integer)
    assert logged(store, record.id, A + "inferredRemoved") == ox.Literal("0", datatype=integer)
    agent = ox.NamedNode("https://w3id.org/otsgraph/agent/Alice%20Smith%2F2")
    assert logged(store, record.id, "http://www.w3.org/ns/prov#wasAssociatedWith") == agent
    assert logged(store, record.id, "http://www.w3.org/2000/01/rdf-schema#comment") == ox.Literal("fix")
    assert logged(store, record.id, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") == ox.NamedNode(
        "http://www.w3.org/ns/prov#Activity"
    )
    assert logged(store, record.id, "http://www.w3.org/ns/prov#endedAtTime") == ox.Literal(
        record.when, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
    )
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    assert [x.object for x in store.quads_for_pattern(agent, label, None, AUDIT)] == [
        ox.Literal("Alice Smith/2")
    ]
    assert ox.Quad(
        agent,
        ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("http://www.w3.org/ns/prov#Agent"),
        AUDIT,
    ) in set(store)


def test_reading_a_record_back_gives_what_was_logged():
    store = ox.Store()
    store.extend([q("x", "p", "y"), q("x", "p", "z")])
    plan = Plan(
        quad_adds=[q("a", "p", "b")],
        quad_removes=[q("x", "p", "y"), q("x", "p", "z")],
        inferred_adds=[q("a", "t", "T", INFERRED), q("b", "t", "T", INFERRED)],
        inferred_removes=[q("x", "t", "T", INFERRED)],
    )
    store.add(q("x", "t", "T", INFERRED))
    record = audit.new_record("alice", "swap", plan)
    audit.apply(store, plan, record)
    back = audit.record(store, record.id)
    assert (back.id, back.when, back.who, back.summary) == (record.id, record.when, "alice", "swap")
    assert (back.added_count, back.removed_count, back.inferred_added, back.inferred_removed) == (1, 2, 2, 1)
    assert [str(x) for x in back.added_asserted] == [str(q("a", "p", "b"))]
    assert sorted(map(str, back.removed)) == sorted(map(str, [q("x", "p", "y"), q("x", "p", "z")]))
    # the same by the full IRI
    assert audit.record(store, CHANGE + record.id).removed_count == 2
    # the list leaves the quads out but keeps the counts
    (listed,) = audit.records(store)
    assert (listed.added_count, listed.removed_count, listed.added_text, listed.removed_text) == (
        1,
        2,
        "",
        "",
    )
    assert listed.who == "alice"


def test_records_are_listed_oldest_first():
    store = ox.Store()
    ids = []
    for i in range(3):
        plan = Plan(quad_adds=[q(f"s{i}", "p", "o")])
        record = audit.new_record("alice", f"change {i}", plan)
        audit.apply(store, plan, record)
        ids.append(record.id)
    assert [r.id for r in audit.records(store)] == ids
    assert [r.summary for r in audit.records(store)] == ["change 0", "change 1", "change 2"]


def test_an_unknown_change_is_an_error():
    with pytest.raises(audit.UnknownChange):
        audit.record(ox.Store(), "20260101T000000000000Z-deadbeef")


def test_a_change_that_only_adds_lands_with_its_inferences_and_new_graphs():
    store = ox.Store()
    plan = Plan(
        quad_adds=[q("a", "p", "b", CLAIM)],
        inferred_adds=[q("a", "t", "T", INFERRED)],
        new_graphs={CLAIM},
    )
    record = audit.new_record("alice", "claim", plan)
    audit.apply(store, plan, record)
    assert q("a", "p", "b", CLAIM) in set(store)
    assert q("a", "t", "T", INFERRED) in set(store)
    assert audit.added_graphs(store) == [CLAIM]


def test_a_change_with_removals_and_no_blank_nodes_removes_and_adds():
    store = ox.Store()
    store.extend([q("x", "p", "y"), q("x", "p", "z"), q("x", "t", "T", INFERRED), q("keep", "p", "k")])
    plan = Plan(
        quad_adds=[q("x", "p", "w")],
        quad_removes=[q("x", "p", "y"), q("x", "p", "z")],
        inferred_removes=[q("x", "t", "T", INFERRED)],
    )
    audit.apply(store, plan, audit.new_record("alice", "edit", plan))
    data = {x for x in store if x.graph_name != AUDIT}
    assert data == {q("x", "p", "w"), q("keep", "p", "k")}


def test_a_change_with_removals_and_blank_nodes_goes_through_the_journal_and_leaves_none():
    store = ox.Store()
    blank = ox.BlankNode("b1")
    old = ox.Quad(blank, n("p"), n("y"), ADDITIONS)
    plain = q("x", "p", "y")
    store.extend([old, plain, q("keep", "p", "k")])
    plan = Plan(quad_adds=[ox.Quad(blank, n("p"), n("z"), ADDITIONS)], quad_removes=[old, plain])
    record = audit.new_record("alice", "edit", plan)
    audit.apply(store, plan, record)
    data = {x for x in store if x.graph_name not in (AUDIT,)}
    assert data == {ox.Quad(blank, n("p"), n("z"), ADDITIONS), q("keep", "p", "k")}
    assert audit.pending_changes(store) == []
    assert audit.record(store, record.id).removed_count == 2


def test_recover_rolls_an_interrupted_change_back():
    """A crash between the journal's two steps: the additions are in, the removals not yet done."""
    store = ox.Store()
    blank = ox.BlankNode("b1")
    before = [ox.Quad(blank, n("p"), n("y"), ADDITIONS), q("keep", "p", "k")]
    store.extend(before)
    added = [ox.Quad(blank, n("p"), n("z"), ADDITIONS), q("new", "p", "n")]
    removed = [ox.Quad(blank, n("p"), n("y"), ADDITIONS)]
    entry = ox.NamedNode(CHANGE + "20260101T000000000000Z-0000abcd/journal")
    store.extend(
        [
            ox.Quad(entry, ox.NamedNode(A + "pendingAdds"), ox.Literal(_nq(added)), JOURNAL),
            ox.Quad(entry, ox.NamedNode(A + "pendingRemoves"), ox.Literal(_nq(removed)), JOURNAL),
        ]
    )
    store.extend(added)
    store.remove(removed[0])  # half of the removals done
    assert audit.pending_changes(store) == ["20260101T000000000000Z-0000abcd"]
    assert audit.recover(store) == 1
    assert set(store) == set(before)
    assert audit.pending_changes(store) == []
    assert audit.recover(store) == 0


def _nq(quads) -> str:
    """The journal's format, N-Quads (written by pyoxigraph, not by audit.py)."""
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode()


def test_logged_numbers_read_back_as_the_store_holds_them():
    """A positiveInteger is stored as an integer, so a revert must look for the integer."""
    store = ox.Store()
    positive = ox.Literal("12", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#positiveInteger"))
    quad = q("a", "count", positive)
    store.add(quad)
    record = audit.new_record("a", "x", Plan(quad_removes=[quad]))
    (back,) = record.removed
    assert back in set(store)


def test_export_gives_claim_graphs_as_named_graphs_and_the_rest_in_the_default_graph():
    store = ox.Store()
    plan = Plan(quad_adds=[q("a", "p", "b", CLAIM), q("c", "p", "d")], new_graphs={CLAIM})
    audit.apply(store, plan, audit.new_record("alice", "x", plan))
    store.add(q("a", "p", "b"))  # the claim's triple is also in graph:additions
    got = set(ox.parse(audit.export(store), format=ox.RdfFormat.TRIG))
    assert got == {q("a", "p", "b", CLAIM), q("c", "p", "d", ox.DefaultGraph())}
    triples = set(ox.parse(audit.export(store, ox.RdfFormat.TURTLE), format=ox.RdfFormat.TURTLE))
    assert triples == {q("c", "p", "d", ox.DefaultGraph()), q("a", "p", "b", ox.DefaultGraph())}
    nq = set(ox.parse(audit.export(store, ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS))
    assert nq == got


def test_reset_drops_additions_claims_log_and_journal_and_counts_them():
    store = ox.Store()
    other = q("s", "p", "o", ox.NamedNode(G + "asserted"))
    store.add(other)
    plan = Plan(quad_adds=[q("a", "p", "b", CLAIM), q("c", "p", "d")], new_graphs={CLAIM})
    audit.apply(store, plan, audit.new_record("alice", "x", plan))
    store.add(ox.Quad(n("j"), n("p"), n("o"), JOURNAL))
    everything = len(store)
    assert audit.reset(store) == everything - 1  # all but the asserted triple
    assert set(store) == {other}


class Crash(Exception):
    """Raised by the hook: the write stops there, as a killed process would."""


def _crash_at(point: str):
    def hook(reached: str) -> None:
        if reached == point:
            raise Crash(point)

    return hook


def test_a_rollback_keeps_what_the_store_held_before_the_change():
    """Found by the server's crash test: a second change by the same person, rolled back after a
    crash between the journal's steps, removed the person's agent (which the first change's record
    also names), so the log showed the first change with no author. The journal lists only what the
    change newly writes, and only what it really removes."""
    store = ox.Store()
    first = Plan(quad_adds=[q("a", "p", "b")])
    audit.apply(store, first, first_record := audit.new_record("alice", "first", first))
    blank = ox.BlankNode("b1")
    already = q("a", "p", "b")  # the change also adds a quad the store holds
    second = Plan(
        quad_adds=[ox.Quad(blank, n("p"), n("z"), ADDITIONS), already], quad_removes=[q("gone", "p", "x")]
    )
    before = set(store)
    with pytest.raises(Crash):
        audit.apply(
            store, second, audit.new_record("alice", "second", second), _crash_at("between the steps")
        )
    assert audit.pending_changes(store) != []
    assert audit.recover(store) == 1
    assert set(store) == before
    assert audit.record(store, first_record.id).who == "alice"


def test_a_crash_before_the_write_writes_nothing():
    store = ox.Store()
    store.extend([q("x", "p", "y")])
    before = set(store)
    for plan in (
        Plan(quad_adds=[q("a", "p", "b")]),
        Plan(quad_adds=[q("a", "p", "b")], quad_removes=[q("x", "p", "y")]),
    ):
        with pytest.raises(Crash):
            audit.apply(store, plan, audit.new_record("bob", "edit", plan), _crash_at("before the write"))
        assert set(store) == before


def test_a_record_missing_its_counts_and_agent_reads_as_zero_and_nobody():
    """A record written without counts or agent (by hand, or by an older version) reads back with
    counts 0 and an empty author, not with made-up values."""
    store = ox.Store()
    change = ox.NamedNode(CHANGE + "20260101T000000000000Z-0000beef")
    store.add(
        ox.Quad(
            change,
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("http://www.w3.org/ns/prov#Activity"),
            AUDIT,
        )
    )
    [record] = audit.records(store)
    assert (record.added_count, record.removed_count, record.inferred_added, record.inferred_removed) == (
        0,
        0,
        0,
        0,
    )
    assert record.who == ""


def test_a_change_typed_outside_the_audit_graph_is_no_logged_change():
    """Only graph:audit says what was logged: the same triple written into the additions (a client may
    write any triple there) does not make a change that `record` (and so `revert`) would accept."""
    store = ox.Store()
    change_id = "20260101T000000000000Z-0000f00d"
    store.add(
        ox.Quad(
            ox.NamedNode(CHANGE + change_id),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("http://www.w3.org/ns/prov#Activity"),
            ADDITIONS,
        )
    )
    with pytest.raises(audit.UnknownChange):
        audit.record(store, change_id)
    assert audit.records(store) == []
