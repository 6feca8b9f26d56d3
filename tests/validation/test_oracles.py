"""Reference oracles for what the shapes and the ontology use (issue 14).

SHACL: every constraint component that shapes/ uses has a fixture in tests/fixtures/oracles/shacl/ that
fails it. Each fixture is reasoned like the build does, then validated against the shipped shapes by
otsgraph's own validator (shacl.py) and by pySHACL; the two must give the same results (focus node, path,
value, component, severity), and the results must include the hand-written expectations below, which
come from the SHACL specification, not from either validator. The list of components is read out of the
shapes with pyoxigraph, so that a component used later without a fixture fails the test.

Components used only inside other shapes (sh:hasValue and sh:not sit inside sh:or and
sh:qualifiedValueShape) never report on their own. Their fixtures "lift" the nested shapes: the test gives
every shape that uses the component an sh:targetNode, so that the nested constraint reports directly.

OWL RL: each kind of inconsistency the reasoner names (the kinds are read from reasoning.py) has a fixture
in tests/fixtures/oracles/reasoning/ that makes exactly that kind, checked against owlrl: owlrl reports
disjoint classes and owl:Nothing as errors; for a functional (inverse-functional) property with two
values it infers owl:sameAs between the two values (subjects), which the project, assuming unique names,
treats as a clash.
"""

from __future__ import annotations

import ast
import functools
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import RDF

from otsgraph.core.convert import to_rdflib_graph
from otsgraph.core.loading import Layout, load_sources, parse_file
from otsgraph.reasoning.closure import reason_triples
from otsgraph.reasoning.engine import compile_tbox, materialise
from otsgraph.validation.shacl import validate_triples

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "oracles"
SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RES = "https://w3id.org/otsgraph/resource/"
OTS = "https://w3id.org/otsgraph/ontology/"

# ---- Which components the shapes use --------------------------------------------------------------

#: SHACL Core (W3C Recommendation, section 4): each constraint parameter and its component.
PARAMETER_COMPONENT = {
    name: f"{name[0].upper()}{name[1:]}ConstraintComponent"
    for name in [
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minExclusive",
        "minInclusive",
        "maxExclusive",
        "maxInclusive",
        "minLength",
        "maxLength",
        "pattern",
        "languageIn",
        "uniqueLang",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
        "not",
        "and",
        "or",
        "xone",
        "node",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "closed",
        "hasValue",
        "in",
    ]
}
#: parameters that only qualify another parameter's component
AUXILIARY = {"flags", "qualifiedValueShape", "qualifiedValueShapesDisjoint", "ignoredProperties"}
#: not constraints: paths, targets, reporting. sh:property has a component of its own, but its results
#: are those of the property shape, reported under their own components.
STRUCTURAL = {
    "path",
    "inversePath",
    "alternativePath",
    "zeroOrMorePath",
    "oneOrMorePath",
    "zeroOrOnePath",
    "targetClass",
    "targetNode",
    "targetSubjectsOf",
    "targetObjectsOf",
    "severity",
    "message",
    "name",
    "description",
    "order",
    "group",
    "deactivated",
    "defaultValue",
    "property",
}


@functools.cache
def shape_triples() -> tuple[tuple, ...]:
    return tuple(tuple(t) for t in load_sources(Layout(REPO)).shapes)


@functools.cache
def ontology_triples() -> frozenset[tuple]:
    return frozenset(
        (q.subject, q.predicate, q.object) for q in parse_file(REPO / "ontology" / "otsgraph.ttl")
    )


def used_components() -> set[str]:
    """The SHACL components the shipped shapes use, read with pyoxigraph (not with the validator)."""
    store = ox.Store()
    store.extend(ox.Quad(*t) for t in shape_triples())
    query = f"SELECT DISTINCT ?p WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?p), '{SH}')) }}"
    names = {row["p"].value.removeprefix(SH) for row in store.query(query)}
    unknown = names - set(PARAMETER_COMPONENT) - AUXILIARY - STRUCTURAL
    assert not unknown, f"shapes use SHACL terms this test does not know: {sorted(unknown)}"
    return {PARAMETER_COMPONENT[n] for n in names & set(PARAMETER_COMPONENT)}


# ---- Running both validators ------------------------------------------------------------------------


