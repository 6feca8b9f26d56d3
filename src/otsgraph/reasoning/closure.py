"""The dataset's closure: the OWL 2 RL engine and the temporal rule over the shipped sources (or
any triples), the inferences that rest on graph:background, and graph:inferred as quads.

The build, every seeding of a store and the gate's full recompute share it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cached_property

import pyoxigraph as ox

from otsgraph.core.graphs import (
    BACKGROUND,
    INFERRED,
    INFERRED_FROM_BACKGROUND,
    ONTOLOGY,
    REASONED,
    REASONED_GRAPHS,
)
from otsgraph.core.interning import Encoded, Interner
from otsgraph.core.loading import Sources
from otsgraph.core.namespaces import RDF_TYPE

from . import engine as reasoning
from . import temporal


class Reasoned:
    """Asserted input, what reasoning added, and why.

    `from_background` is the part of `inferred` that holds only with graph:background: the closure
    of the same input without the background triples lacks it (filled by `reason`, empty otherwise).

    The build reasons over ids (`terms`, core/interning.py): then what it holds is decoded into
    pyoxigraph terms on first use, and `encoded_in_order` gives the ids themselves (validation reads
    them).
    """

    def __init__(
        self,
        input: set[tuple],
        closure: reasoning.Closure,
        from_background: set[tuple] | None = None,
        terms: Interner | None = None,
        input_order: list[Encoded] | None = None,
    ) -> None:
        self.terms = terms
        self._raw = (input, closure, from_background if from_background is not None else set())
        self._input_order = input_order

    def encoded_in_order(self) -> list[Encoded] | None:
        """Input and inferred triples as ids, each once: the input in the order it was read, then
        the inferred triples in the order they were derived (the order they lie in memory, in which a
        pass over all of them runs fastest). None when reasoning did not run over ids."""
        if self.terms is None:
            return None
        input, closure, _ = self._raw
        inferred = closure.inferred
        derived = [t for t in closure.derivations if t in inferred]  # (a dict keeps its order)
        seen = set(derived)
        return [
            *(self._input_order if self._input_order is not None else input),
            *derived,
            *(t for t in inferred if t not in seen),
        ]

    @property
    def inferred_count(self) -> int:
        return len(self._raw[1].inferred)

    @property
    def inconsistencies(self) -> list[reasoning.Inconsistency]:
        """The closure's inconsistencies, as terms (without decoding the whole closure)."""
        raw = self._raw[1]
        if self.terms is None or "closure" in self.__dict__:
            return self.closure.inconsistencies
        return raw.decoded_inconsistencies(self.terms)

    def typed(self, keep: Callable[[ox.NamedNode, ox.NamedNode], bool]) -> list[tuple]:
        """The input and inferred rdf:type triples (as terms) whose subject and class (both IRIs)
        `keep` accepts: what counting entities by class reads, without decoding everything else."""
        if self.terms is None:
            everything: Iterable[tuple] = (t for part in (self._raw[0], self._raw[1].inferred) for t in part)
            return [t for t in everything if _typed(t, keep)]
        type_id = self.terms.get(RDF_TYPE)
        decode = self.terms.decode
        found = (t for part in (self._raw[0], self._raw[1].inferred) for t in part if t[1] == type_id)
        return [x for t in found if _typed(x := decode(t), keep)]

    def as_terms(self) -> Reasoned:
        """The same, all decoded into terms and holding no ids (for a process that keeps it, as a
        server does for /explain: half the memory of ids and terms both)."""
        if self.terms is None:
            return self
        return Reasoned(self.input, self.closure, self.from_background)

    @cached_property
    def input(self) -> set[tuple]:
        return self._decoded(self._raw[0])

    @cached_property
    def inferred(self) -> set[tuple]:
        return self._decoded(self._raw[1].inferred)

    @cached_property
    def from_background(self) -> set[tuple]:
        return self._decoded(self._raw[2])

    @cached_property
    def closure(self) -> reasoning.Closure:
        raw = self._raw[1]
        return raw if self.terms is None else raw.decoded(self.terms, self.inferred)

    def _decoded(self, triples: set) -> set[tuple]:
        return triples if self.terms is None else self.terms.decode_all(triples)


def _typed(t: tuple, keep: Callable[[ox.NamedNode, ox.NamedNode], bool]) -> bool:
    s, p, o = t
    return p == RDF_TYPE and isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode) and keep(s, o)


