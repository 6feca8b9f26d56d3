"""The store seeded from the shipped files: the one function the build, the server, `otsgraph reset`
and the tests call.

Seeding replaces the graphs that come from the shipped files (the fixed graphs and the claim graphs) in
one transaction and leaves every other graph alone, so the additions the gate accepted survive a
rebuild; graph:inferred is then recomputed over both (docs/writes.md).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from otsgraph.core.graphs import ADDITIONS, SHIPPED_GRAPHS
from otsgraph.core.loading import Sources
from otsgraph.core.namespaces import CLAIM
from otsgraph.reasoning.closure import Reasoned, inferred_quads, reason, refresh_background_marker

from .audit import added_graphs
from .gate import refresh_inferred


def seed_from_sources(store: ox.Store, sources: Sources, reasoned: Reasoned | None = None) -> Reasoned:
    """Seed `store` with the shipped sources and their closure (computed here unless given)."""
    reasoned = reasoned if reasoned is not None else reason(sources)
    seed(store, sources.quads() + inferred_quads(reasoned))
    return reasoned


def _is_shipped(graph: ox.NamedNode) -> bool:
    return graph in SHIPPED_GRAPHS or graph.value.startswith(str(CLAIM))


def seed(store: ox.Store, quads: Iterable[ox.Quad]) -> None:
    """Replace the shipped graphs with `quads`, atomically; other graphs are kept."""
    quads = list(quads)
    added = set(added_graphs(store))  # claim graphs that accepted additions created (docs/writes.md)
    stale = [
        g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and _is_shipped(g) and g not in added
    ]
    store.update(
        "".join(f"DROP SILENT GRAPH <{g.value}> ;\n" for g in stale) or "CLEAR SILENT GRAPH <urn:x-none>"
    )
    store.extend(quads)
    if added or store.contains_named_graph(ADDITIONS):
        refresh_inferred(store)  # the new graph:inferred must cover the additions too
        refresh_background_marker(store)  # and so must its listing of what rests on the background
    store.flush()