def canon(term) -> str | None:
    """One spelling for a pyoxigraph or rdflib term; blank nodes (ids differ per parser) are all '_:b'."""
    if term is None:
        return None
    if isinstance(term, ox.BlankNode | rdflib.BNode):
        return "_:b"
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    if isinstance(term, rdflib.URIRef):
        return f"<{term}>"
    if isinstance(term, ox.Literal):
        lexical, lang, datatype = term.value, term.language, term.datatype.value
    else:
        lexical, lang, datatype = str(term), term.language, str(term.datatype or XSD + "string")
    return f'"{lexical}"@{lang.lower()}' if lang else f'"{lexical}"^^<{datatype}>'


def reasoned(path: Path) -> set[tuple]:
    """The fixture as the build validates it: asserted triples and the OWL RL closure."""
    data = {(q.subject, q.predicate, q.object) for q in parse_file(path)}
    ontology = set(ontology_triples())
    result = reason_triples(ontology | data, ontology)
    return result.input | result.inferred


def pyshacl_results(data: set[tuple], shapes: list[tuple]) -> list[tuple]:
    from pyshacl import validate

    sh = rdflib.Namespace(SH)
    _, report, _ = validate(
        to_rdflib_graph(data),
        shacl_graph=to_rdflib_graph(shapes),
        inference="none",
        allow_warnings=True,
        advanced=True,
    )
    return [
        (
            canon(report.value(r, sh.focusNode)),
            canon(report.value(r, sh.resultPath)),
            canon(report.value(r, sh.value)),
            str(report.value(r, sh.sourceConstraintComponent)).removeprefix(SH),
            str(report.value(r, sh.resultSeverity)).removeprefix(SH),
        )
        for r in report.subjects(RDF.type, sh.ValidationResult)
    ]


def fast_results(data: set[tuple], shapes: list[tuple]) -> list[tuple]:
    return [
        (
            canon(r.focus),
            canon(r.path),
            canon(r.value),
            spelt_as_shacl(r.component.value.removeprefix(SH)),
            r.severity.value.removeprefix(SH),
        )
        for r in validate_triples(data, shapes)
    ]


def spelt_as_shacl(component: str) -> str:
    """SHACL's spelling of a component's name (sh:ClassConstraintComponent); the own validator's results
    are checked to use it by test_own_validator_names_components_with_shacl_iris."""
    return component[:1].upper() + component[1:]


def ordered(results: list[tuple]) -> list[tuple]:
    return sorted(results, key=lambda r: tuple(x or "" for x in r))


@dataclass(frozen=True)
class Case:
    fixture: str
    #: (focus, path, component) that the SHACL specification says the fixture fails
    expected: frozenset[tuple[str, str | None, str]]
    #: focus nodes that must have no result at all (controls: well-formed values, matching tags)
    clean: tuple[str, ...] = ()
    #: components whose shapes get an sh:targetNode for each of `lift_to`
    lift: tuple[str, ...] = ()
    lift_to: tuple = field(default=())
    #: (focus, path, component) the specification requires and pySHACL (through rdflib) may not report;
    #: the own validator must report them
    reference_gaps: frozenset[tuple[str, str | None, str]] = frozenset()
    #: results pySHACL rightly reports and the own validator misses (a multiset), left out of the
    #: comparison: none today (the three gaps this oracle found in shacl.py are fixed)
    own_gaps: tuple[tuple, ...] = ()


def res(local: str) -> str:
    return f"<{RES}{local}>"


def ots(local: str) -> str:
    return f"<{OTS}{local}>"


def lit(lexical: str, datatype: str = "string") -> str:
    return f'"{lexical}"^^<{XSD}{datatype}>'


RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
CASES = [
    Case("class", frozenset({(res("oracle-city"), ots("inCountry"), "ClassConstraintComponent")})),
    Case(
        "datatype",
        frozenset(
            {
                (res("oracle-bad-date"), ots("earliestDate"), "DatatypeConstraintComponent"),
                (res("oracle-no-leap-day"), ots("earliestDate"), "DatatypeConstraintComponent"),
                (res("oracle-ill-claim"), ots("quoteStart"), "DatatypeConstraintComponent"),
                (res("oracle-ill-claim"), ots("quoteEnd"), "DatatypeConstraintComponent"),
                (res("oracle-ill-claim"), ots("bracketReference"), "DatatypeConstraintComponent"),
            }
        ),
        # "1.5"^^xsd:integer has no value, so "1.5 >= 1" is an error, which sh:minInclusive reports
        # (SHACL 4.3.3 via SPARQL's <=): both validators report it
        clean=(res("oracle-leap-day"), res("oracle-good-claim")),
    ),
    Case(
        "languageIn",
        frozenset(
            {
                (res("oracle-unlinked"), ots("wikidataNote"), "LanguageInConstraintComponent"),
                (res("oracle-unlinked-kk"), ots("wikidataNote"), "LanguageInConstraintComponent"),
                (
                    res("oracle-claim"),
                    "<http://www.w3.org/2004/02/skos/core#note>",
                    "LanguageInConstraintComponent",
                ),
            }
        ),
        clean=(res("oracle-unlinked-gb"),),
    ),
    Case(
        "hasValue",
        frozenset(
            {
                (res("oracle-claim"), ots("claimKind"), "HasValueConstraintComponent"),
                (
                    res("oracle-claim"),
                    "<http://www.w3.org/ns/prov#wasDerivedFrom>",
                    "HasValueConstraintComponent",
                ),
                (res("oracle-claim"), None, "OrConstraintComponent"),
            }
        ),
        lift=("hasValue",),
        lift_to=(ox.NamedNode(RES + "oracle-claim"),),
    ),
    Case(
        "not",
        frozenset(
            {
                ('"Orakul"@kk-latn', None, "NotConstraintComponent"),
                (lit("--02-28"), None, "NotConstraintComponent"),
                (res("oracle-latin"), RDFS_LABEL, "QualifiedMinCountConstraintComponent"),
                (res("oracle-event"), ots("date"), "OrConstraintComponent"),
                (res("oracle-event-en"), ots("date"), "OrConstraintComponent"),
            }
        ),
        lift=("not",),
        lift_to=(ox.Literal("Orakul", language="kk-Latn"), ox.Literal("--02-28")),
    ),
    Case(
        "in",
        frozenset(
            {
                (res("oracle-unlinked"), ots("wikidataStatus"), "InConstraintComponent"),
                (
                    "<https://w3id.org/otsgraph/link/oracle>",
                    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate>",
                    "InConstraintComponent",
                ),
            }
        ),
    ),
    Case(
        "lessThan",
        frozenset(
            {
                (res("oracle-after"), ots("quoteStart"), "LessThanConstraintComponent"),
                (res("oracle-equal"), ots("quoteStart"), "LessThanConstraintComponent"),
            }
        ),
        clean=(res("oracle-ok"),),
    ),
    Case(
        "minInclusive",
        frozenset(
            {
                (res("oracle-low"), ots("quoteStart"), "MinInclusiveConstraintComponent"),
                (res("oracle-low"), ots("quoteEnd"), "MinInclusiveConstraintComponent"),
            }
        ),
        clean=(res("oracle-ok"),),
    ),
    Case(
        "maxCount",
        frozenset(
            {
                (res("oracle-city"), ots("inCountry"), "MaxCountConstraintComponent"),
                (res("oracle-claim"), ots("quote"), "MaxCountConstraintComponent"),
            }
        ),
    ),
    Case(
        "minCount",
        frozenset(
            {
                ("<https://w3id.org/otsgraph/link/oracle>", f"<{RDF}object>", "MinCountConstraintComponent"),
                ("<https://w3id.org/otsgraph/link/oracle>", ots("linkMethod"), "MinCountConstraintComponent"),
                (
                    "<https://w3id.org/otsgraph/link/oracle>",
                    "<http://purl.org/dc/terms/date>",
                    "MinCountConstraintComponent",
                ),
            }
        ),
    ),
    Case(
        "nodeKind",
        frozenset(
            {
                (res("oracle-claim"), ots("conflictsWith"), "NodeKindConstraintComponent"),
                ("_:b", None, "NodeKindConstraintComponent"),
            }
        ),
    ),
    Case(
        "or",
        frozenset(
            {
                (res("oracle-words"), ots("date"), "OrConstraintComponent"),
                (res("oracle-bad-day"), ots("date"), "OrConstraintComponent"),
            }
        ),
        clean=(res("oracle-ok-a"), res("oracle-ok-b")),
        # month 13 is outside xsd:gYearMonth's lexical space; rdflib does not check gYearMonth, so
        # pySHACL takes it as well-typed
        reference_gaps=frozenset({(res("oracle-bad-month"), ots("date"), "OrConstraintComponent")}),
    ),
    Case(
        "pattern",
        frozenset(
            {
                ("<https://w3id.org/otsgraph/link/oracle>", f"<{RDF}subject>", "PatternConstraintComponent"),
                ("<https://w3id.org/otsgraph/link/oracle>", f"<{RDF}object>", "PatternConstraintComponent"),
            }
        ),
    ),
    Case(
        "qualifiedMinCount",
        frozenset({(res("oracle-person"), RDFS_LABEL, "QualifiedMinCountConstraintComponent")}),
    ),
    Case("uniqueLang", frozenset({(res("oracle-person"), RDFS_LABEL, "UniqueLangConstraintComponent")})),
]


