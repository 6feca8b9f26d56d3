"""OWL 2 RL materialisation: a fast forward-chaining engine, with owlrl as the reference.

The engine compiles the ontology's axioms (class and property hierarchy, domains, ranges,
inverses, symmetric and transitive properties, property chains, disjointness, functional
properties, owl:hasValue restrictions) into rules and runs them to a fixpoint with a work list
over indexed triples.
Every inferred triple keeps the first derivation found (rule and premises), so that any
inference can be explained down to asserted triples. Constructs the engine does not
implement are reported by `unsupported_axioms`, so that a silent gap with owlrl cannot occur;
tests check that the engine and owlrl infer the same triples about the graph's own entities.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from otsgraph.core.namespaces import OTS, RDF_TYPE

Term = NamedNode | BlankNode | Literal
TripleKey = tuple[Term, Term, Term]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_OWL = "http://www.w3.org/2002/07/owl#"

RDF_FIRST = NamedNode(_RDF + "first")
RDF_REST = NamedNode(_RDF + "rest")
RDF_NIL = NamedNode(_RDF + "nil")
SUBCLASS = NamedNode(_RDFS + "subClassOf")
SUBPROPERTY = NamedNode(_RDFS + "subPropertyOf")
DOMAIN = NamedNode(_RDFS + "domain")
RANGE = NamedNode(_RDFS + "range")
EQ_CLASS = NamedNode(_OWL + "equivalentClass")
EQ_PROPERTY = NamedNode(_OWL + "equivalentProperty")
INVERSE = NamedNode(_OWL + "inverseOf")
CHAIN = NamedNode(_OWL + "propertyChainAxiom")
DISJOINT = NamedNode(_OWL + "disjointWith")
ALL_DISJOINT = NamedNode(_OWL + "AllDisjointClasses")
MEMBERS = NamedNode(_OWL + "members")
NOTHING = NamedNode(_OWL + "Nothing")
TRANSITIVE = NamedNode(_OWL + "TransitiveProperty")
SYMMETRIC = NamedNode(_OWL + "SymmetricProperty")
FUNCTIONAL = NamedNode(_OWL + "FunctionalProperty")
INVERSE_FUNCTIONAL = NamedNode(_OWL + "InverseFunctionalProperty")
HAS_VALUE = NamedNode(_OWL + "hasValue")
ON_PROPERTY = NamedNode(_OWL + "onProperty")

#: OWL constructs the engine does not implement; their presence is reported, not ignored.
UNSUPPORTED_PREDICATES = {
    NamedNode(_OWL + name)
    for name in (
        "someValuesFrom",
        "allValuesFrom",
        "intersectionOf",
        "unionOf",
        "complementOf",
        "oneOf",
        "hasKey",
        "sameAs",
        "maxCardinality",
        "maxQualifiedCardinality",
        "propertyDisjointWith",
    )
}

TEMPORAL_RULE = "otsgraph:temporal-placement"


@dataclass(frozen=True)
class Derivation:
    """Why an inferred triple holds: the rule and the triples it was derived from."""

    rule: str
    premises: tuple[TripleKey, ...]


@dataclass(frozen=True)
class Inconsistency:
    """A contradiction in the data: what clashes, and the triples that make it."""

    kind: str
    message: str
    triples: tuple[TripleKey, ...]


@dataclass
class Tbox:
    """The ontology's axioms, compiled for the rules."""

    superclasses: dict[Term, set[Term]] = field(default_factory=lambda: defaultdict(set))
    superproperties: dict[Term, set[Term]] = field(default_factory=lambda: defaultdict(set))
    domains: dict[Term, set[Term]] = field(default_factory=lambda: defaultdict(set))
    ranges: dict[Term, set[Term]] = field(default_factory=lambda: defaultdict(set))
    inverses: dict[Term, set[Term]] = field(default_factory=lambda: defaultdict(set))
    symmetric: set[Term] = field(default_factory=set)
    transitive: set[Term] = field(default_factory=set)
    functional: set[Term] = field(default_factory=set)
    inverse_functional: set[Term] = field(default_factory=set)
    chains: list[tuple[tuple[Term, ...], Term]] = field(default_factory=list)
    disjoint_pairs: set[frozenset[Term]] = field(default_factory=set)
    #: owl:hasValue restrictions: restriction class -> (property, value), and the reverse
    has_value: dict[Term, tuple[Term, Term]] = field(default_factory=dict)
    restrictions_with: dict[tuple[Term, Term], set[Term]] = field(default_factory=lambda: defaultdict(set))

    def chains_using(self, prop: Term) -> Iterator[tuple[tuple[Term, ...], Term, int]]:
        for links, target in self.chains:
            for position, link in enumerate(links):
                if link == prop:
                    yield links, target, position