def reason(sources: Sources, with_temporal: bool = True) -> Reasoned:
    """Materialise OWL 2 RL (and the temporal rule) over ontology, asserted and background triples,
    and mark the inferences that rest on the background (docs/background.md).

    It reasons over the triples as ids (`sources.encoded`): at scale, ints hash and compare many
    times faster than pyoxigraph terms (core/interning.py). The seeds go to the engine as lists, in
    the order the files were read: the order the triples lie in memory, in which a pass over a
    million of them runs markedly faster than in a set's order."""
    terms = sources.terms
    without_list = sources.encoded_triples(*(g for g in REASONED_GRAPHS if g != BACKGROUND))
    without = set(without_list)
    background_only = [t for t in sources.encoded_triples(BACKGROUND) if t not in without]
    base = without.union(background_only)
    input_order = [*without_list, *background_only]
    tbox = reasoning.compile_tbox(sources.encoded_triples(ONTOLOGY), reasoning.Vocabulary.encoded(terms))
    reads = {i for i in map(terms.get, temporal.READS) if i is not None}
    read = [t for t in input_order if t[1] in reads] if with_temporal else []
    dated, extra_why = _temporal(read, terms)
    extra = dated - base
    if any(t[1] in reads for t in background_only):  # else the background changes no date
        dated = _temporal([t for t in read if t in without], terms)[0]
    extra_alone = dated - without
    if extra_alone - base - extra:  # the temporal rule is not monotone (a date range can narrow):
        # the closure without the background apart, and what the whole one holds beyond it
        closure = _closure(input_order, extra, extra_why, tbox)
        alone = _closure(without_list, extra_alone, {}, tbox)
        supported = without | alone.inferred
        return Reasoned(
            base, closure, {t for t in closure.inferred if t not in supported}, terms, input_order
        )
    # one run in two stages: without the background first, then with it; what the second stage
    # reaches is what rests on the background (the same as resting_on_background finds)
    closure, reached = reasoning.materialise_in_stages(
        [*without_list, *extra_alone], [*background_only, *extra], tbox
    )
    closure.inferred |= extra
    closure.derivations.update(extra_why)
    return Reasoned(base, closure, reached - base, terms, input_order)


def _closure(seeds: list[Encoded], extra: set[Encoded], why: dict, tbox: reasoning.Tbox) -> reasoning.Closure:
    """The OWL 2 RL closure of the seeds and the temporal rule's conclusions (`extra`, `why`)."""
    closure = reasoning.materialise([*seeds, *extra], tbox)
    closure.inferred |= extra
    closure.derivations.update(why)
    return closure


def _temporal(
    read: list[Encoded], terms: Interner
) -> tuple[set[Encoded], dict[Encoded, reasoning.Derivation]]:
    """The temporal rule over encoded triples (those with a predicate it reads: temporal.READS). It
    compares dates, so it reads them as terms, and its conclusions are encoded back."""
    if not read:
        return set(), {}
    out, why = temporal.temporal_triples([terms.decode(t) for t in read])
    encode = terms.encode
    return {encode(t) for t in out}, {
        encode(t): reasoning.Derivation(d.rule, tuple(encode(p) for p in d.premises)) for t, d in why.items()
    }


def resting_on_background(
    inferred: set[tuple], without_background: set[tuple], ontology: set[tuple], with_temporal: bool = True
) -> set[tuple]:
    """The inferred triples that the closure of `without_background` (everything reasoning reads
    except graph:background) does not hold: they rest on at least one background fact."""
    alone = reason_triples(without_background, ontology, with_temporal)
    supported = alone.input | alone.inferred
    return {t for t in inferred if t not in supported}


def reason_triples(base: set[tuple], ontology: set[tuple], with_temporal: bool = True) -> Reasoned:
    tbox = reasoning.compile_tbox(ontology)
    extra: set[tuple] = set()
    extra_why: dict = {}
    if with_temporal:
        extra, extra_why = temporal.temporal_triples(base)
        extra -= base
    closure = reasoning.materialise(base | extra, tbox)
    closure.inferred |= extra
    closure.derivations.update(extra_why)
    return Reasoned(base, closure)


def inferred_quads(reasoned: Reasoned) -> list[ox.Quad]:
    """graph:inferred, and its listing graph:inferred-from-background (what every seeding stores)."""
    return [ox.Quad(s, p, o, INFERRED) for s, p, o in reasoned.inferred] + [
        ox.Quad(s, p, o, INFERRED_FROM_BACKGROUND) for s, p, o in reasoned.from_background
    ]


def refresh_background_marker(store: ox.Store) -> int:
    """Recompute graph:inferred-from-background in a store from its own graphs: the triples of
    graph:inferred that the closure of the reasoned graphs without graph:background lacks
    (additions included). Returns how many triples it lists.

    The build and every seeding compute it from the shipped files (`inferred_quads`); this is for a
    store whose graph:inferred has changed since: `seed` calls it when there are additions.
    """

    def triples(graph: ox.NamedNode) -> set[tuple]:
        return {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)}

    without = set().union(*(triples(g) for g in REASONED if g != BACKGROUND))
    marked = resting_on_background(triples(INFERRED), without, triples(ONTOLOGY))
    store.update(f"DROP SILENT GRAPH <{INFERRED_FROM_BACKGROUND.value}>")
    store.extend([ox.Quad(s, p, o, INFERRED_FROM_BACKGROUND) for s, p, o in marked])
    return len(marked)
