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
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Protocol

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from otsgraph.core.interning import Interner
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
class Vocabulary:
    """The terms the rules read and write, and how they tell a literal: pyoxigraph terms (`TERMS`:
    the gate, over a store), or the ids of an Interner (`Vocabulary.encoded`: the build, at scale)."""

    type: Any
    first: Any
    rest: Any
    nil: Any
    subclass: Any
    subproperty: Any
    domain: Any
    range: Any
    eq_class: Any
    eq_property: Any
    inverse: Any
    chain: Any
    disjoint: Any
    all_disjoint: Any
    members: Any
    nothing: Any
    transitive: Any
    symmetric: Any
    functional: Any
    inverse_functional: Any
    has_value: Any
    on_property: Any
    is_literal: Callable[[Any], bool]
    #: a term as messages show it (str of the pyoxigraph term)
    show: Callable[[Any], str] = str

    @classmethod
    def encoded(cls, terms: Interner) -> Vocabulary:
        """The vocabulary as ids of `terms` (literals have negative ids: core/interning.py)."""
        ids = {f.name: terms.id(getattr(TERMS, f.name)) for f in fields(cls) if f.name not in _NOT_TERMS}
        return cls(**ids, is_literal=_negative, show=lambda i: str(terms.term(i)))


_NOT_TERMS = ("is_literal", "show")


def _negative(i: int) -> bool:
    return i < 0


TERMS = Vocabulary(
    type=RDF_TYPE,
    first=RDF_FIRST,
    rest=RDF_REST,
    nil=RDF_NIL,
    subclass=SUBCLASS,
    subproperty=SUBPROPERTY,
    domain=DOMAIN,
    range=RANGE,
    eq_class=EQ_CLASS,
    eq_property=EQ_PROPERTY,
    inverse=INVERSE,
    chain=CHAIN,
    disjoint=DISJOINT,
    all_disjoint=ALL_DISJOINT,
    members=MEMBERS,
    nothing=NOTHING,
    transitive=TRANSITIVE,
    symmetric=SYMMETRIC,
    functional=FUNCTIONAL,
    inverse_functional=INVERSE_FUNCTIONAL,
    has_value=HAS_VALUE,
    on_property=ON_PROPERTY,
    is_literal=lambda term: isinstance(term, Literal),
)


@dataclass(frozen=True, slots=True)  # (one per inferred triple: 800k at 1M, slots halve their size)
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
    #: what its terms are: pyoxigraph terms, or ids (then every triple the rules see is ids too)
    v: Vocabulary = TERMS

    @property
    def chain_links(self) -> frozenset[Term]:
        """The properties some chain has as a link."""
        links = self.__dict__.get("_chain_links")
        if links is None or links[0] != len(self.chains):
            links = (len(self.chains), frozenset(link for chain, _ in self.chains for link in chain))
            self.__dict__["_chain_links"] = links
        return links[1]

    @property
    def disjoint_by_class(self) -> dict[Term, list[frozenset[Term]]]:
        """The disjoint pairs each class is in (a node's check looks at its own classes' pairs only)."""
        found = self.__dict__.get("_disjoint_by_class")
        if found is None or found[0] != len(self.disjoint_pairs):
            by_class: dict[Term, list[frozenset[Term]]] = defaultdict(list)
            for pair in self.disjoint_pairs:
                for c in pair:
                    by_class[c].append(pair)
            found = self.__dict__["_disjoint_by_class"] = (len(self.disjoint_pairs), dict(by_class))
        return found[1]

    def chains_using(self, prop: Term) -> Iterator[tuple[tuple[Term, ...], Term, int]]:
        for links, target in self.chains:
            for position, link in enumerate(links):
                if link == prop:
                    yield links, target, position


def _rdf_list(triples: dict[Term, dict[Term, list[Term]]], head: Term, v: Vocabulary) -> list[Term]:
    items: list[Term] = []
    seen = set()
    while head != v.nil and head not in seen:
        seen.add(head)
        firsts = triples.get(head, {}).get(v.first, [])
        rests = triples.get(head, {}).get(v.rest, [])
        if not firsts or not rests:
            break
        items.append(firsts[0])
        head = rests[0]
    return items