def _rdf_list(triples: dict[Term, dict[Term, list[Term]]], head: Term) -> list[Term]:
    items: list[Term] = []
    while head != RDF_NIL:
        firsts = triples.get(head, {}).get(RDF_FIRST, [])
        rests = triples.get(head, {}).get(RDF_REST, [])
        if not firsts or not rests:
            break
        items.append(firsts[0])
        head = rests[0]
    return items


def compile_tbox(triples: Iterable[TripleKey]) -> Tbox:
    """Read the axioms the rules use out of a set of triples (normally the ontology)."""
    by_subject: dict[Term, dict[Term, list[Term]]] = defaultdict(lambda: defaultdict(list))
    tbox = Tbox()
    for s, p, o in triples:
        by_subject[s][p].append(o)
        if p == SUBCLASS:
            tbox.superclasses[s].add(o)
        elif p == EQ_CLASS:
            tbox.superclasses[s].add(o)
            tbox.superclasses[o].add(s)
        elif p == SUBPROPERTY:
            tbox.superproperties[s].add(o)
        elif p == EQ_PROPERTY:
            tbox.superproperties[s].add(o)
            tbox.superproperties[o].add(s)
        elif p == DOMAIN:
            tbox.domains[s].add(o)
        elif p == RANGE:
            tbox.ranges[s].add(o)
        elif p == INVERSE:
            tbox.inverses[s].add(o)
            tbox.inverses[o].add(s)
        elif p == DISJOINT:
            tbox.disjoint_pairs.add(frozenset((s, o)))
        elif p == RDF_TYPE and o == TRANSITIVE:
            tbox.transitive.add(s)
        elif p == RDF_TYPE and o == SYMMETRIC:
            tbox.symmetric.add(s)
        elif p == RDF_TYPE and o == FUNCTIONAL:
            tbox.functional.add(s)
        elif p == RDF_TYPE and o == INVERSE_FUNCTIONAL:
            tbox.inverse_functional.add(s)
    for s, preds in by_subject.items():
        for head in preds.get(CHAIN, []):
            links = tuple(_rdf_list(by_subject, head))
            if links:
                tbox.chains.append((links, s))
        for value in preds.get(HAS_VALUE, [])[:1]:
            for prop in preds.get(ON_PROPERTY, [])[:1]:
                tbox.has_value[s] = (prop, value)
                tbox.restrictions_with[(prop, value)].add(s)
        if ALL_DISJOINT in preds.get(RDF_TYPE, []):
            for head in preds.get(MEMBERS, []):
                members = _rdf_list(by_subject, head)
                for i, a in enumerate(members):
                    for b in members[i + 1 :]:
                        tbox.disjoint_pairs.add(frozenset((a, b)))
    return tbox


def unsupported_axioms(triples: Iterable[TripleKey]) -> list[TripleKey]:
    """Triples using OWL constructs the fast engine does not implement."""
    return [t for t in triples if t[1] in UNSUPPORTED_PREDICATES]


@dataclass
class Closure:
    """The result of reasoning: inferred triples, their derivations, and any inconsistency."""

    inferred: set[TripleKey]
    derivations: dict[TripleKey, Derivation]
    inconsistencies: list[Inconsistency]

    def explain(self, triple: TripleKey, asserted: set[TripleKey]) -> list[tuple[int, TripleKey, str]]:
        """The derivation tree of a triple, depth-first: (depth, triple, rule or 'asserted')."""
        lines: list[tuple[int, TripleKey, str]] = []
        seen: set[TripleKey] = set()

        def walk(t: TripleKey, depth: int) -> None:
            if t in asserted or t not in self.derivations:
                lines.append((depth, t, "asserted" if t in asserted else "unknown"))
                return
            derivation = self.derivations[t]
            lines.append((depth, t, derivation.rule))
            if t in seen:
                return
            seen.add(t)
            for premise in derivation.premises:
                walk(premise, depth + 1)

        walk(triple, 0)
        return lines


