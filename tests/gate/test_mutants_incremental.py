"""The write gate's incremental planning (incremental.py) on tiny in-memory stores, every answer written
out by hand: which quads a client change adds and removes in which graphs, what enters and leaves
graph:inferred (incrementally and in a full recompute), the focus set, the exact findings (message,
focus, value, severity, kind, label) of a write to a read-only graph or to a shipped claim and of an
inconsistency, `labelled`'s choice of label, `recompute_inferred`'s counts and graph, the IRI
shortening in messages, `Plan.is_empty` and View lookups.

Written for `make mutate MODULE=incremental` (docs/testing.md): the gate tests compare incremental
answers with full ones or check that a change is refused, so a refusal with the wrong message, a
label picked from the wrong language, a removed inference counted twice or a full recompute that
wrote its inferences to the default graph went unnoticed. The ontology here is eight axioms, the
shapes one node shape: the whole file runs in well under a second.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from otsgraph.core.graphs import ADDITIONS, ASSERTED, AUDIT, INFERRED, LABELS, ONTOLOGY, PROVENANCE
from otsgraph.gate import plan as incremental
from otsgraph.gate.change import Change
from otsgraph.gate.plan import Context, Plan, _short_term, _short_terms
from otsgraph.gate.view import View
from otsgraph.validation import shacl
from otsgraph.validation.reads import ShapeReads, shape_reads
from otsgraph.validation.report import Finding

OTS = "https://w3id.org/otsgraph/ontology/"
RES = "https://w3id.org/otsgraph/resource/"
G = "https://w3id.org/otsgraph/graph/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SH = "http://www.w3.org/ns/shacl#"
TIME = "http://www.w3.org/2006/time#"
TYPE = ox.NamedNode(RDF + "type")
LABEL = ox.NamedNode(RDFS + "label")
DEFAULT = ox.DefaultGraph()
CLAIM_NEW = ox.NamedNode("https://w3id.org/otsgraph/claim/mine")
CLAIM_SHIPPED = ox.NamedNode("https://w3id.org/otsgraph/claim/shipped-1")
CLAIM_OTHER = ox.NamedNode("https://w3id.org/otsgraph/claim/other")

READ_ONLY_TAIL = (
    ": it is read-only (the ontology is edited in ontology/ and rebuilt; graph:inferred is recomputed "
    "from the asserted data; the change log is written by the gate)."
)
SHIPPED_TAIL = (
    ": it is a claim of the shipped data, and its quote would seem to support the new fact. Put new facts "
    "in a claim graph of their own, with its source."
)


def ots(name: str) -> ox.NamedNode:
    return ox.NamedNode(OTS + name)


def res(name: str) -> ox.NamedNode:
    return ox.NamedNode(RES + name)


def rdfs(name: str) -> ox.NamedNode:
    return ox.NamedNode(RDFS + name)


def owl(name: str) -> ox.NamedNode:
    return ox.NamedNode(OWL + name)


def sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


ONTOLOGY_AXIOMS = [
    (ots("Person"), rdfs("subClassOf"), ots("Agent")),
    (ots("parentOf"), owl("inverseOf"), ots("childOf")),
    (ots("parentOf"), rdfs("subPropertyOf"), ots("ancestorOf")),
    (ots("ancestorOf"), TYPE, owl("TransitiveProperty")),
    (ots("parentOf"), rdfs("domain"), ots("Person")),
    (ots("parentOf"), rdfs("range"), ots("Person")),
    (ots("code"), TYPE, owl("FunctionalProperty")),
    (ots("Cat"), owl("disjointWith"), ots("Person")),
]

# one node shape: a Person needs an ots:name ("Needs a name.")
SHAPE_NODE = ox.NamedNode("https://w3id.org/otsgraph/shapes/PersonShape")
NAME_PROPERTY = ox.BlankNode("nameprop")
SHAPES = [
    (SHAPE_NODE, TYPE, sh("NodeShape")),
    (SHAPE_NODE, sh("targetClass"), ots("Person")),
    (SHAPE_NODE, sh("property"), NAME_PROPERTY),
    (NAME_PROPERTY, sh("path"), ots("name")),
    (
        NAME_PROPERTY,
        sh("minCount"),
        ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ),
    (NAME_PROPERTY, sh("message"), ox.Literal("Needs a name.")),
]


def text(term) -> str:
    """A term in a short hand-readable form: res:x, ots:x, a (rdf:type), graph:x, "literal"."""
    if isinstance(term, ox.NamedNode):
        if term == TYPE:
            return "a"
        for prefix, iri in (
            ("res:", RES),
            ("ots:", OTS),
            ("graph:", G),
            ("claim:", "https://w3id.org/otsgraph/claim/"),
        ):
            if term.value.startswith(iri):
                return prefix + term.value[len(iri) :]
        return term.value
    if isinstance(term, ox.DefaultGraph):
        return "default"
    return str(term)


def quads(found) -> set[str]:
    return {" ".join(text(x) for x in (q.subject, q.predicate, q.object, q.graph_name)) for q in found}


def triples(found) -> set[str]:
    return {" ".join(text(x) for x in t) for t in found}


def graph(store: ox.Store, name) -> set[str]:
    return triples(
        (q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, name)
    )


def make_store(**graphs) -> ox.Store:
    """The ontology above, plus graphs given as name=list of triples (asserted, additions, inferred…)."""
    names = {
        "asserted": ASSERTED,
        "additions": ADDITIONS,
        "labels": LABELS,
        "inferred": INFERRED,
        "provenance": PROVENANCE,
        "audit": AUDIT,
        "ontology": ONTOLOGY,
    }
    store = ox.Store()
    store.extend([ox.Quad(*t, ONTOLOGY) for t in ONTOLOGY_AXIOMS])
    for name, found in graphs.items():
        g = names.get(name) or ox.NamedNode("https://w3id.org/otsgraph/claim/" + name)
        store.extend([ox.Quad(*t, g) for t in found])
    return store


def closure_of_a_parent_of_b() -> list[tuple]:
    """What graph:inferred holds for res:a ots:parentOf res:b under the ontology above (by hand)."""
    a, b = res("a"), res("b")
    return [
        (a, ots("ancestorOf"), b),
        (a, TYPE, ots("Person")),
        (a, TYPE, ots("Agent")),
        (b, ots("childOf"), a),
        (b, TYPE, ots("Person")),
        (b, TYPE, ots("Agent")),
    ]


def q(s, p, o, g=DEFAULT) -> ox.Quad:
    return ox.Quad(s, p, o, g)


# ---- Plan.is_empty ------------------------------------------------------------------------------


@pytest.mark.parametrize("part", ["quad_adds", "quad_removes", "inferred_adds", "inferred_removes"])
def test_a_plan_with_any_one_part_is_not_empty(part):
    plan = Plan(**{part: [q(res("a"), ots("p"), res("b"), ADDITIONS)]})
    assert plan.is_empty() is False


def test_a_plan_with_only_findings_new_graphs_or_focus_is_empty():
    plan = Plan(findings=[Finding("x", None, None, "m")], new_graphs={CLAIM_NEW}, focus={res("a")})
    assert plan.is_empty() is True


# ---- mapping a client change to quads -----------------------------------------------------------


def test_adding_to_each_read_only_graph_is_refused_with_its_message():
    store = make_store()
    context = Context(store, [])
    plan = context.plan(
        Change(
            add=[
                q(ots("X"), rdfs("subClassOf"), ots("Y"), ONTOLOGY),
                q(res("a"), TYPE, ots("Person"), INFERRED),
                q(res("a"), LABEL, ox.Literal("A", language="en"), AUDIT),
            ]
        )
    )
    assert plan.findings == [
        Finding(
            OTS + "X",
            RDFS + "subClassOf",
            f"<{OTS}Y>",
            f"Cannot add to <{G}ontology>" + READ_ONLY_TAIL,
            "Violation",
            None,
            "graph",
        ),
        Finding(
            RES + "a",
            RDF + "type",
            f"<{OTS}Person>",
            f"Cannot add to <{G}inferred>" + READ_ONLY_TAIL,
            "Violation",
            None,
            "graph",
        ),
        Finding(
            RES + "a",
            RDFS + "label",
            '"A"@en',
            f"Cannot add to <{G}audit>" + READ_ONLY_TAIL,
            "Violation",
            None,
            "graph",
        ),
    ]
    assert plan.quad_adds == [] and plan.submitted == [] and plan.is_empty()


def test_removing_from_a_read_only_graph_is_refused_with_its_message():
    store = make_store(inferred=closure_of_a_parent_of_b())
    context = Context(store, [])
    plan = context.plan(Change(remove=[q(res("a"), TYPE, ots("Person"), INFERRED)]))
    assert plan.findings == [
        Finding(
            RES + "a",
            RDF + "type",
            f"<{OTS}Person>",
            f"Cannot remove from <{G}inferred>" + READ_ONLY_TAIL,
            "Violation",
            None,
            "graph",
        )
    ]
    assert plan.quad_removes == []


def test_removing_from_the_default_graph_what_only_the_inferred_graph_or_the_ontology_holds_is_refused():
    store = make_store(asserted=[(res("a"), ots("parentOf"), res("b"))], inferred=closure_of_a_parent_of_b())
    context = Context(store, [])
    plan = context.plan(
        Change(
            remove=[
                q(res("b"), TYPE, ots("Person")),  # inferred only
                q(ots("Person"), rdfs("subClassOf"), ots("Agent")),  # ontology only
            ]
        )
    )
    assert plan.findings == [
        Finding(
            RES + "b",
            RDF + "type",
            f"<{OTS}Person>",
            f"Cannot remove from <{G}inferred>" + READ_ONLY_TAIL,
            "Violation",
            None,
            "graph",
        ),
        Finding(
            OTS + "Person",
            RDFS + "subClassOf",
            f"<{OTS}Agent>",
            f"Cannot remove from <{G}ontology>" + READ_ONLY_TAIL,
            "Violation",
            None,
            "graph",
        ),
    ]
    assert plan.quad_removes == []


def test_adding_to_a_shipped_claim_is_refused_and_an_undescribed_claim_is_not():
    store = make_store(
        provenance=[(CLAIM_SHIPPED, ots("quote"), ox.Literal("they met"))],
        **{"shipped-1": [(res("a"), ots("met"), res("b"))], "other": [(res("x"), ots("met"), res("y"))]},
    )
    context = Context(store, [])
    plan = context.plan(
        Change(
            add=[
                q(res("a"), ots("met"), res("c"), CLAIM_SHIPPED),
                q(res("a"), ots("met"), res("d"), CLAIM_SHIPPED),
                q(res("x"), ots("met"), res("z"), CLAIM_OTHER),
            ]
        )
    )
    message = "Cannot add to <https://w3id.org/otsgraph/claim/shipped-1>" + SHIPPED_TAIL
    assert plan.findings == [
        Finding(RES + "a", OTS + "met", f"<{RES}c>", message, "Violation", None, "graph"),
        Finding(RES + "a", OTS + "met", f"<{RES}d>", message, "Violation", None, "graph"),
    ]
    assert quads(plan.quad_adds) == {"res:x ots:met res:z graph:additions", "res:x ots:met res:z claim:other"}
    assert quads(plan.submitted) == {"res:x ots:met res:z claim:other"}
    assert plan.new_graphs == set()


def test_adding_to_a_new_claim_graph_adds_it_to_the_additions_and_names_the_new_graph():
    store = make_store(asserted=[(res("a"), ots("met"), res("b"))])
    context = Context(store, [])
    plan = context.plan(
        Change(
            add=[
                q(res("a"), ots("met"), res("b"), CLAIM_NEW),  # already asserted: only the claim quad
                q(res("a"), ots("met"), res("c"), CLAIM_NEW),
                q(res("a"), ots("met"), res("e")),  # the default graph: graph:additions
                q(res("a"), ots("met"), res("b")),  # already asserted: nothing
            ]
        )
    )
    assert plan.findings == []
    assert quads(plan.quad_adds) == {
        "res:a ots:met res:b claim:mine",
        "res:a ots:met res:c claim:mine",
        "res:a ots:met res:c graph:additions",
        "res:a ots:met res:e graph:additions",
    }
    assert len(plan.quad_adds) == 4
    assert plan.new_graphs == {CLAIM_NEW}
    assert len(plan.submitted) == 4
    assert plan.quad_removes == []


def test_removing_from_the_default_graph_removes_from_every_asserted_graph_and_claim_that_holds_it():
    t = (res("a"), ots("met"), res("b"))
    store = make_store(asserted=[t], labels=[t], additions=[t], mine=[t], audit=[t], inferred=[t])
    context = Context(store, [])
    plan = context.plan(Change(remove=[q(*t)]))
    assert plan.findings == []
    assert quads(plan.quad_removes) == {
        "res:a ots:met res:b graph:asserted",
        "res:a ots:met res:b graph:labels",
        "res:a ots:met res:b graph:additions",
        "res:a ots:met res:b claim:mine",
    }
    assert len(plan.quad_removes) == 4


def test_removing_a_claim_takes_the_fact_out_of_the_asserted_data_unless_another_claim_holds_it():
    one, two = (res("a"), ots("met"), res("b")), (res("a"), ots("met"), res("c"))
    store = make_store(asserted=[one, two], mine=[one, two], other=[two])
    context = Context(store, [])
    plan = context.plan(
        Change(
            remove=[
                q(*one, CLAIM_NEW),
                q(*two, CLAIM_NEW),
                q(res("a"), ots("met"), res("zzz"), CLAIM_NEW),  # not held: nothing
            ]
        )
    )
    assert quads(plan.quad_removes) == {
        "res:a ots:met res:b claim:mine",
        "res:a ots:met res:b graph:asserted",
        "res:a ots:met res:c claim:mine",
    }
    assert len(plan.quad_removes) == 3
    assert plan.findings == []


def test_a_fact_added_and_removed_in_one_change_is_not_added():
    store = make_store(additions=[(res("a"), ots("met"), res("b"))])
    context = Context(store, [])
    t = (res("a"), ots("met"), res("b"))
    plan = context.plan(Change(add=[q(*t, ADDITIONS)], remove=[q(*t)]))
    assert plan.quad_adds == []
    assert quads(plan.quad_removes) == {"res:a ots:met res:b graph:additions"}


# ---- exact changes (a revert) -------------------------------------------------------------------


def test_an_exact_change_skips_quads_already_stored_and_removes_only_stored_ones():
    stored = (res("a"), ots("met"), res("b"))
    store = make_store(additions=[stored], asserted=[(res("x"), ots("met"), res("y"))])
    context = Context(store, [])
    plan = context.plan(
        Change(
            add=[
                q(*stored, ADDITIONS),  # stored: skipped
                q(res("a"), ots("met"), res("c"), ADDITIONS),  # another object
                q(res("z"), ots("met"), res("b"), ADDITIONS),  # another subject
                q(res("a"), ots("saw"), res("b"), ADDITIONS),  # another predicate
                q(*stored, ASSERTED),  # another graph
                q(*stored, ASSERTED),  # twice: once
            ],
            remove=[
                q(*stored, ASSERTED),  # not in that graph: nothing
                q(res("x"), ots("met"), res("y"), ADDITIONS),  # not in that graph: nothing
                q(res("x"), ots("met"), res("y"), ASSERTED),
            ],
            exact=True,
        )
    )
    assert [text(x) for x in plan.quad_adds[0]] == ["res:a", "ots:met", "res:c", "graph:additions"]
    assert quads(plan.quad_adds) == {
        "res:a ots:met res:c graph:additions",
        "res:z ots:met res:b graph:additions",
        "res:a ots:saw res:b graph:additions",
        "res:a ots:met res:b graph:asserted",
    }
    assert len(plan.quad_adds) == 4
    assert quads(plan.quad_removes) == {"res:x ots:met res:y graph:asserted"}


# ---- reasoning ----------------------------------------------------------------------------------


def test_an_addition_is_forward_chained_into_graph_inferred():
    store = make_store(asserted=[(res("a"), ots("parentOf"), res("b"))], inferred=closure_of_a_parent_of_b())
    context = Context(store, [])
    plan = context.plan(Change(add=[q(res("b"), ots("parentOf"), res("c"))]))
    assert plan.full_recompute is False
    assert quads(plan.quad_adds) == {"res:b ots:parentOf res:c graph:additions"}
    assert quads(plan.inferred_adds) == {
        "res:b ots:ancestorOf res:c graph:inferred",
        "res:a ots:ancestorOf res:c graph:inferred",
        "res:c ots:childOf res:b graph:inferred",
        "res:c a ots:Person graph:inferred",
        "res:c a ots:Agent graph:inferred",
    }
    assert plan.inferred_removes == []
    assert plan.focus == {res("a"), res("b"), res("c")}
    assert plan.inconsistencies == []


def test_a_removal_takes_out_what_is_no_longer_derived_and_keeps_what_still_is():
    ab, cb = (res("a"), ots("parentOf"), res("b")), (res("c"), ots("parentOf"), res("b"))
    inferred = [
        *closure_of_a_parent_of_b(),
        (res("c"), ots("ancestorOf"), res("b")),
        (res("c"), TYPE, ots("Person")),
        (res("c"), TYPE, ots("Agent")),
        (res("b"), ots("childOf"), res("c")),
    ]
    store = make_store(asserted=[ab, cb], inferred=inferred)
    context = Context(store, [])
    plan = context.plan(Change(remove=[q(*ab)]))
    assert quads(plan.quad_removes) == {"res:a ots:parentOf res:b graph:asserted"}
    assert plan.inferred_adds == []
    # b stays a Person (c is still its parent)
    assert quads(plan.inferred_removes) == {
        "res:a ots:ancestorOf res:b graph:inferred",
        "res:a a ots:Person graph:inferred",
        "res:a a ots:Agent graph:inferred",
        "res:b ots:childOf res:a graph:inferred",
    }
    assert plan.focus == {res("a"), res("b")}


def test_asserting_an_inferred_triple_moves_it_out_of_graph_inferred():
    store = make_store(asserted=[(res("a"), ots("parentOf"), res("b"))], inferred=closure_of_a_parent_of_b())
    context = Context(store, [])
    plan = context.plan(Change(add=[q(res("a"), TYPE, ots("Person"))]))
    assert quads(plan.quad_adds) == {"res:a a ots:Person graph:additions"}
    assert plan.inferred_adds == []
    assert quads(plan.inferred_removes) == {"res:a a ots:Person graph:inferred"}


def test_a_period_date_recomputes_the_closure_in_full_into_graph_inferred():
    """time:hasBeginning is read by the period rule: a full recompute, its quads in graph:inferred."""
    a, b = res("a"), res("b")
    store = make_store(
        asserted=[(a, ots("parentOf"), b), (res("z"), TYPE, ots("Cat")), (res("z"), TYPE, ots("Person"))],
        inferred=[*closure_of_a_parent_of_b(), (res("z"), TYPE, ots("Agent"))],
    )
    context = Context(store, [])
    plan = context.plan(
        Change(
            add=[
                q(res("c"), ots("parentOf"), res("d")),
                q(res("p"), ox.NamedNode(TIME + "hasBeginning"), res("i")),
                q(b, TYPE, ots("Cat")),
            ],
            remove=[q(a, ots("parentOf"), b)],
        )
    )
    assert plan.full_recompute is True
    assert quads(plan.inferred_adds) == {
        "res:c ots:ancestorOf res:d graph:inferred",
        "res:c a ots:Person graph:inferred",
        "res:c a ots:Agent graph:inferred",
        "res:d ots:childOf res:c graph:inferred",
        "res:d a ots:Person graph:inferred",
        "res:d a ots:Agent graph:inferred",
    }
    assert quads(plan.inferred_removes) == {
        "res:a ots:ancestorOf res:b graph:inferred",
        "res:a a ots:Person graph:inferred",
        "res:a a ots:Agent graph:inferred",
        "res:b ots:childOf res:a graph:inferred",
        "res:b a ots:Person graph:inferred",
        "res:b a ots:Agent graph:inferred",
    }
    assert plan.focus == {a, b, res("c"), res("d"), res("p")}
    # z's clash was there before and is not in the focus: only b's is reported... and b is no Person now
    assert plan.inconsistencies == []


def test_a_full_recompute_reports_the_inconsistencies_of_the_focus_nodes_only():
    a, b = res("a"), res("b")
    store = make_store(
        asserted=[(a, ots("parentOf"), b), (res("z"), TYPE, ots("Cat")), (res("z"), TYPE, ots("Person"))],
        inferred=[*closure_of_a_parent_of_b(), (res("z"), TYPE, ots("Agent"))],
    )
    context = Context(store, [])
    plan = context.plan(
        Change(
            add=[
                q(res("p"), ox.NamedNode(TIME + "hasBeginning"), res("i")),
                q(b, ots("code"), ox.Literal("1")),
            ]
        )
    )
    assert plan.full_recompute is True
    assert plan.inconsistencies == []
    plan = context.plan(
        Change(add=[q(res("p"), ox.NamedNode(TIME + "hasBeginning"), res("i")), q(b, TYPE, ots("Cat"))])
    )
    assert plan.full_recompute is True
    assert len(plan.inconsistencies) == 1
    (found,) = plan.inconsistencies
    assert found.kind == "disjoint-classes"
    assert triples(found.triples) == {"res:b a ots:Cat", "res:b a ots:Person"}


# ---- findings -----------------------------------------------------------------------------------


def test_an_inconsistency_is_a_finding_with_short_terms_and_the_clashing_triples():
    store = make_store(
        asserted=[
            (res("a"), ots("code"), ox.Literal("1")),
            (res("a"), LABEL, ox.Literal("Aa", language="en")),
        ]
    )
    context = Context(store, [])
    plan = context.plan(Change(add=[q(res("a"), ots("code"), ox.Literal("2"))]))
    assert len(plan.inconsistencies) == 1
    assert context.validate_touched(plan) == [
        Finding(
            RES + "a",
            OTS + "code",
            '"1"',
            "Inconsistent (functional-property): res:a has 2 values of the functional property ots:code. "
            'The triples that clash: res:a ots:code "1"; res:a ots:code "2"',
            "Violation",
            None,
            "reasoning",
            None,
            "Aa",
        )
    ]


def test_validate_touched_keeps_the_planning_findings_and_adds_the_shape_results_with_labels():
    store = make_store(asserted=[(res("a"), LABEL, ox.Literal("Ay", language="kk"))])
    context = Context(store, SHAPES)
    plan = context.plan(
        Change(add=[q(res("a"), TYPE, ots("Person")), q(res("x"), TYPE, ots("Person"), INFERRED)])
    )
    assert plan.focus == {res("a")}
    assert context.validate_touched(plan) == [
        Finding(
            RES + "x",
            RDF + "type",
            f"<{OTS}Person>",
            f"Cannot add to <{G}inferred>" + READ_ONLY_TAIL,
            "Violation",
            None,
            "graph",
        ),
        Finding(
            RES + "a",
            OTS + "name",
            None,
            "Needs a name.",
            "Violation",
            SHAPE_NODE.value,
            "shape",
            SH + "MinCountConstraintComponent",
            "Ay",
        ),
    ]


# ---- labelled -----------------------------------------------------------------------------------


def finding(focus: str) -> Finding:
    return Finding(focus, None, None, "m")


def test_labelled_prefers_english_then_the_first_label_in_order():
    store = make_store(
        asserted=[
            (res("a"), LABEL, ox.Literal("Zeta", language="en")),
            (res("a"), LABEL, ox.Literal("Alpha", language="en")),
            (res("a"), LABEL, ox.Literal("Aaa", language="ru")),
            (res("a"), LABEL, ox.Literal("AAA", language="kk")),
            (res("a"), LABEL, res("not-a-literal")),
            (res("b"), LABEL, ox.Literal("Bee", language="ru")),
            (res("b"), LABEL, ox.Literal("Ba", language="kk")),
            (res("b"), ots("name"), ox.Literal("A name is no label")),
            (res("c"), ots("name"), ox.Literal("A name is no label")),
        ],
        audit=[(res("c"), LABEL, ox.Literal("not visible", language="en"))],
    )
    context = Context(store, [])
    view = View(store)
    assert context.labelled(finding(RES + "a"), view).label == "Alpha"
    assert context.labelled(finding(RES + "b"), view).label == "Ba"
    assert context.labelled(finding(RES + "c"), view).label is None
    assert context.labelled(finding(RES + "c"), view) == finding(RES + "c")
    one = make_store(asserted=[(res("d"), LABEL, ox.Literal("Dee"))])
    assert context.labelled(finding(RES + "d"), View(one)).label == "Dee"


def test_labelled_reads_blank_nodes_and_the_change_and_leaves_other_foci_alone():
    node = ox.BlankNode("b1")
    store = ox.Store()
    store.add(ox.Quad(node, LABEL, ox.Literal("Blank", language="en"), ASSERTED))
    context = Context(store, [])
    view = View(store)
    assert context.labelled(finding("_:b1"), view).label == "Blank"
    view.add((res("n"), LABEL, ox.Literal("New", language="en")))
    assert context.labelled(finding(RES + "n"), view).label == "New"
    for focus in ("not an iri", '"a literal"'):
        assert context.labelled(finding(focus), view) == finding(focus)


# ---- recompute_inferred -------------------------------------------------------------------------


def test_recompute_inferred_counts_and_writes_the_new_closure():
    store = make_store(
        asserted=[(res("a"), ots("parentOf"), res("b"))],
        additions=[(res("b"), ots("parentOf"), res("c"))],
        labels=[(res("b"), LABEL, ox.Literal("B"))],
        audit=[(res("x"), ots("parentOf"), res("y"))],  # not reasoned
        inferred=[(res("a"), TYPE, ots("Person")), (res("z"), TYPE, ots("Agent"))],  # one right, one stale
    )
    context = Context(store, [])
    assert context.recompute_inferred() == (10, 1)
    assert graph(store, INFERRED) == {
        "res:a ots:ancestorOf res:b",
        "res:a ots:ancestorOf res:c",
        "res:b ots:ancestorOf res:c",
        "res:b ots:childOf res:a",
        "res:c ots:childOf res:b",
        "res:a a ots:Person",
        "res:a a ots:Agent",
        "res:b a ots:Person",
        "res:b a ots:Agent",
        "res:c a ots:Person",
        "res:c a ots:Agent",
    }
    assert graph(store, AUDIT) == {"res:x ots:parentOf res:y"}
    assert len(store) == 8 + 1 + 1 + 1 + 1 + 11
    assert context.recompute_inferred() == (0, 0)


def test_recompute_inferred_reads_the_ontology_again():
    store = make_store(asserted=[(res("a"), ots("parentOf"), res("b"))], inferred=closure_of_a_parent_of_b())
    context = Context(store, [])
    assert context.tbox.superclasses[ots("Agent")] == set()
    store.add(ox.Quad(ots("Agent"), rdfs("subClassOf"), ots("Thing"), ONTOLOGY))
    assert context.recompute_inferred() == (2, 0)
    assert context.tbox.superclasses[ots("Agent")] == {ots("Thing")}
    assert (ots("Agent"), rdfs("subClassOf"), ots("Thing")) in context.ontology
    assert graph(store, INFERRED) >= {"res:a a ots:Thing", "res:b a ots:Thing"}


# ---- the View -----------------------------------------------------------------------------------


def test_the_view_lays_the_change_over_the_visible_graphs():
    a, b, c = res("a"), res("b"), res("c")
    store = make_store(
        asserted=[(a, ots("met"), b), (a, ots("met"), c)],
        inferred=[(a, TYPE, ots("Agent"))],
        audit=[(a, ots("met"), res("hidden"))],
    )
    view = View(store)
    assert view.in_triples(b) == {(a, ots("met"), b)}
    assert view.out_triples(a) == {(a, ots("met"), b), (a, ots("met"), c), (a, TYPE, ots("Agent"))}
    view.remove((a, ots("met"), b))
    view.add((res("d"), ots("met"), c))
    assert view.in_triples(b) == set()
    assert view.in_triples(c) == {(a, ots("met"), c), (res("d"), ots("met"), c)}
    assert view.objects(a, ots("met")) == {c}
    assert view.subjects(ots("met"), c) == {a, res("d")}
    assert view.has((res("d"), ots("met"), c)) and not view.has((a, ots("met"), b))
    assert view.has((a, TYPE, ots("Agent"))) and not view.has((a, ots("met"), res("hidden")))
    assert view.into(ox.Literal("x")) == {}
    only_asserted = View(store, [ASSERTED])
    assert only_asserted.objects(a, TYPE) == set()


# ---- IRIs shortened in messages -----------------------------------------------------------------


def test_short_terms_shortens_known_namespaces_in_angle_brackets_only():
    message = (
        f"<{RES}astana> is both <{OTS}Event> and <http://example.org/X>, "
        f"see <{RES}a/b> and <urn:x>; {RES}bare stays; a < b > c; <{RES}x y>"
    )
    assert _short_terms(message) == (
        "res:astana is both ots:Event and <http://example.org/X>, "
        f"see <{RES}a/b> and <urn:x>; {RES}bare stays; a < b > c; <{RES}x y>"  # res:a/b is no prefixed name
    )
    assert _short_terms("") == ""
    assert _short_terms(f"<{OWL}Nothing><{RDFS}label>") == "owl:Nothingrdfs:label"


def test_short_term_shortens_iris_and_writes_other_terms_as_n_triples():
    assert _short_term(res("astana")) == "res:astana"
    assert _short_term(ox.NamedNode("http://example.org/X")) == "<http://example.org/X>"
    assert _short_term(ox.Literal("Астана", language="kk")) == '"Астана"@kk'
    assert _short_term(ox.Literal("1")) == '"1"'
    assert _short_term(ox.BlankNode("b1")) == "_:b1"


def test_the_module_names_its_read_only_refusal_by_verb():
    found = incremental._read_only(q(res("a"), LABEL, ox.Literal("A"), INFERRED), "remove from")
    assert found == Finding(
        RES + "a",
        RDFS + "label",
        '"A"',
        f"Cannot remove from <{G}inferred>" + READ_ONLY_TAIL,
        "Violation",
        None,
        "graph",
    )
    shipped = incremental._shipped_claim(q(res("a"), LABEL, ox.Literal("A", language="en"), CLAIM_SHIPPED))
    assert shipped == Finding(
        RES + "a",
        RDFS + "label",
        '"A"@en',
        "Cannot add to <https://w3id.org/otsgraph/claim/shipped-1>" + SHIPPED_TAIL,
        "Violation",
        None,
        "graph",
    )


# ---- the other rules, incrementally -------------------------------------------------------------

MORE_AXIOMS = [
    (ots("spouse"), TYPE, owl("SymmetricProperty")),
    (ots("grandparentOf"), owl("propertyChainAxiom"), ox.BlankNode("l1")),
    (ox.BlankNode("l1"), ox.NamedNode(RDF + "first"), ots("parentOf")),
    (ox.BlankNode("l1"), ox.NamedNode(RDF + "rest"), ox.BlankNode("l2")),
    (ox.BlankNode("l2"), ox.NamedNode(RDF + "first"), ots("parentOf")),
    (ox.BlankNode("l2"), ox.NamedNode(RDF + "rest"), ox.NamedNode(RDF + "nil")),
    (ots("Kazakh"), owl("onProperty"), ots("citizenOf")),
    (ots("Kazakh"), owl("hasValue"), res("kz")),
    (ots("passport"), TYPE, owl("InverseFunctionalProperty")),
]


def more_store(asserted=(), inferred=()) -> ox.Store:
    store = ox.Store()
    store.extend([ox.Quad(*t, ONTOLOGY) for t in MORE_AXIOMS])
    store.extend([ox.Quad(*t, ASSERTED) for t in asserted])
    store.extend([ox.Quad(*t, INFERRED) for t in inferred])
    return store


def test_symmetric_chain_and_has_value_rules_fire_on_an_addition():
    a, b, c = res("a"), res("b"), res("c")
    store = more_store(asserted=[(a, ots("parentOf"), b)])
    context = Context(store, [])
    plan = context.plan(
        Change(
            add=[
                q(b, ots("parentOf"), c),
                q(a, ots("spouse"), res("s")),
                q(a, ots("citizenOf"), res("kz")),
                q(res("k"), TYPE, ots("Kazakh")),
                q(res("k"), ots("citizenOf"), res("fr")),
            ]
        )
    )
    assert plan.full_recompute is False
    assert quads(plan.inferred_adds) == {
        "res:a ots:grandparentOf res:c graph:inferred",
        "res:s ots:spouse res:a graph:inferred",
        "res:a a ots:Kazakh graph:inferred",
        "res:k ots:citizenOf res:kz graph:inferred",
    }
    assert plan.focus == {a, b, res("s"), res("k")}


@pytest.mark.parametrize(
    ("removed", "still_derived"),
    [
        ((res("a"), ots("spouse"), res("b")), "res:a ots:spouse res:b"),  # from b spouse a
        ((res("a"), TYPE, ots("Kazakh")), "res:a a ots:Kazakh"),  # from a citizenOf kz
        ((res("a"), ots("citizenOf"), res("kz")), "res:a ots:citizenOf res:kz"),  # from a a Kazakh
        ((res("a"), ots("grandparentOf"), res("c")), "res:a ots:grandparentOf res:c"),  # from the chain
    ],
)
def test_removing_an_asserted_triple_that_a_rule_still_concludes_moves_it_to_graph_inferred(
    removed, still_derived
):
    a, b, c = res("a"), res("b"), res("c")
    asserted = [
        (a, ots("spouse"), b),
        (b, ots("spouse"), a),
        (a, TYPE, ots("Kazakh")),
        (a, ots("citizenOf"), res("kz")),
        (a, ots("parentOf"), b),
        (b, ots("parentOf"), c),
        (a, ots("grandparentOf"), c),
    ]
    store = more_store(asserted=asserted)
    context = Context(store, [])
    plan = context.plan(Change(remove=[q(*removed)]))
    assert len(plan.quad_removes) == 1
    assert quads(plan.inferred_adds) == {still_derived + " graph:inferred"}
    assert plan.inferred_removes == []


def test_removing_a_chain_link_takes_the_chain_out_of_graph_inferred():
    a, b, c = res("a"), res("b"), res("c")
    store = more_store(
        asserted=[(a, ots("parentOf"), b), (b, ots("parentOf"), c), (b, ots("spouse"), c)],
        inferred=[(a, ots("grandparentOf"), c), (c, ots("spouse"), b)],
    )
    context = Context(store, [])
    plan = context.plan(Change(remove=[q(b, ots("parentOf"), c), q(b, ots("spouse"), c)]))
    assert quads(plan.inferred_removes) == {
        "res:a ots:grandparentOf res:c graph:inferred",
        "res:c ots:spouse res:b graph:inferred",
    }
    assert plan.inferred_adds == []
    assert plan.focus == {a, b, c}


def test_an_inverse_functional_clash_on_a_node_is_found_incrementally():
    store = more_store(asserted=[(res("a"), ots("passport"), res("p1"))])
    context = Context(store, [])
    plan = context.plan(Change(add=[q(res("b"), ots("passport"), res("p1"))]))
    assert [(i.kind, i.message) for i in plan.inconsistencies] == [
        (
            "inverse-functional-property",
            f"<{RES}p1> is the value of the inverse-functional <{OTS}passport> for 2 nodes",
        )
    ]
    assert triples(plan.inconsistencies[0].triples) == {
        "res:a ots:passport res:p1",
        "res:b ots:passport res:p1",
    }


def test_an_inverse_functional_clash_on_a_literal_is_found_incrementally():
    """A bug found by mutation testing: View.into() skips literals, so this clash went unreported."""
    store = more_store(asserted=[(res("a"), ots("passport"), ox.Literal("P1"))])
    context = Context(store, [])
    plan = context.plan(Change(add=[q(res("b"), ots("passport"), ox.Literal("P1"))]))
    assert [i.kind for i in plan.inconsistencies] == ["inverse-functional-property"]


def test_the_gate_refuses_two_subjects_sharing_a_literal_inverse_functional_value():
    from otsgraph.core.loading import Layout
    from otsgraph.gate.gate import Gate

    store = more_store(asserted=[(res("a"), ots("passport"), ox.Literal("P1"))])
    gate = Gate(store, Layout(Path(__file__).resolve().parents[2]), shapes=[])
    report = gate.check(Change(add=[q(res("b"), ots("passport"), ox.Literal("P1"))]))
    assert report.conforms is False
    assert [(f.kind, f.path, f.value, f.severity) for f in report.findings if f.kind == "reasoning"] == [
        ("reasoning", OTS + "passport", '"P1"', "Violation")
    ]
    [finding] = [f for f in report.findings if f.kind == "reasoning"]
    assert finding.message == (
        'Inconsistent (inverse-functional-property): "P1" is the value of the inverse-functional '
        'ots:passport for 2 nodes. The triples that clash: res:a ots:passport "P1"; res:b ots:passport "P1"'
    )


def test_a_type_clash_with_owl_nothing_and_disjoint_classes_is_reported_without_a_value():
    store = make_store(asserted=[(res("a"), TYPE, ots("Person"))])
    context = Context(store, [])
    plan = context.plan(Change(add=[q(res("a"), TYPE, ots("Cat")), q(res("n"), TYPE, owl("Nothing"))]))
    found = sorted(context.validate_touched(plan), key=lambda f: f.focus)
    assert [(f.focus, f.path, f.value, f.kind, f.severity) for f in found] == [
        (RES + "a", RDF + "type", None, "reasoning", "Violation"),
        (RES + "n", RDF + "type", f"<{OWL}Nothing>", "reasoning", "Violation"),
    ]
    assert found[0].message in {
        "Inconsistent (disjoint-classes): res:a is both ots:Cat and ots:Person, which are disjoint. "
        "The triples that clash: res:a rdf:type ots:Cat; res:a rdf:type ots:Person",
        "Inconsistent (disjoint-classes): res:a is both ots:Person and ots:Cat, which are disjoint. "
        "The triples that clash: res:a rdf:type ots:Person; res:a rdf:type ots:Cat",
    }
    assert found[1].message == (
        "Inconsistent (nothing): res:n is a member of owl:Nothing. "
        "The triples that clash: res:n rdf:type owl:Nothing"
    )


# ---- what the shapes read, and which nodes a change touches ------------------------------------


def shape(*props) -> list[tuple]:
    """A node shape on ots:Person with property shapes given as (blank id, [(predicate, object)])."""
    node = ox.NamedNode("https://w3id.org/otsgraph/shapes/S")
    found = [(node, sh("targetClass"), ots("Person"))]
    for blank, pairs in props:
        found.append((node, sh("property"), ox.BlankNode(blank)))
        found += [(ox.BlankNode(blank), p, o) for p, o in pairs]
    return found


def test_shape_reads_follow_class_node_and_sequence_paths():
    seq1, seq2 = ox.BlankNode("seq1"), ox.BlankNode("seq2")
    nested = ox.NamedNode("https://w3id.org/otsgraph/shapes/Nested")
    shapes = [
        *shape(
            ("p1", [(sh("path"), ots("knows")), (sh("class"), ots("Person"))]),
            ("p2", [(sh("path"), ots("home")), (sh("node"), nested)]),
            ("p3", [(sh("path"), seq1)]),
            ("p4", [(sh("path"), ots("name")), (sh("minCount"), ox.Literal("1"))]),
        ),
        (nested, sh("property"), ox.BlankNode("n1")),
        (ox.BlankNode("n1"), sh("path"), ots("country")),
        (ox.BlankNode("n1"), sh("minCount"), ox.Literal("1")),
        (seq1, ox.NamedNode(RDF + "first"), ots("memberOf")),
        (seq1, ox.NamedNode(RDF + "rest"), seq2),
        (seq2, ox.NamedNode(RDF + "first"), ots("label")),
        (seq2, ox.NamedNode(RDF + "rest"), ox.NamedNode(RDF + "nil")),
    ]
    reads = shape_reads(shacl.ShapesGraph(shapes))
    assert reads.unbounded is False
    assert reads.deep == {
        ots("knows"): {TYPE},
        ots("home"): {ots("country")},
        ots("memberOf"): {ots("label")},
    }
    assert reads.readers(TYPE) == [ots("knows")]
    assert reads.readers(ots("country")) == [ots("home")]
    assert reads.readers(ots("name")) == []


def test_an_inverse_path_makes_every_neighbour_count():
    inverse = ox.BlankNode("inv")
    shapes = [*shape(("p1", [(sh("path"), inverse)])), (inverse, sh("inversePath"), ots("knows"))]
    reads = shape_reads(shacl.ShapesGraph(shapes))
    assert reads.unbounded is True


def test_shape_reads_add_keeps_none_for_any_predicate():
    reads = ShapeReads()
    reads.add(ots("p"), set())
    assert reads.deep == {}
    reads.add(ots("p"), {TYPE})
    reads.add(ots("p"), {ots("name")})
    assert reads.deep == {ots("p"): {TYPE, ots("name")}}
    reads.add(ots("q"), None)
    reads.add(ots("q"), {TYPE})
    assert reads.deep[ots("q")] is None
    assert sorted(reads.readers(ots("other")), key=str) == [ots("q")]
    assert sorted(reads.readers(TYPE), key=str) == [ots("p"), ots("q")]


def test_changing_what_a_shape_reads_on_a_value_touches_the_nodes_that_point_to_it():
    shapes = shape(("p1", [(sh("path"), ots("knows")), (sh("class"), ots("Person"))]))
    x, y, w = res("x"), res("y"), res("w")
    store = make_store(
        asserted=[
            (w, ots("knows"), x),
            (x, ots("knows"), y),
            (x, TYPE, ots("Person")),
            (w, TYPE, ots("Person")),
        ],
        inferred=[(x, TYPE, ots("Agent")), (w, TYPE, ots("Agent"))],
    )
    context = Context(store, shapes)
    plan = context.plan(Change(add=[q(y, TYPE, ots("Cat"))]))
    assert plan.focus == {y, x}  # x reads y's type; w reads x's type, which did not change
    found = context.validate_touched(plan)
    assert [(f.focus, f.path, f.value, f.component) for f in found] == [
        (RES + "x", OTS + "knows", f"<{RES}y>", SH + "ClassConstraintComponent")
    ]
    assert context.neighbourhood(plan.view, {w}) == {
        (w, ots("knows"), x),
        (w, TYPE, ots("Person")),
        (w, TYPE, ots("Agent")),
        (x, ots("knows"), y),
        (x, TYPE, ots("Person")),
        (x, TYPE, ots("Agent")),
        (y, TYPE, ots("Cat")),
    }


def test_a_literal_value_gets_no_range_inverse_or_chain_inference():
    store = make_store()
    context = Context(store, [])
    plan = context.plan(Change(add=[q(res("a"), ots("parentOf"), ox.Literal("x"))]))
    assert quads(plan.inferred_adds) == {
        'res:a ots:ancestorOf "x" graph:inferred',
        "res:a a ots:Person graph:inferred",
        "res:a a ots:Agent graph:inferred",
    }


def test_the_view_answers_the_same_whether_a_node_was_read_before_or_after_the_change():
    a, b, c = res("a"), res("b"), res("c")
    store = make_store(asserted=[(a, ots("met"), b)])
    fresh = View(store)
    fresh.remove((a, ots("met"), b))
    fresh.add((a, ots("met"), c))
    assert fresh.subjects(ots("met"), b) == set() and fresh.objects(a, ots("met")) == {c}
    assert fresh.subjects(ots("met"), c) == {a}
    read_first = View(store)
    assert read_first.subjects(ots("met"), c) == set() and read_first.objects(a, ots("met")) == {b}
    assert read_first.subjects(ots("met"), b) == {a}
    read_first.remove((a, ots("met"), b))
    read_first.add((a, ots("met"), c))
    assert read_first.subjects(ots("met"), b) == set() and read_first.objects(a, ots("met")) == {c}
    assert read_first.subjects(ots("met"), c) == {a}


def test_with_an_inverse_path_a_change_touches_neighbours_both_ways():
    inverse = ox.BlankNode("inv")
    shapes = [
        *shape(("p1", [(sh("path"), inverse), (sh("maxCount"), ox.Literal("1"))])),
        (inverse, sh("inversePath"), ots("knows")),
    ]
    w, x, y, far = res("w"), res("x"), res("y"), res("far")
    far2, far3 = res("far2"), res("far3")
    store = make_store(
        asserted=[
            (w, ots("knows"), x),
            (y, ots("near"), far),
            (far, ots("near"), far2),
            (far2, ots("near"), far3),  # three hops from y, the added value: in; far3's next: out
            (far3, ots("near"), res("far4")),
            (x, TYPE, ots("Person")),
        ]
    )
    context = Context(store, shapes)
    plan = context.plan(Change(add=[q(x, ots("knows"), y)]))
    # three rounds out and in from x and y, through the ontology too (it is visible)
    assert plan.focus == {
        x,
        y,
        w,
        far,
        far2,
        far3,
        ots("Person"),
        ots("Agent"),
        ots("Cat"),
        ots("parentOf"),
        ots("childOf"),
        ots("ancestorOf"),
    }
    assert context.neighbourhood(plan.view, {y}) >= {(x, ots("knows"), y), (y, ots("near"), far)}


def rdf_list(head: str, *members: ox.NamedNode) -> list[tuple]:
    """An RDF list of shape nodes, its cells blank nodes named head0, head1, …"""
    cells = [ox.BlankNode(f"{head}{i}") for i in range(len(members))]
    triples = []
    for i, (cell, member) in enumerate(zip(cells, members, strict=True)):
        triples.append((cell, ox.NamedNode(RDF + "first"), member))
        rest = cells[i + 1] if i + 1 < len(cells) else ox.NamedNode(RDF + "nil")
        triples.append((cell, ox.NamedNode(RDF + "rest"), rest))
    return triples


@pytest.mark.parametrize("logical", ["or", "and", "xone"])
def test_shape_reads_follow_each_logical_constraint_into_its_members(logical):
    """A value shape reached through sh:or, sh:and or sh:xone reads what its members read."""
    member = ox.NamedNode("https://w3id.org/otsgraph/shapes/Member")
    shapes = [
        *shape(("p1", [(sh("path"), ots("home")), (sh(logical), ox.BlankNode("l0"))])),
        *rdf_list("l", member),
        (member, sh("property"), ox.BlankNode("m1")),
        (ox.BlankNode("m1"), sh("path"), ots("country")),
        (ox.BlankNode("m1"), sh("minCount"), ox.Literal("1")),
    ]
    reads = shape_reads(shacl.ShapesGraph(shapes))
    assert reads.deep == {ots("home"): {ots("country")}}


@pytest.mark.parametrize("pair", ["lessThan", "lessThanOrEquals", "equals", "disjoint"])
def test_a_property_pair_constraint_reads_the_other_property_of_the_node(pair):
    """sh:lessThan and its kin compare a path's values with another property of the same node: on a
    node reached along ots:event (through sh:node), a change to either property must count."""
    nested = ox.NamedNode("https://w3id.org/otsgraph/shapes/Nested")
    shapes = [
        *shape(("p1", [(sh("path"), ots("event")), (sh("node"), nested)])),
        (nested, sh("property"), ox.BlankNode("n1")),
        (ox.BlankNode("n1"), sh("path"), ots("begins")),
        (ox.BlankNode("n1"), sh(pair), ots("ends")),
    ]
    reads = shape_reads(shacl.ShapesGraph(shapes))
    assert reads.deep == {ots("event"): {ots("begins"), ots("ends")}}
    assert reads.readers(ots("ends")) == [ots("event")]