def compile_tbox(triples: Iterable[TripleKey], v: Vocabulary = TERMS) -> Tbox:
    """Read the axioms the rules use out of a set of triples (normally the ontology)."""
    by_subject: dict[Term, dict[Term, list[Term]]] = defaultdict(lambda: defaultdict(list))
    tbox = Tbox(v=v)
    for s, p, o in triples:
        by_subject[s][p].append(o)
        if p == v.subclass:
            tbox.superclasses[s].add(o)
        elif p == v.eq_class:
            tbox.superclasses[s].add(o)
            tbox.superclasses[o].add(s)
        elif p == v.subproperty:
            tbox.superproperties[s].add(o)
        elif p == v.eq_property:
            tbox.superproperties[s].add(o)
            tbox.superproperties[o].add(s)
        elif p == v.domain:
            tbox.domains[s].add(o)
        elif p == v.range:
            tbox.ranges[s].add(o)
        elif p == v.inverse:
            tbox.inverses[s].add(o)
            tbox.inverses[o].add(s)
        elif p == v.disjoint:
            tbox.disjoint_pairs.add(frozenset((s, o)))
        elif p == v.type and o == v.transitive:
            tbox.transitive.add(s)
        elif p == v.type and o == v.symmetric:
            tbox.symmetric.add(s)
        elif p == v.type and o == v.functional:
            tbox.functional.add(s)
        elif p == v.type and o == v.inverse_functional:
            tbox.inverse_functional.add(s)
    for s, preds in by_subject.items():
        for head in preds.get(v.chain, []):
            links = tuple(_rdf_list(by_subject, head, v))
            if links:
                tbox.chains.append((links, s))
        for value in preds.get(v.has_value, [])[:1]:
            for prop in preds.get(v.on_property, [])[:1]:
                tbox.has_value[s] = (prop, value)
                tbox.restrictions_with[(prop, value)].add(s)
        if v.all_disjoint in preds.get(v.type, []):
            for head in preds.get(v.members, []):
                members = _rdf_list(by_subject, head, v)
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

    def decoded(self, terms: Interner, inferred: set[TripleKey] | None = None) -> Closure:
        """This closure over the ids of `terms`, as pyoxigraph terms (`inferred`: already decoded)."""
        decode = terms.decode
        return Closure(
            terms.decode_all(self.inferred) if inferred is None else inferred,
            {
                decode(t): Derivation(d.rule, tuple(decode(p) for p in d.premises))
                for t, d in self.derivations.items()
            },
            self.decoded_inconsistencies(terms),
        )

    def decoded_inconsistencies(self, terms: Interner) -> list[Inconsistency]:
        """The inconsistencies of this closure over ids, as terms (their messages already are)."""
        decode = terms.decode
        return [replace(i, triples=tuple(decode(t) for t in i.triples)) for i in self.inconsistencies]

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


class Lookup(Protocol):
    """What the rules join with: the objects of (s, p) and the subjects of (p, o). The engine's own
    index answers it during materialisation, and the gate's view of a store during a change."""

    def objects(self, s: Term, p: Term) -> Iterable[Term]: ...

    def subjects(self, p: Term, o: Term) -> Iterable[Term]: ...


class Graph(Lookup, Protocol):
    """What backward chaining (can a rule conclude this triple?) reads: a Lookup, membership, and
    a node's links by predicate in both directions."""

    def has(self, t: TripleKey) -> bool: ...

    def out(self, s: Term) -> Mapping[Term, Iterable[Term]]: ...

    def into(self, o: Term) -> Mapping[Term, Iterable[Term]]: ...


class _Index:
    """Triples by predicate, both directions, for the joins the rules need.

    Only predicates that take part in a join (chain links, transitive, functional and
    rdf:type for the disjointness check) are indexed: the rest never need a lookup. materialise
    fills it, inline (its loop runs once for each triple of the closure).
    """

    def __init__(self, predicates: set[Term]) -> None:
        self.predicates = predicates
        self.out: dict[Term, dict[Term, set[Term]]] = defaultdict(lambda: defaultdict(set))
        self.into: dict[Term, dict[Term, set[Term]]] = defaultdict(lambda: defaultdict(set))

    def objects(self, s: Term, p: Term) -> Iterable[Term]:
        return self.out[p].get(s, ())

    def subjects(self, p: Term, o: Term) -> Iterable[Term]:
        return self.into[p].get(o, ())


