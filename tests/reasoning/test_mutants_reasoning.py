"""The reasoner's edges, with results written by hand (for `make mutate MODULE=reasoning`, docs/testing.md):
RDF lists as the ontology may hold them (whole, cut short, dangling), the TBox axioms the engine reads
(each one alone), and explanations."""

from __future__ import annotations

import itertools

import pyoxigraph as ox

from otsgraph.reasoning import engine as reasoning

EX = "http://example.org/m/"
PREFIXES = f"""@prefix ex: <{EX}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


RDFS_DOMAIN = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#domain")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")


def ex(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


def parse(text: str) -> set[tuple]:
    return {(q.subject, q.predicate, q.object) for q in ox.parse(PREFIXES + text, format=ox.RdfFormat.TURTLE)}


def chains(text: str) -> list[tuple[tuple, ox.NamedNode]]:
    return reasoning.compile_tbox(parse(text)).chains


# ---- RDF lists --------------------------------------------------------------------------------------


def test_a_whole_list_gives_its_items_in_order():
    assert chains("ex:c owl:propertyChainAxiom ( ex:a ex:b ex:d ) .") == [
        ((ex("a"), ex("b"), ex("d")), ex("c"))
    ]


def test_a_list_cut_short_by_a_missing_rest_keeps_the_items_before_the_cut():
    """ex:l2 has a first but no rest: the list stops after ex:l1's item and ex:l2's is not read."""
    text = """ex:c owl:propertyChainAxiom ex:l1 .
    ex:l1 rdf:first ex:a ; rdf:rest ex:l2 .
    ex:l2 rdf:first ex:b ."""
    assert chains(text) == [((ex("a"),), ex("c"))]


def test_a_list_node_without_a_first_stops_the_list():
    text = """ex:c owl:propertyChainAxiom ex:l1 .
    ex:l1 rdf:first ex:a ; rdf:rest ex:l2 .
    ex:l2 rdf:rest rdf:nil ."""
    assert chains(text) == [((ex("a"),), ex("c"))]


def test_a_list_whose_rest_points_nowhere_ends_there():
    """ex:l2 is named as a rest but has no triples at all: a dangling list is read up to it."""
    text = """ex:c owl:propertyChainAxiom ex:l1 .
    ex:l1 rdf:first ex:a ; rdf:rest ex:l2 ."""
    assert chains(text) == [((ex("a"),), ex("c"))]


def test_a_chain_with_an_empty_list_is_no_chain():
    assert chains("ex:c owl:propertyChainAxiom () .") == []


def test_a_chain_whose_head_has_no_triples_is_no_chain():
    assert chains("ex:c owl:propertyChainAxiom ex:nowhere .") == []


def test_all_disjoint_classes_pairs_every_member_and_a_short_list_gives_its_pairs():
    tbox = reasoning.compile_tbox(parse("[] a owl:AllDisjointClasses ; owl:members ( ex:A ex:B ex:C ) ."))
    assert tbox.disjoint_pairs == {
        frozenset((ex("A"), ex("B"))),
        frozenset((ex("A"), ex("C"))),
        frozenset((ex("B"), ex("C"))),
    }
    cut = """[] a owl:AllDisjointClasses ; owl:members ex:l1 .
    ex:l1 rdf:first ex:A ; rdf:rest ex:l2 . ex:l2 rdf:first ex:B ; rdf:rest ex:l3 . ex:l3 rdf:first ex:C ."""
    assert reasoning.compile_tbox(parse(cut)).disjoint_pairs == {frozenset((ex("A"), ex("B")))}


def test_members_without_the_all_disjoint_type_are_not_disjoint():
    assert reasoning.compile_tbox(parse("[] owl:members ( ex:A ex:B ) .")).disjoint_pairs == set()


# ---- the TBox, one axiom at a time -----------------------------------------------------------------


def test_each_axiom_lands_in_its_own_part_of_the_tbox_and_nowhere_else():
    tbox = reasoning.compile_tbox(
        parse(
            """ex:A rdfs:subClassOf ex:B . ex:C owl:equivalentClass ex:D .
            ex:p rdfs:subPropertyOf ex:q . ex:r owl:equivalentProperty ex:s .
            ex:p rdfs:domain ex:A . ex:p rdfs:range ex:B . ex:p owl:inverseOf ex:pi .
            ex:A owl:disjointWith ex:E . ex:t a owl:TransitiveProperty . ex:y a owl:SymmetricProperty .
            ex:f a owl:FunctionalProperty . ex:g a owl:InverseFunctionalProperty ."""
        )
    )
    assert dict(tbox.superclasses) == {ex("A"): {ex("B")}, ex("C"): {ex("D")}, ex("D"): {ex("C")}}
    assert dict(tbox.superproperties) == {ex("p"): {ex("q")}, ex("r"): {ex("s")}, ex("s"): {ex("r")}}
    assert dict(tbox.domains) == {ex("p"): {ex("A")}}
    assert dict(tbox.ranges) == {ex("p"): {ex("B")}}
    assert dict(tbox.inverses) == {ex("p"): {ex("pi")}, ex("pi"): {ex("p")}}
    assert tbox.disjoint_pairs == {frozenset((ex("A"), ex("E")))}
    assert tbox.transitive == {ex("t")}
    assert tbox.symmetric == {ex("y")}
    assert tbox.functional == {ex("f")}
    assert tbox.inverse_functional == {ex("g")}
    assert tbox.chains == [] and dict(tbox.has_value) == {}


def test_a_has_value_restriction_is_read_with_its_property_and_value():
    tbox = reasoning.compile_tbox(parse("ex:R owl:onProperty ex:p ; owl:hasValue ex:v ."))
    assert tbox.has_value == {ex("R"): (ex("p"), ex("v"))}
    assert dict(tbox.restrictions_with) == {(ex("p"), ex("v")): {ex("R")}}
    assert reasoning.compile_tbox(parse("ex:R owl:hasValue ex:v .")).has_value == {}
    assert reasoning.compile_tbox(parse("ex:R owl:onProperty ex:p .")).has_value == {}


# ---- explanations ----------------------------------------------------------------------------------


def test_an_explanation_walks_down_to_the_asserted_triples_with_depths_and_rules():
    triples = parse(
        """ex:heldIn rdfs:domain ex:Event . ex:Event rdfs:subClassOf ex:Occurrence .
        ex:s ex:heldIn ex:baku ."""
    )
    closure = reasoning.materialise(triples, reasoning.compile_tbox(triples))
    typed = (ex("s"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ex("Occurrence"))
    lines = closure.explain(typed, triples)
    event = (typed[0], typed[1], ex("Event"))
    assert lines == [
        (0, typed, "cax-sco"),
        (1, event, "prp-dom"),
        (2, (ex("s"), ex("heldIn"), ex("baku")), "asserted"),
        (2, (ex("heldIn"), RDFS_DOMAIN, ex("Event")), "asserted"),
        (1, (ex("Event"), SUBCLASS, ex("Occurrence")),
         "asserted"),
    ]  # fmt: skip


def test_a_triple_that_is_neither_asserted_nor_inferred_is_unknown():
    closure = reasoning.materialise(set(), reasoning.compile_tbox(set()))
    triple = (ex("a"), ex("p"), ex("b"))
    assert closure.explain(triple, set()) == [(0, triple, "unknown")]


def test_a_restriction_with_two_values_keeps_one_and_members_without_a_list_are_none():
    """Ill-formed axioms do not crash the TBox: a restriction with two owl:hasValue keeps one (the
    first read), and owl:AllDisjointClasses without owl:members makes no pair."""
    tbox = reasoning.compile_tbox(parse("ex:R owl:onProperty ex:p , ex:q ; owl:hasValue ex:v , ex:w ."))
    assert len(tbox.has_value) == 1 and len(tbox.restrictions_with) == 1
    [(prop, value)] = tbox.has_value.values()
    assert prop in (ex("p"), ex("q")) and value in (ex("v"), ex("w"))
    assert reasoning.compile_tbox(parse("[] a owl:AllDisjointClasses .")).disjoint_pairs == set()


# ---- inconsistencies, each kind with its message and triples ----------------------------------------


def inconsistencies(text: str) -> list[tuple[str, str, tuple]]:
    triples = parse(text)
    found = reasoning.materialise(triples, reasoning.compile_tbox(triples)).inconsistencies
    return [(i.kind, i.message, i.triples) for i in found]


def test_three_values_of_a_functional_property_are_one_clash_naming_them_in_order():
    found = inconsistencies("ex:f a owl:FunctionalProperty . ex:x ex:f ex:c , ex:a , ex:b .")
    assert found == [
        (
            "functional-property",
            f"<{EX}x> has 3 values of the functional property <{EX}f>",
            tuple((ex("x"), ex("f"), ex(v)) for v in "abc"),
        )
    ]


def test_one_value_of_a_functional_property_is_no_clash():
    assert inconsistencies("ex:f a owl:FunctionalProperty . ex:x ex:f ex:a . ex:y ex:f ex:a .") == []


def test_one_value_shared_by_two_subjects_of_an_inverse_functional_property_is_a_clash():
    found = inconsistencies("ex:id a owl:InverseFunctionalProperty . ex:s2 ex:id ex:v . ex:s1 ex:id ex:v .")
    assert found == [
        (
            "inverse-functional-property",
            f"<{EX}v> is the value of the inverse-functional <{EX}id> for 2 nodes",
            ((ex("s1"), ex("id"), ex("v")), (ex("s2"), ex("id"), ex("v"))),
        )
    ]


def test_an_inverse_functional_property_with_distinct_values_is_no_clash():
    text = "ex:id a owl:InverseFunctionalProperty . ex:s1 ex:id ex:v . ex:s1 ex:id ex:w . ex:s2 ex:id ex:u ."
    assert inconsistencies(text) == []


def test_a_functional_property_is_not_read_as_inverse_functional_or_the_other_way_round():
    assert inconsistencies("ex:f a owl:FunctionalProperty . ex:s1 ex:f ex:v . ex:s2 ex:f ex:v .") == []
    assert inconsistencies("ex:id a owl:InverseFunctionalProperty . ex:x ex:id ex:a , ex:b .") == []
    assert (
        inconsistencies(
            "ex:id rdfs:comment owl:InverseFunctionalProperty . ex:s1 ex:id ex:v . ex:s2 ex:id ex:v ."
        )
        == []
    )


def test_disjoint_classes_and_nothing_are_named_with_their_messages():
    found = inconsistencies("ex:A owl:disjointWith ex:B . ex:x a ex:A , ex:B , owl:Nothing .")
    nothing = ox.NamedNode("http://www.w3.org/2002/07/owl#Nothing")
    assert ("nothing", f"<{EX}x> is a member of owl:Nothing", ((ex("x"), TYPE, nothing),)) in found
    [(_, message, triples)] = [f for f in found if f[0] == "disjoint-classes"]
    assert set(triples) == {(ex("x"), TYPE, ex("A")), (ex("x"), TYPE, ex("B"))}
    assert message in (f"<{EX}x> is both <{EX}A> and <{EX}B>, which are disjoint",
                       f"<{EX}x> is both <{EX}B> and <{EX}A>, which are disjoint")  # fmt: skip
    assert len(found) == 2


# ---- the reference and the entity test --------------------------------------------------------------


def test_the_owlrl_reference_is_the_owl_rl_closure_without_rdfs_or_axiomatic_triples():
    closure = reasoning.owlrl_closure(parse("ex:p rdfs:domain ex:C . ex:x ex:p ex:y ."))
    assert (ex("x"), TYPE, ex("C")) in closure
    resource = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#Resource")
    assert not any(t[2] == resource for t in closure)  # RDFS's closure would type everything a Resource
    assert all(isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal) for t in closure for term in t)


def test_own_entities_are_the_graphs_resources_and_blank_nodes_not_vocabulary_terms():
    assert reasoning.own_entity(ox.BlankNode("b"))
    assert reasoning.own_entity(ox.NamedNode("https://w3id.org/otsgraph/resource/kazakhstan"))
    assert not reasoning.own_entity(ox.NamedNode("https://w3id.org/otsgraph/ontology/Summit"))
    assert not reasoning.own_entity(ox.NamedNode("http://www.wikidata.org/entity/Q232"))
    assert not reasoning.own_entity(ox.Literal("https://w3id.org/otsgraph/resource/kazakhstan"))


def test_a_long_transitive_chain_is_closed_whichever_link_the_engine_reads_first():
    """Twelve places in a row: every pair in order is inferred, whatever order the engine reads them in.
    (Its forward join is redundant here: every asserted link is indexed before any is joined, so the
    backward join alone closes the chain; docs/testing.md lists that mutant as equivalent.)"""
    places = [f"p{i:02d}" for i in range(12)]
    links = " ".join(f"ex:{a} ex:within ex:{b} ." for a, b in itertools.pairwise(places))
    triples = parse("ex:within a owl:TransitiveProperty . " + links)
    closure = reasoning.materialise(triples, reasoning.compile_tbox(triples))
    expected = {(ex(a), ex("within"), ex(b)) for i, a in enumerate(places) for b in places[i + 2 :]}
    assert closure.inferred == expected
    assert len(expected) == 55


def test_a_class_disjoint_with_itself_makes_its_members_clash():
    found = inconsistencies("ex:A owl:disjointWith ex:A . ex:x a ex:A .")
    assert found == [
        (
            "disjoint-classes",
            f"<{EX}x> is both <{EX}A> and <{EX}A>, which are disjoint",
            ((ex("x"), TYPE, ex("A")), (ex("x"), TYPE, ex("A"))),
        )
    ]


def test_an_inverse_functional_clash_between_a_blank_node_and_an_iri_is_reported():
    """Sorting the clashing subjects must not compare a blank node with an IRI (pyoxigraph refuses)."""
    found = inconsistencies("ex:id a owl:InverseFunctionalProperty . _:b ex:id ex:v . ex:s1 ex:id ex:v .")
    assert [(kind, len(triples)) for kind, _, triples in found] == [("inverse-functional-property", 2)]
