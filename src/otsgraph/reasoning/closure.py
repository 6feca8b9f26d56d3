"""The dataset's closure: the OWL 2 RL engine and the temporal rule over the shipped sources (or
any triples), the inferences that rest on graph:background, and graph:inferred as quads.

The build, every seeding of a store and the gate's full recompute share it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from otsgraph.core.graphs import (
    BACKGROUND,
    INFERRED,
    INFERRED_FROM_BACKGROUND,
    ONTOLOGY,
    REASONED,
    REASONED_GRAPHS,
)
from otsgraph.core.loading import Sources

from . import engine as reasoning
from . import temporal


@dataclass
class Reasoned:
    """Asserted input, what reasoning added, and why.

    `from_background` is the part of `inferred` that holds only with graph:background: the closure
    of the same input without the background triples lacks it (filled by `reason`, empty otherwise).
    """

    input: set[tuple]
    closure: reasoning.Closure
    from_background: set[tuple] = field(default_factory=set)

    @property
    def inferred(self) -> set[tuple]:
        return self.closure.inferred


def reason(sources: Sources, with_temporal: bool = True) -> Reasoned:
    """Materialise OWL 2 RL (and the temporal rule) over ontology, asserted and background triples,
    and mark the inferences that rest on the background (docs/background.md)."""
    # each triple hashed once: a set made from a set reuses the hashes it stores (a term's hash is
    # computed anew each time, about 2.5 µs for a triple)
    without = set(sources.triples(*(g for g in REASONED_GRAPHS if g != BACKGROUND)))
    base = without | set(sources.triples(BACKGROUND))
    ontology = set(sources.triples(ONTOLOGY))
    tbox = reasoning.compile_tbox(ontology)
    dated, extra_why = temporal.temporal_triples(base) if with_temporal else (set(), {})
    extra = dated - base
    if with_temporal and any(t[1] in temporal.READS for t in base - without):
        dated = temporal.temporal_triples(without)[0]  # else the background changes no date
    extra_alone = dated - without
    if extra_alone - base - extra:  # the temporal rule is not monotone (a date range can
        # narrow): reason over the data without the background apart
        reasoned = reason_triples(base, ontology, with_temporal)
        reasoned.from_background = resting_on_background(reasoned.inferred, without, ontology, with_temporal)
        return reasoned
    # one run in two stages: without the background first, then with it; what the second stage
    # reaches is what rests on the background (the same as resting_on_background finds)
    closure, reached = reasoning.materialise_in_stages(without | extra_alone, (base - without) | extra, tbox)
    closure.inferred |= extra
    closure.derivations.update(extra_why)
    return Reasoned(base, closure, from_background=reached - base)


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