def _chain_paths(
    graph: Lookup, links: tuple[Term, ...], position: int, s: Term, o: Term
) -> Iterator[tuple[Term, Term, tuple[TripleKey, ...]]]:
    """Every path through `links` that uses (s, links[position], o): start, end, and its triples."""
    backward: list[tuple[Term, tuple[TripleKey, ...]]] = [(s, ())]
    for link in reversed(links[:position]):
        backward = [
            (prev, ((prev, link, node), *path))
            for node, path in backward
            for prev in graph.subjects(link, node)
        ]
    forward: list[tuple[Term, tuple[TripleKey, ...]]] = [(o, ())]
    for link in links[position + 1 :]:
        forward = [
            (nxt, (*path, (node, link, nxt))) for node, path in forward for nxt in graph.objects(node, link)
        ]
    middle = ((s, links[position], o),)
    for start, before in backward:
        for end, after in forward:
            yield start, end, before + middle + after


# ---- The rules: one table, forward and backward --------------------------------------------------

Conclusion = tuple[TripleKey, tuple[TripleKey, ...]]  # a derived triple and its premises


@dataclass(frozen=True)
class Rule:
    """One OWL 2 RL rule, both ways.

    `forward(t, tbox, graph)`: what the rule derives from t joined with the graph, with premises
    (materialise, and the gate's incremental forward chaining). `backward(t, tbox, graph)`: can the
    rule conclude t from the graph as it is (the gate's re-derivation after a removal)?
    """

    name: str
    forward: Callable[[TripleKey, Tbox, Lookup], Iterable[Conclusion]]
    backward: Callable[[TripleKey, Tbox, Graph], bool]
    #: which triples fire it forward: "type" (rdf:type only), "other" (all but rdf:type) or "any"
    fires_on: str = "other"
    #: the keys it can fire on at all, from the ontology: classes for a "type" rule (the triple's
    #: object), predicates for the others; materialise skips the rule for any other triple
    triggers: Callable[[Tbox], Container[Term]] = lambda tbox: ()


# Each forward function returns its conclusions (an empty tuple at once when the ontology gives it
# nothing to do with t: the build calls every applicable rule for every triple it derives).


def _hv2_forward(t: TripleKey, tbox: Tbox, graph: Lookup) -> Iterable[Conclusion]:
    s, p, o = t
    restrictions = tbox.restrictions_with.get((p, o))
    if not restrictions:
        return ()
    return [
        ((s, tbox.v.type, r), (t, (r, tbox.v.has_value, o), (r, tbox.v.on_property, p))) for r in restrictions
    ]


def _hv2_backward(t: TripleKey, tbox: Tbox, graph: Graph) -> bool:
    s, p, o = t
    return p == tbox.v.type and o in tbox.has_value and graph.has((s, *tbox.has_value[o]))


def _sco_forward(t: TripleKey, tbox: Tbox, graph: Lookup) -> Iterable[Conclusion]:
    s, _, o = t
    supers = tbox.superclasses.get(o)
    if not supers:
        return ()
    return [((s, tbox.v.type, sup), (t, (o, tbox.v.subclass, sup))) for sup in supers]


def _sco_backward(t: TripleKey, tbox: Tbox, graph: Graph) -> bool:
    s, p, o = t
    return p == tbox.v.type and any(o in tbox.superclasses.get(c, ()) for c in graph.objects(s, tbox.v.type))


def _hv1_forward(t: TripleKey, tbox: Tbox, graph: Lookup) -> Iterable[Conclusion]:
    s, _, o = t
    if o not in tbox.has_value:
        return ()
    prop, value = tbox.has_value[o]
    return [((s, prop, value), (t, (o, tbox.v.has_value, value), (o, tbox.v.on_property, prop)))]


def _hv1_backward(t: TripleKey, tbox: Tbox, graph: Graph) -> bool:
    s, p, o = t
    restrictions = [r for r, (prop, value) in tbox.has_value.items() if prop == p and value == o]
    return any(graph.has((s, tbox.v.type, r)) for r in restrictions)


def _spo1_forward(t: TripleKey, tbox: Tbox, graph: Lookup) -> Iterable[Conclusion]:
    s, p, o = t
    supers = tbox.superproperties.get(p)
    if not supers:
        return ()
    return [((s, sup, o), (t, (p, tbox.v.subproperty, sup))) for sup in supers]


def _spo1_backward(t: TripleKey, tbox: Tbox, graph: Graph) -> bool:
    s, p, o = t
    sub_properties = [q for q, sups in tbox.superproperties.items() if p in sups]
    return any(graph.has((s, q, o)) for q in sub_properties)