def lifted_shapes(case: Case) -> list[tuple]:
    shapes = list(shape_triples())
    nodes = {s for s, p, _ in shapes if p.value.removeprefix(SH) in case.lift and p.value.startswith(SH)}
    assert nodes, f"no shape uses {case.lift}"
    target = ox.NamedNode(SH + "targetNode")
    return shapes + [(n, target, focus) for n in nodes for focus in case.lift_to]


@functools.cache
def run_case(name: str) -> tuple[list[tuple], list[tuple]]:
    """(own validator's results, pySHACL's results) on a fixture, each sorted."""
    case = next(c for c in CASES if c.fixture == name)
    data = reasoned(FIXTURES / "shacl" / f"{name}.ttl")
    shapes = lifted_shapes(case) if case.lift else list(shape_triples())
    return ordered(fast_results(data, shapes)), ordered(pyshacl_results(data, shapes))


def where(result: tuple) -> tuple:
    focus, path, _, component, _ = result
    return focus, path, component


@pytest.mark.parametrize("case", CASES, ids=[c.fixture for c in CASES])
def test_fixture_fails_as_the_specification_says_and_both_validators_agree(case):
    fast, reference = run_case(case.fixture)
    found = {where(r) for r in reference}
    assert case.expected <= found, f"pySHACL misses {sorted(case.expected - found)}"
    assert case.reference_gaps <= {where(r) for r in fast}, "the own validator misses what SHACL requires"
    for focus in case.clean:
        assert not [r for r in fast + reference if r[0] == focus], f"{focus} should conform"
    # whether pySHACL sees an ill-formed xsd:gYearMonth depends on the datatype converters rdflib has
    # registered in this process (other tests' imports can add one): compare without those results
    fast = [r for r in fast if where(r) not in case.reference_gaps]
    reference = [r for r in reference if where(r) not in case.reference_gaps]
    assert not Counter(case.own_gaps) - Counter(reference), "a listed gap is not in pySHACL's results"
    reference = list((Counter(reference) - Counter(case.own_gaps)).elements())
    assert Counter(fast) == Counter(reference), (
        f"own validator only: {sorted((Counter(fast) - Counter(reference)).elements())}; "
        f"pySHACL only: {sorted((Counter(reference) - Counter(fast)).elements())}"
    )


def test_every_component_the_shapes_use_has_a_failing_fixture():
    covered = {component for case in CASES for _, _, component in case.expected}
    missing = used_components() - covered
    assert not missing, f"no fixture fails {sorted(missing)}: add one to tests/fixtures/oracles/shacl/"
    assert used_components() >= {
        "ClassConstraintComponent",
        "LanguageInConstraintComponent",
        "HasValueConstraintComponent",
        "NotConstraintComponent",
        "DatatypeConstraintComponent",
    }, "the pyoxigraph reading of the shapes lost components the shapes are known to use"


def test_ill_formed_literals_fail_sh_datatype_with_their_values():
    """2023-02-30 and 2023-02-29 are no dates, abc and 1.5 no integers, though the datatype IRIs are right."""
    fast, reference = run_case("datatype")
    for results in (fast, reference):
        values = {
            value for _, _, value, component, _ in results if component == "DatatypeConstraintComponent"
        }
        assert {
            lit("2023-02-30", "date"),
            lit("2023-02-29", "date"),
            lit("abc", "integer"),
            lit("1.5", "integer"),
            lit("5", "string"),
        } <= values
        assert lit("2024-02-29", "date") not in values
        assert lit("007", "integer") not in values and lit("+4", "integer") not in values


def test_own_validator_names_components_with_shacl_iris():
    data = reasoned(FIXTURES / "shacl" / "class.ttl")
    components = {r.component.value for r in validate_triples(data, list(shape_triples()))}
    assert SH + "ClassConstraintComponent" in components