class _Index:
    """Triples by predicate, both directions, for the joins the rules need.

    Only predicates that take part in a join (chain links, transitive, functional and
    rdf:type for the disjointness check) are indexed: the rest never need a lookup.
    """

    def __init__(self, predicates: set[Term]) -> None:
        self.predicates = predicates
        self.out: dict[Term, dict[Term, set[Term]]] = defaultdict(lambda: defaultdict(set))
        self.into: dict[Term, dict[Term, set[Term]]] = defaultdict(lambda: defaultdict(set))

    def add(self, s: Term, p: Term, o: Term) -> None:
        if p in self.predicates:
            self.out[p][s].add(o)
            self.into[p][o].add(s)


def _chain_paths(
    index: _Index, links: tuple[Term, ...], position: int, s: Term, o: Term
) -> Iterator[tuple[Term, Term, tuple[TripleKey, ...]]]:
    """Every path through `links` that uses (s, links[position], o): start, end, and its triples."""
    backward: list[tuple[Term, tuple[TripleKey, ...]]] = [(s, ())]
    for link in reversed(links[:position]):
        backward = [
            (prev, ((prev, link, node), *path))
            for node, path in backward
            for prev in index.into[link].get(node, ())
        ]
    forward: list[tuple[Term, tuple[TripleKey, ...]]] = [(o, ())]
    for link in links[position + 1 :]:
        forward = [
            (nxt, (*path, (node, link, nxt)))
            for node, path in forward
            for nxt in index.out[link].get(node, ())
        ]
    middle = ((s, links[position], o),)
    for start, before in backward:
        for end, after in forward:
            yield start, end, before + middle + after


def materialise(triples: Iterable[TripleKey], tbox: Tbox) -> Closure:
    """Run the OWL 2 RL rules the ontology uses to a fixpoint."""
    closure: set[TripleKey] = set()
    joined = {RDF_TYPE} | tbox.transitive | tbox.functional | tbox.inverse_functional
    joined |= {link for links, _ in tbox.chains for link in links}
    index = _Index(joined)
    derivations: dict[TripleKey, Derivation] = {}
    work: list[TripleKey] = []

    def emit(t: TripleKey, rule: str, premises: tuple[TripleKey, ...]) -> None:
        if t in closure:
            return
        closure.add(t)
        index.add(*t)
        derivations[t] = Derivation(rule, premises)
        work.append(t)

    for t in triples:
        if t not in closure:
            closure.add(t)
            index.add(*t)
            work.append(t)
    asserted = set(closure)
    super_cache: dict[Term, set[Term]] = {}

    def supers(cls: Term) -> set[Term]:
        if cls not in super_cache:
            super_cache[cls] = set(tbox.superclasses.get(cls, ()))
        return super_cache[cls]

    while work:
        t = work.pop()
        s, p, o = t
        for restriction in tbox.restrictions_with.get((p, o), ()):
            premises = (t, (restriction, HAS_VALUE, o), (restriction, ON_PROPERTY, p))
            emit((s, RDF_TYPE, restriction), "cls-hv2", premises)
        if p == RDF_TYPE:
            for sup in supers(o):
                emit((s, RDF_TYPE, sup), "cax-sco", (t, (o, SUBCLASS, sup)))
            if o in tbox.has_value:
                prop, value = tbox.has_value[o]
                premises = (t, (o, HAS_VALUE, value), (o, ON_PROPERTY, prop))
                emit((s, prop, value), "cls-hv1", premises)
            continue
        for sup in tbox.superproperties.get(p, ()):
            emit((s, sup, o), "prp-spo1", (t, (p, SUBPROPERTY, sup)))
        for cls in tbox.domains.get(p, ()):
            emit((s, RDF_TYPE, cls), "prp-dom", (t, (p, DOMAIN, cls)))
        if not isinstance(o, Literal):
            for cls in tbox.ranges.get(p, ()):
                emit((o, RDF_TYPE, cls), "prp-rng", (t, (p, RANGE, cls)))
            for inv in tbox.inverses.get(p, ()):
                emit((o, inv, s), "prp-inv", (t, (p, INVERSE, inv)))
            if p in tbox.symmetric:
                emit((o, p, s), "prp-symp", (t, (p, RDF_TYPE, SYMMETRIC)))
            if p in tbox.transitive:
                for nxt in list(index.out[p].get(o, ())):
                    emit((s, p, nxt), "prp-trp", (t, (o, p, nxt)))
                for prev in list(index.into[p].get(s, ())):
                    emit((prev, p, o), "prp-trp", ((prev, p, s), t))
            for links, target, position in list(tbox.chains_using(p)):
                for start, end, path in list(_chain_paths(index, links, position, s, o)):
                    emit((start, target, end), "prp-spo2", path)
    inferred = closure - asserted
    return Closure(inferred, derivations, find_inconsistencies(closure, index, tbox))