def _dom_forward(t: TripleKey, tbox: Tbox, graph: Lookup) -> Iterable[Conclusion]:
    s, p, _ = t
    classes = tbox.domains.get(p)
    if not classes:
        return ()
    return [((s, tbox.v.type, cls), (t, (p, tbox.v.domain, cls))) for cls in classes]


def _dom_backward(t: TripleKey, tbox: Tbox, graph: Graph) -> bool:
    s, p, o = t
    return p == tbox.v.type and any(
        o in tbox.domains.get(q, ()) and found for q, found in graph.out(s).items()
    )


def _rng_forward(t: TripleKey, tbox: Tbox, graph: Lookup) -> Iterable[Conclusion]:
    _, p, o = t
    classes = tbox.ranges.get(p)
    if not classes or tbox.v.is_literal(o):
        return ()
    return [((o, tbox.v.type, cls), (t, (p, tbox.v.range, cls))) for cls in classes]


def _rng_backward(t: TripleKey, tbox: Tbox, graph: Graph) -> bool:
    s, p, o = t
    return p == tbox.v.type and any(
        o in tbox.ranges.get(q, ()) and found for q, found in graph.into(s).items()
    )


def _inv_forward(t: TripleKey, tbox: Tbox, graph: Lookup) -> Iterable[Conclusion]:
    s, p, o = t
    inverses = tbox.inverses.get(p)
    if not inverses or tbox.v.is_literal(o):
        return ()
    return [((o, inv, s), (t, (p, tbox.v.inverse, inv))) for inv in inverses]


def _inv_backward(t: TripleKey, tbox: Tbox, graph: Graph) -> bool:
    s, p, o = t
    return not tbox.v.is_literal(o) and any(graph.has((o, q, s)) for q in tbox.inverses.get(p, ()))


def _symp_forward(t: TripleKey, tbox: Tbox, graph: Lookup) -> Iterable[Conclusion]:
    s, p, o = t
    if p not in tbox.symmetric or tbox.v.is_literal(o):
        return ()
    return [((o, p, s), (t, (p, tbox.v.type, tbox.v.symmetric)))]


def _symp_backward(t: TripleKey, tbox: Tbox, graph: Graph) -> bool:
    s, p, o = t
    return not tbox.v.is_literal(o) and p in tbox.symmetric and graph.has((o, p, s))


def _trp_forward(t: TripleKey, tbox: Tbox, graph: Lookup) -> Iterable[Conclusion]:
    _, p, o = t
    if p not in tbox.transitive or tbox.v.is_literal(o):
        return ()
    return _trp_joins(t, graph)


def _trp_joins(t: TripleKey, graph: Lookup) -> Iterator[Conclusion]:
    """A generator: the second join sees what the caller added from the first (as materialise
    always did), which decides the premises a chain's derivations record."""
    s, p, o = t
    for nxt in list(graph.objects(o, p)):  # a copy: the caller adds to the graph as it goes
        yield (s, p, nxt), (t, (o, p, nxt))
    for prev in list(graph.subjects(p, s)):
        yield (prev, p, o), ((prev, p, s), t)


def _trp_backward(t: TripleKey, tbox: Tbox, graph: Graph) -> bool:
    s, p, o = t
    if tbox.v.is_literal(o) or p not in tbox.transitive:
        return False
    return any(o in graph.objects(m, p) for m in graph.objects(s, p))


def _spo2_forward(t: TripleKey, tbox: Tbox, graph: Lookup) -> Iterable[Conclusion]:
    _, p, o = t
    if p not in tbox.chain_links or tbox.v.is_literal(o):
        return ()
    return _spo2_joins(t, tbox, graph)


def _spo2_joins(t: TripleKey, tbox: Tbox, graph: Lookup) -> Iterator[Conclusion]:
    s, p, o = t
    for links, target, position in list(tbox.chains_using(p)):
        for start, end, path in list(_chain_paths(graph, links, position, s, o)):
            yield (start, target, end), path


def _spo2_backward(t: TripleKey, tbox: Tbox, graph: Graph) -> bool:
    s, p, o = t
    if tbox.v.is_literal(o):
        return False
    for links, target in tbox.chains:
        if target != p:
            continue
        nodes = {s}
        for link in links:
            nodes = {n for node in nodes for n in graph.objects(node, link)}
        if o in nodes:
            return True
    return False