# ---- Inconsistencies ----------------------------------------------------------------------------------

EX = "http://example.org/oracle/"
OWL_NOTHING = "http://www.w3.org/2002/07/owl#Nothing"


def ex(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


@dataclass(frozen=True)
class Clash:
    fixture: str
    kind: str
    #: the triples that make the clash, as the OWL RL rule reads them
    triples: frozenset[tuple]
    #: what owlrl reports: an error message naming these words, or an owl:sameAs it infers
    owlrl_error: tuple[str, ...] = ()
    owlrl_same: tuple[str, str] | None = None


TYPE = ox.NamedNode(str(RDF.type))
CLASHES = [
    Clash(
        "nothing",
        "nothing",
        frozenset({(ex("x"), TYPE, ox.NamedNode(OWL_NOTHING))}),
        owlrl_error=(EX + "x", "Nothing"),
    ),
    Clash(
        "disjoint-classes",
        "disjoint-classes",
        frozenset({(ex("x"), TYPE, ex("A")), (ex("x"), TYPE, ex("B"))}),
        owlrl_error=("Disjoint classes", EX + "A", EX + "B", EX + "x"),
    ),
    Clash(
        "disjoint-classes-all",
        "disjoint-classes",
        frozenset({(ex("y"), TYPE, ex("P")), (ex("y"), TYPE, ex("R"))}),
        owlrl_error=("Disjoint classes", EX + "P", EX + "R", EX + "y"),
    ),
    Clash(
        "functional-property",
        "functional-property",
        frozenset({(ex("x"), ex("p"), ex("a")), (ex("x"), ex("p"), ex("b"))}),
        owlrl_same=(EX + "a", EX + "b"),
    ),
    Clash(
        "inverse-functional-property",
        "inverse-functional-property",
        frozenset({(ex("s1"), ex("id"), ex("v")), (ex("s2"), ex("id"), ex("v"))}),
        owlrl_same=(EX + "s1", EX + "s2"),
    ),
]


def inconsistency_kinds_in_the_code() -> set[str]:
    """Every kind the engine can name: the first argument of each Inconsistency(...) in its modules."""
    import otsgraph

    kinds = set()
    for module in ("reasoning/engine.py", "gate/plan.py"):
        tree = ast.parse((Path(otsgraph.__file__).parent / module).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Inconsistency":
                first = node.args[0] if node.args else None
                assert isinstance(first, ast.Constant), f"{module}: a kind that is not a literal string"
                kinds.add(first.value)
    return kinds


def test_every_inconsistency_kind_has_a_fixture():
    kinds = inconsistency_kinds_in_the_code()
    assert kinds >= {"nothing", "disjoint-classes", "functional-property", "inverse-functional-property"}
    missing = kinds - {c.kind for c in CLASHES}
    assert not missing, f"no fixture in tests/fixtures/oracles/reasoning/ for {sorted(missing)}"


def fixture_triples(name: str) -> set[tuple]:
    return {(q.subject, q.predicate, q.object) for q in parse_file(FIXTURES / "reasoning" / f"{name}.ttl")}


@pytest.mark.parametrize("clash", CLASHES, ids=[c.fixture for c in CLASHES])
def test_the_engine_names_the_clash_and_owlrl_finds_it_too(clash):
    triples = fixture_triples(clash.fixture)
    found = materialise(triples, compile_tbox(triples)).inconsistencies
    assert [(i.kind, frozenset(i.triples)) for i in found] == [(clash.kind, clash.triples)], [
        (i.kind, i.message) for i in found
    ]

    import owlrl

    graph = rdflib.Graph().parse(FIXTURES / "reasoning" / f"{clash.fixture}.ttl")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False).expand(graph)
    errors = [str(m) for m in graph.objects(None, owlrl.Namespaces.ERRNS.error)]
    same = {
        frozenset((str(a), str(b)))
        for a, b in graph.subject_objects(rdflib.OWL.sameAs)
        if a != b and isinstance(a, rdflib.URIRef) and str(a).startswith(EX)
    }
    if clash.owlrl_error:
        assert [m for m in errors if all(w in m for w in clash.owlrl_error)], errors
        assert len(errors) == 1, errors
        assert not same, same
    else:
        assert same == {frozenset(clash.owlrl_same)}, same
        assert not errors, errors
