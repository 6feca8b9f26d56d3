"""The build: load, reason, validate, and write the release artefacts under build/."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from otsgraph.core.loading import Layout, Sources, load_sources
from otsgraph.core.namespaces import Graphs
from otsgraph.core.store import open_store, seed
from otsgraph.reasoning import engine as reasoning
from otsgraph.reasoning import temporal
from otsgraph.validation.reference import ValidationReport, validate

Progress = Callable[[str], None]

RDF_TYPE = reasoning.RDF_TYPE
ASSERTED = ox.NamedNode(str(Graphs.ASSERTED))
BACKGROUND = ox.NamedNode(str(Graphs.BACKGROUND))
ONTOLOGY = ox.NamedNode(str(Graphs.ONTOLOGY))
INFERRED = ox.NamedNode(str(Graphs.INFERRED))
INFERRED_FROM_BACKGROUND = ox.NamedNode(str(Graphs.INFERRED_FROM_BACKGROUND))
PROVENANCE = ox.NamedNode(str(Graphs.PROVENANCE))
LABELS = ox.NamedNode(str(Graphs.LABELS))
#: the graphs reasoning and validation see: claims' descriptions are data too, and the project's
#: labels describe the entities whose shapes ask for en/kk/ru labels (graphs.REASONED, for writes)
REASONED_GRAPHS = (ONTOLOGY, ASSERTED, BACKGROUND, PROVENANCE, LABELS)


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
    base = set(sources.triples(*REASONED_GRAPHS))
    ontology = set(sources.triples(ONTOLOGY))
    reasoned = reason_triples(base, ontology, with_temporal)
    without = set(sources.triples(*(g for g in REASONED_GRAPHS if g != BACKGROUND)))
    reasoned.from_background = resting_on_background(reasoned.inferred, without, ontology, with_temporal)
    return reasoned


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


@dataclass
class BuildResult:
    sources: Sources
    reasoned: Reasoned
    report: ValidationReport | None
    timings: dict[str, float] = field(default_factory=dict)
    artefacts: list[Path] = field(default_factory=list)

    @property
    def asserted_count(self) -> int:
        return len(self.sources.graphs[ASSERTED])

    @property
    def inferred_count(self) -> int:
        return len(self.reasoned.inferred)

    @property
    def from_background_count(self) -> int:
        """How many inferred triples rest on graph:background (graph:inferred-from-background)."""
        return len(self.reasoned.from_background)

    def entities_per_class(self, namespace: str = "https://w3id.org/otsgraph/ontology/") -> Counter:
        """Instances per ots: class, counting asserted and inferred types."""
        counts: Counter = Counter()
        for s, p, o in self.reasoned.input | self.reasoned.inferred:
            typed = p == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value.startswith(namespace)
            if typed and isinstance(s, ox.NamedNode) and reasoning.own_entity(s):
                counts[o.value.removeprefix(namespace)] += 1
        return counts


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
    from otsgraph.core.graphs import REASONED

    def triples(graph: ox.NamedNode) -> set[tuple]:
        return {(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)}

    without = set().union(*(triples(g) for g in REASONED if g != BACKGROUND))
    marked = resting_on_background(triples(INFERRED), without, triples(ONTOLOGY))
    store.update(f"DROP SILENT GRAPH <{INFERRED_FROM_BACKGROUND.value}>")
    store.extend([ox.Quad(s, p, o, INFERRED_FROM_BACKGROUND) for s, p, o in marked])
    return len(marked)


def run_build(
    layout: Layout,
    progress: Progress = lambda _: None,
    write: bool = True,
    check_shapes: bool = True,
    store_path: Path | None = None,
) -> BuildResult:
    """Load the shipped files, reason, validate, and (if write) write artefacts and seed the store."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    progress("loading ontology, data and shapes")
    sources = load_sources(layout)
    timings["load"] = time.perf_counter() - started

    started = time.perf_counter()
    progress(f"reasoning over {len(sources.triples(*REASONED_GRAPHS))} triples")
    reasoned = reason(sources)
    timings["reason"] = time.perf_counter() - started

    report = None
    if check_shapes:
        started = time.perf_counter()
        progress(f"validating against {len(sources.shapes)} shape triples")
        report = validate(reasoned.input | reasoned.inferred, [tuple(t) for t in sources.shapes])
        timings["validate"] = time.perf_counter() - started

    result = BuildResult(sources, reasoned, report, timings)
    if write:
        started = time.perf_counter()
        progress(f"writing artefacts to {layout.build_dir}")
        result.artefacts = write_artefacts(layout.build_dir, sources, reasoned)
        store = open_store(store_path or layout.build_dir / "store")
        seed(store, sources.quads() + inferred_quads(reasoned))
        timings["write"] = time.perf_counter() - started
    return result


def write_artefacts(out: Path, sources: Sources, reasoned: Reasoned) -> list[Path]:
    """Release files: asserted and inferred triples (N-Quads, TriG), the ontology (Turtle, JSON-LD),
    and the listing of the inferences that rest on the background in a file of its own (its triples
    are all in graph:inferred already, so otsgraph.nq does not repeat them)."""
    out.mkdir(parents=True, exist_ok=True)
    everything = ox.Store()
    everything.extend(sources.quads() + [q for q in inferred_quads(reasoned) if q.graph_name == INFERRED])
    marker = ox.Store()
    marker.extend([q for q in inferred_quads(reasoned) if q.graph_name == INFERRED_FROM_BACKGROUND])
    written = []
    jobs = [
        ("otsgraph.nq", ox.RdfFormat.N_QUADS, None, everything),
        ("otsgraph.trig", ox.RdfFormat.TRIG, None, everything),
        ("otsgraph-inferred.nq", ox.RdfFormat.N_QUADS, INFERRED, everything),
        ("otsgraph-inferred-from-background.nq", ox.RdfFormat.N_QUADS, None, marker),
        ("ontology.ttl", ox.RdfFormat.TURTLE, ONTOLOGY, everything),
        ("ontology.jsonld", ox.RdfFormat.JSON_LD, ONTOLOGY, everything),
    ]
    for name, fmt, graph, source in jobs:
        path = out / name
        if graph is None:
            source.dump(str(path), fmt)
        else:
            source.dump(str(path), fmt, from_graph=graph)
        written.append(path)
    asserted_path = out / "otsgraph-asserted.nq"
    asserted_store = ox.Store()
    asserted_store.extend(sources.quads())
    asserted_store.dump(str(asserted_path), ox.RdfFormat.N_QUADS)
    written.append(asserted_path)
    return written