#: The OWL 2 RL rules the engine implements, in the order they fire (a triple keeps the first
#: derivation found). prp-spo2 takes property chains of any length; equivalence is compiled into
#: two-way subsumption by compile_tbox, so cax-sco and prp-spo1 cover it.
RULES: tuple[Rule, ...] = (
    Rule("cls-hv2", _hv2_forward, _hv2_backward, "any", lambda t: {p for p, _ in t.restrictions_with}),
    Rule("cax-sco", _sco_forward, _sco_backward, "type", lambda t: t.superclasses.keys()),
    Rule("cls-hv1", _hv1_forward, _hv1_backward, "type", lambda t: t.has_value.keys()),
    Rule("prp-spo1", _spo1_forward, _spo1_backward, "other", lambda t: t.superproperties.keys()),
    Rule("prp-dom", _dom_forward, _dom_backward, "other", lambda t: t.domains.keys()),
    Rule("prp-rng", _rng_forward, _rng_backward, "other", lambda t: t.ranges.keys()),
    Rule("prp-inv", _inv_forward, _inv_backward, "other", lambda t: t.inverses.keys()),
    Rule("prp-symp", _symp_forward, _symp_backward, "other", lambda t: t.symmetric),
    Rule("prp-trp", _trp_forward, _trp_backward, "other", lambda t: t.transitive),
    Rule("prp-spo2", _spo2_forward, _spo2_backward, "other", lambda t: t.chain_links),
)


#: the rules a triple fires, by whether it is an rdf:type triple (a dispatch, for speed: the build
#: fires them for every triple it derives)
_FIRED_BY_TYPE = tuple(r for r in RULES if r.fires_on in ("type", "any"))
_FIRED_BY_OTHER = tuple(r for r in RULES if r.fires_on in ("other", "any"))


def consequences(t: TripleKey, tbox: Tbox, graph: Lookup) -> Iterator[tuple[TripleKey, str, tuple]]:
    """Everything one step of the rules derives from t joined with the graph: (triple, rule, premises)."""
    for rule in _FIRED_BY_TYPE if t[1] == tbox.v.type else _FIRED_BY_OTHER:
        for conclusion, premises in rule.forward(t, tbox, graph):
            yield conclusion, rule.name, premises


def derivable(t: TripleKey, tbox: Tbox, graph: Graph) -> bool:
    """Can one of the rules conclude t from the graph as it is?"""
    return any(rule.backward(t, tbox, graph) for rule in RULES)


def materialise(triples: Iterable[TripleKey], tbox: Tbox) -> Closure:
    """Run the OWL 2 RL rules the ontology uses to a fixpoint."""
    return materialise_in_stages(triples, (), tbox)[0]


def materialise_in_stages(
    first: Iterable[TripleKey], then: Iterable[TripleKey], tbox: Tbox
) -> tuple[Closure, set[TripleKey]]:
    """The closure of `first` and `then` together, and the part of it that the closure of `first`
    alone lacks. One run: the rules are monotone, so the second stage goes on from the first
    stage's fixpoint instead of reasoning over everything twice (the build's background marking)."""
    closure: set[TripleKey] = set()
    joined = {tbox.v.type} | tbox.transitive | tbox.functional | tbox.inverse_functional
    joined |= {link for links, _ in tbox.chains for link in links}
    index = _Index(joined)
    derivations: dict[TripleKey, Derivation] = {}
    asserted: set[TripleKey] = set()
    triggers = {rule.name: set(rule.triggers(tbox)) for rule in RULES}
    type_ = tbox.v.type
    # the rules a triple can fire (name and forward function), by its class for an rdf:type triple
    # and by its predicate for any other: a dispatch the loop below does once per triple it derives
    by_class: dict[Term, tuple[tuple[str, Callable], ...]] = {}
    by_predicate: dict[Term, tuple[tuple[str, Callable], ...]] = {}

    def rules_for(p: Term, o: Term) -> tuple[tuple[str, Callable], ...]:
        typed = p == type_
        found = tuple(
            (rule.name, rule.forward)
            for rule in (_FIRED_BY_TYPE if typed else _FIRED_BY_OTHER)
            if (o if rule.fires_on == "type" else p) in triggers[rule.name]
        )
        if typed:
            by_class[o] = found
        else:
            by_predicate[p] = found
        return found

    indexed, out, into = index.predicates, index.out, index.into

    # Each conclusion is hashed once (added, then the size compared) instead of tested, then added:
    # with pyoxigraph terms, whose hash is computed anew on every look-up, that halves the work (the
    # build uses ids). The loop is consequences() and the index's update inlined: it runs once for
    # each triple of the closure.
    def run(seeds: list[TripleKey], track: bool) -> set[TripleKey]:
        """Add the seeds (without repeats) and run to the fixpoint; (when tracked) what was not in
        the closure before."""
        asserted.update(seeds)
        new = [t for t in seeds if t not in closure] if closure else seeds
        for t in seeds if closure else ():  # seeds the first stage had inferred: asserted now
            derivations.pop(t, None)
        closure.update(new)
        reached = set(new) if track else set()
        for s, p, o in new:  # (as below for each conclusion: a call each would cost 0.5 s at 1M)
            if p in indexed:
                out[p][s].add(o)
                into[p][o].add(s)
        work = new[::-1]  # (popped from the end: the seeds in their order, the order they lie in memory)
        while work:
            t = work.pop()
            _, p, o = t
            fired = by_class.get(o) if p == type_ else by_predicate.get(p)
            if fired is None:
                fired = rules_for(p, o)
            for name, forward in fired:
                for conclusion, premises in forward(t, tbox, index):
                    size = len(closure)
                    closure.add(conclusion)
                    if len(closure) != size:
                        cs, cp, co = conclusion
                        if cp in indexed:
                            out[cp][cs].add(co)
                            into[cp][co].add(cs)
                        derivations[conclusion] = Derivation(name, premises)
                        work.append(conclusion)
                        if track:
                            reached.add(conclusion)
        return reached

    # seeds in the order given: the build gives its triples in the order it read (and so made) them,
    # and a loop over a million tuples runs markedly faster in that order than in a set's
    run(list(dict.fromkeys(first)), track=False)
    only_with_then = run(list(dict.fromkeys(then)), track=True)
    inferred = closure - asserted
    closure_result = Closure(inferred, derivations, find_inconsistencies(closure, index, tbox))
    return closure_result, only_with_then


