"""The build: load, reason, validate, and write the release artefacts under build/."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from otsgraph.core.bulk import collector_paused
from otsgraph.core.graphs import ASSERTED, INFERRED, INFERRED_FROM_BACKGROUND, ONTOLOGY
from otsgraph.core.loading import Layout, Sources, load_sources
from otsgraph.core.store import open_store
from otsgraph.gate.seed import seed_from_sources
from otsgraph.reasoning import engine as reasoning
from otsgraph.reasoning.closure import (
    REASONED_GRAPHS,
    Reasoned,
    inferred_quads,
    reason,
)
from otsgraph.validation.reference import validate
from otsgraph.validation.report import Report

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    sources: Sources
    reasoned: Reasoned
    report: Report | None
    timings: dict[str, float] = field(default_factory=dict)
    artefacts: list[Path] = field(default_factory=list)

    @property
    def asserted_count(self) -> int:
        return len(self.sources.graphs[ASSERTED])

    @property
    def inferred_count(self) -> int:
        return self.reasoned.inferred_count

    @property
    def from_background_count(self) -> int:
        """How many inferred triples rest on graph:background (graph:inferred-from-background)."""
        return len(self.reasoned.from_background)

    def entities_per_class(self, namespace: str = "https://w3id.org/otsgraph/ontology/") -> Counter:
        """Instances per ots: class, counting asserted and inferred types."""
        counts: Counter = Counter()
        for _, _, o in self.reasoned.typed(
            lambda s, o: o.value.startswith(namespace) and reasoning.own_entity(s)
        ):
            counts[o.value.removeprefix(namespace)] += 1
        return counts


def run_build(
    layout: Layout,
    progress: Progress = lambda _: None,
    write: bool = True,
    check_shapes: bool = True,
    store_path: Path | None = None,
) -> BuildResult:
    """Load the shipped files, reason, validate, and (if write) write artefacts and seed the store."""
    with collector_paused():  # millions of long-lived objects and no cycles (core/bulk.py)
        return _build(layout, progress, write, check_shapes, store_path)


def _build(
    layout: Layout, progress: Progress, write: bool, check_shapes: bool, store_path: Path | None
) -> BuildResult:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    progress("loading ontology, data and shapes")
    sources = load_sources(layout)
    timings["load"] = time.perf_counter() - started

    started = time.perf_counter()
    progress(f"reasoning over {sources.count(*REASONED_GRAPHS)} triples")
    reasoned = reason(sources)
    timings["reason"] = time.perf_counter() - started

    report = None
    if check_shapes:
        started = time.perf_counter()
        progress(f"validating against {len(sources.shapes)} shape triples")
        shapes = [tuple(t) for t in sources.shapes]
        encoded = reasoned.encoded_in_order()
        if encoded is None:
            report = validate(reasoned.input | reasoned.inferred, shapes)
        else:  # the ids reasoning ran over (core/interning.py)
            report = validate(encoded, shapes, terms=reasoned.terms)
        timings["validate"] = time.perf_counter() - started

    result = BuildResult(sources, reasoned, report, timings)
    if write:
        started = time.perf_counter()
        progress(f"writing artefacts to {layout.build_dir}")
        result.artefacts = write_artefacts(layout.build_dir, sources, reasoned)
        store = open_store(store_path or layout.build_dir / "store")
        seed_from_sources(store, sources, reasoned)
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