def find_inconsistencies(closure: set[TripleKey], index: _Index, tbox: Tbox) -> list[Inconsistency]:
    """Disjoint classes shared by one node, owl:Nothing members, clashing functional values."""
    problems: list[Inconsistency] = []
    for node, classes in index.out[RDF_TYPE].items():
        problems += type_clashes(node, classes, tbox)
    for prop in tbox.functional:
        for subject, values in index.out[prop].items():
            problems += functional_clashes(subject, prop, values)
    for prop in tbox.inverse_functional:
        for value, subjects in index.into[prop].items():
            problems += inverse_functional_clashes(value, prop, subjects)
    return problems


# The checks of one node, shared with incremental.py, which runs them on the nodes a change touches.


def type_clashes(node: Term, classes: Iterable[Term], tbox: Tbox) -> list[Inconsistency]:
    """owl:Nothing membership and pairs of disjoint classes among one node's classes."""
    classes = set(classes)
    problems = []
    if NOTHING in classes:
        problems.append(
            Inconsistency("nothing", f"{node} is a member of owl:Nothing", ((node, RDF_TYPE, NOTHING),))
        )
    for pair in tbox.disjoint_pairs:
        a, b = tuple(pair) if len(pair) == 2 else (next(iter(pair)),) * 2
        if a in classes and b in classes:
            problems.append(
                Inconsistency(
                    "disjoint-classes",
                    f"{node} is both {a} and {b}, which are disjoint",
                    ((node, RDF_TYPE, a), (node, RDF_TYPE, b)),
                )
            )
    return problems


def functional_clashes(subject: Term, prop: Term, values: Iterable[Term]) -> list[Inconsistency]:
    values = sorted(set(values), key=str)
    if len(values) < 2:
        return []
    return [
        Inconsistency(
            "functional-property",
            f"{subject} has {len(values)} values of the functional property {prop}",
            tuple((subject, prop, v) for v in values),
        )
    ]


def inverse_functional_clashes(value: Term, prop: Term, subjects: Iterable[Term]) -> list[Inconsistency]:
    subjects = sorted(set(subjects), key=str)
    if len(subjects) < 2:
        return []
    return [
        Inconsistency(
            "inverse-functional-property",
            f"{value} is the value of the inverse-functional {prop} for {len(subjects)} nodes",
            tuple((s, prop, value) for s in subjects),
        )
    ]


def owlrl_closure(triples: Iterable[TripleKey]) -> set[TripleKey]:
    """The reference: owlrl's full OWL 2 RL closure, as triples of pyoxigraph terms."""
    import owlrl
    import rdflib

    from otsgraph.core.convert import to_oxigraph_term, to_rdflib_term

    graph = rdflib.Graph()
    for s, p, o in triples:
        graph.add((to_rdflib_term(s), to_rdflib_term(p), to_rdflib_term(o)))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False).expand(graph)
    return {(to_oxigraph_term(s), to_oxigraph_term(p), to_oxigraph_term(o)) for s, p, o in graph}


def own_entity(term: Term) -> bool:
    """Is this one of the graph's own entities (not a term of the ontology or of another vocabulary)?"""
    if isinstance(term, BlankNode):
        return True
    return (
        isinstance(term, NamedNode)
        and term.value.startswith("https://w3id.org/otsgraph/")
        and not term.value.startswith(str(OTS))
    )


def as_triple(t: TripleKey) -> Triple:
    return Triple(*t)