def find_inconsistencies(closure: set[TripleKey], index: _Index, tbox: Tbox) -> list[Inconsistency]:
    """Disjoint classes shared by one node, owl:Nothing members, clashing functional values."""
    problems: list[Inconsistency] = []
    show = tbox.v.show
    for node, classes in index.out[tbox.v.type].items():
        problems += type_clashes(node, classes, tbox)
    for prop in tbox.functional:
        for subject, values in index.out[prop].items():
            problems += functional_clashes(subject, prop, values, show)
    for prop in tbox.inverse_functional:
        for value, subjects in index.into[prop].items():
            problems += inverse_functional_clashes(value, prop, subjects, show)
    return problems


# The checks of one node, shared with incremental.py, which runs them on the nodes a change touches.


def type_clashes(node: Term, classes: Iterable[Term], tbox: Tbox) -> list[Inconsistency]:
    """owl:Nothing membership and pairs of disjoint classes among one node's classes."""
    classes = set(classes)
    problems = []
    v = tbox.v
    if v.nothing in classes:
        problems.append(
            Inconsistency(
                "nothing", f"{v.show(node)} is a member of owl:Nothing", ((node, v.type, v.nothing),)
            )
        )
    by_class = tbox.disjoint_by_class
    found = {pair for c in classes for pair in by_class.get(c, ()) if pair <= classes}
    for pair in sorted(found, key=lambda pair: sorted(map(v.show, pair))):
        a, b = sorted(pair, key=v.show) if len(pair) == 2 else (next(iter(pair)),) * 2
        problems.append(
            Inconsistency(
                "disjoint-classes",
                f"{v.show(node)} is both {v.show(a)} and {v.show(b)}, which are disjoint",
                ((node, v.type, a), (node, v.type, b)),
            )
        )
    return problems


def functional_clashes(
    subject: Term, prop: Term, values: Iterable[Term], show: Callable[[Term], str] = str
) -> list[Inconsistency]:
    values = sorted(set(values), key=show)
    if len(values) < 2:
        return []
    return [
        Inconsistency(
            "functional-property",
            f"{show(subject)} has {len(values)} values of the functional property {show(prop)}",
            tuple((subject, prop, v) for v in values),
        )
    ]


def inverse_functional_clashes(
    value: Term, prop: Term, subjects: Iterable[Term], show: Callable[[Term], str] = str
) -> list[Inconsistency]:
    subjects = sorted(set(subjects), key=show)
    if len(subjects) < 2:
        return []
    return [
        Inconsistency(
            "inverse-functional-property",
            f"{show(value)} is the value of the inverse-functional {show(prop)} for {len(subjects)} nodes",
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
